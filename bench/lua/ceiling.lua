-- ceiling: GET /health/live, the cheapest request through the same middleware (request id, metrics,
-- logging). Every other scenario is reported as a fraction of its rate. Static request, like wrk's default.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

wrk.method = "GET"
wrk.path = "/health/live"
