-- get_case, search_name, search_filters, search_deep, rss_256: authenticated GETs cycling through the
-- paths listed in BENCH_FILE (one per line: "/api/v1/cases/<id>", "/api/v1/cases?q=…&limit=50", …).
-- Each thread starts at its own offset so that the threads do not walk the list in lockstep.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local paths, headers, next_index

function init(args)
   paths = common.read_lines(os.getenv("BENCH_FILE"))
   headers = common.headers()
   next_index = ((thread_index or 0) * 7919) % #paths
end

function request()
   next_index = next_index % #paths + 1
   return wrk.format("GET", paths[next_index], common.copy(headers))
end
