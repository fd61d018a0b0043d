-- Signed Zalo events, pre-generated (wrk's Lua has no SHA-256): "signature<TAB>body" per line.
-- Each thread takes every n-th line, so no event is sent twice while lines last.
local lines = {}
for line in io.lines(os.getenv("BENCH_DIR") .. "/events.txt") do table.insert(lines, line) end
-- tid is a global: thread:set() writes globals, so a local tid would stay 0 in every thread.
local threads, nthreads, i = {}, 1, 0
tid = 0
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) nthreads = tonumber(os.getenv("BENCH_THREADS")) or 2; i = tid end
-- BENCH_PACE_MS: each connection waits that long before each request, so the offered rate is
-- about connections / (pace + latency): a steady stream instead of as fast as the server answers.
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "")
if pace then function delay() return pace end end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
  local line = lines[(i % #lines) + 1]
  i = i + nthreads
  local tab = line:find("\t")
  return wrk.format(nil, os.getenv("BENCH_WEBHOOK_PATH"),
    {["X-ZEvent-Signature"] = "mac=" .. line:sub(1, tab - 1)}, line:sub(tab + 1))
end
