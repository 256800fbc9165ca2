-- patch_case: PATCH /api/v1/cases/{id} with a JSON merge patch and If-Match, over the cases listed in
-- BENCH_FILE ("<id> <etag>" per line). Each thread owns a disjoint slice and walks it round robin, far
-- longer than the thread's connections; a case whose previous request is still in flight (a slow write can
-- outlast a round on a small organization) is skipped, so two requests never race on one case.
-- response() keeps the ETags current: the case id is in the body (or, for an error, in the problem's
-- "instance"), the new version in the ETag header. A 412 (stale ETag) counts as an error, as any non-2xx.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local ids, etags, busy, headers, next_index, counter

function init(args)
   ids, etags, busy = {}, {}, {}
   for _, line in ipairs(common.slice(common.read_lines(os.getenv("BENCH_FILE")))) do
      local id, etag = line:match("^(%S+)%s+(%S+)$")
      ids[#ids + 1] = id
      etags[id] = etag
   end
   headers = common.headers({ ["Content-Type"] = "application/merge-patch+json" })
   next_index, counter = 0, 0
end

function request()
   for _ = 1, #ids do
      next_index = next_index % #ids + 1
      if not busy[ids[next_index]] then break end
   end
   counter = counter + 1
   local id = ids[next_index]
   busy[id] = true
   local h = common.copy(headers)
   h["If-Match"] = etags[id]
   local body = string.format('{"phone":"+39 333 %07d","notes":"bench patch %d"}', counter % 10000000, counter)
   return wrk.format("PATCH", "/api/v1/cases/" .. id, h, body)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non_2xx = non_2xx + 1
      local id = body:match('"instance":"/api/v1/cases/([0-9a-fA-F-]+)"')
      if id then busy[id] = nil end
      return
   end
   local id = body:match('"id":"([0-9a-fA-F-]+)"')
   local etag = headers["ETag"] or headers["etag"] or headers["Etag"]
   if id and etag and etags[id] then etags[id] = etag end
   if id then busy[id] = nil end
end
