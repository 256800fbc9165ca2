-- Shared by every wrk scenario of bench/bench.py. Load it first:
--   local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
--   dofile(dir .. "common.lua")
--
-- Inputs come from the environment (set by bench.py):
--   BENCH_TOKEN   bearer token sent with every request (absent: no Authorization header)
--   BENCH_FILE    a data file of one item per line (paths, ids…), read by the scenario's init
-- Each wrk thread gets a number 0..n-1 (global `thread_index` in its init) so that scenarios can take
-- disjoint slices of the data. done() prints one line, "BENCH_RESULT {json}", that bench.py parses.

common = {}

local threads = {}
local thread_count = 0

-- Runs in wrk's main Lua state, once per thread, before the threads start.
function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
   threads[#threads + 1] = thread
end

-- The lines of a file, without empty ones; fails loudly when the file is missing or empty.
function common.read_lines(path)
   local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
   local lines = {}
   for line in file:lines() do
      if line ~= "" then lines[#lines + 1] = line end
   end
   file:close()
   assert(#lines > 0, "no lines in " .. path)
   return lines
end

-- The headers every request carries: the token, if any, and a JSON Accept.
function common.headers(extra)
   local headers = { ["Accept"] = "application/json" }
   local token = os.getenv("BENCH_TOKEN")
   if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
   for name, value in pairs(extra or {}) do headers[name] = value end
   return headers
end

-- wrk.format fills in Host and Content-Length in the table it is given: pass a fresh copy each time.
function common.copy(t)
   local c = {}
   for k, v in pairs(t) do c[k] = v end
   return c
end

-- The items of a list this thread owns: every n-th one, starting at its own index (n = wrk -t, passed in
-- BENCH_THREADS), so that no two threads ever work on the same item.
function common.slice(items)
   local n = tonumber(os.getenv("BENCH_THREADS") or "1")
   local mine = {}
   for i = (thread_index or 0) + 1, #items, n do mine[#mine + 1] = items[i] end
   assert(#mine > 0, "thread " .. tostring(thread_index) .. " has no items")
   return mine
end

-- Counters kept per thread by scenarios that look at responses (read in done through thread:get).
non_2xx = 0

-- One JSON line with what bench.py needs. Runs in the main state after the threads stop.
function done(summary, latency, requests)
   local extra_non_2xx = 0
   for _, thread in ipairs(threads) do
      extra_non_2xx = extra_non_2xx + (tonumber(thread:get("non_2xx")) or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,"non_2xx":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.timeout, e.status, extra_non_2xx,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
