-- POST /api/v1/surveys/responses with a fresh client_id per request (wrk runs one Lua state
-- per thread; the thread id keeps ids unique across threads).
local units = dofile(os.getenv("BENCH_DIR") .. "/units.lua")
local answers = os.getenv("BENCH_ANSWERS")
-- tid is a global: thread:set() writes globals, so a local tid would stay 0 in every thread.
local counter = 0
local threads = {}
tid = 0
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args) math.randomseed(os.time() * 1000 + tid) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  local id = string.format("%08x-%04x-4%03x-8%03x-%012x", math.random(0, 0x7fffffff),
    tid, math.random(0, 0xfff), math.random(0, 0xfff), counter)
  local unit = units[math.random(#units)]
  local body = '{"unit":"' .. unit .. '","client_id":"' .. id .. '","answers":' .. answers .. '}'
  return wrk.format(nil, "/api/v1/surveys/responses", nil, body)
end
function response(status, headers, body)
  if status ~= 201 and status ~= 200 then io.stderr:write(status .. " " .. body .. "\n") end
end
