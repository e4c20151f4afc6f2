-- wrk script: a fleet of simulated hosts posting realistic reports (bench/make_fleet_load.py).
-- Each request is the next report of the next host of this wrk thread: the host's next state
-- of the process walk, a fresh report_id, and a collected_at $VIGIA_BENCH_INTERVAL seconds
-- after that host's previous one, so the server sees what a fleet sends, not one body again.
--
-- Environment: VIGIA_BENCH_STATES (the bodies, one per line), VIGIA_BENCH_HOSTS (default 1000),
-- VIGIA_BENCH_INTERVAL (seconds, default 60), VIGIA_BENCH_START (epoch seconds of the first
-- report, default one hour ago), VIGIA_BENCH_RUN (a number that keeps report_ids of separate
-- runs apart), VIGIA_BENCH_THREADS (wrk's -t, default 2). LuaJIT: Lua 5.1, no // operator.

local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function split(body)
  local parts = {}
  local at = 1
  for _, mark in ipairs({"@REPORT_ID@", "@COLLECTED_AT@", "@HOSTNAME@", "@IP@"}) do
    local s, e = body:find(mark, at, true)
    assert(s, "state has no " .. mark)
    table.insert(parts, body:sub(at, s - 1))
    at = e + 1
  end
  table.insert(parts, body:sub(at))
  return parts
end

function init(args)
  states = {}
  local f = assert(io.open(assert(os.getenv("VIGIA_BENCH_STATES"), "VIGIA_BENCH_STATES"), "rb"))
  local text = f:read("*a")
  f:close()
  for line in text:gmatch("[^\n]+") do table.insert(states, split(line)) end
  hosts = tonumber(os.getenv("VIGIA_BENCH_HOSTS") or "1000")
  interval = tonumber(os.getenv("VIGIA_BENCH_INTERVAL") or "60")
  start = tonumber(os.getenv("VIGIA_BENCH_START") or tostring(os.time() - 3600))
  run = tonumber(os.getenv("VIGIA_BENCH_RUN") or "0")
  threads_total = tonumber(os.getenv("VIGIA_BENCH_THREADS") or "2")
  -- This thread's hosts: those whose number is tid modulo the thread count.
  mine = {}
  for h = tid, hosts - 1, threads_total do table.insert(mine, h) end
  sent = {}
  next_host = 1
  counter = 0
  headers = {["Content-Type"] = "application/json"}
end

function request()
  local host = mine[next_host]
  next_host = next_host % #mine + 1
  local n = sent[host] or 0
  sent[host] = n + 1
  counter = counter + 1
  local parts = states[(host * 7 + n) % #states + 1]
  -- Hosts spread over the interval, each report `interval` after its host's previous one.
  local ms = math.floor(host * interval * 1000 / hosts)
  local at = start + n * interval + math.floor(ms / 1000)
  local collected = os.date("!%Y-%m-%dT%H:%M:%S", at) .. string.format(".%03dZ", ms % 1000)
  local id = string.format("%08x-%04x-4000-8000-%012x", run, tid, counter)
  local ip = string.format("10.%d.%d.%d", 100 + math.floor(host / 65536), math.floor(host / 256) % 256,
                           host % 256)
  local body = table.concat({parts[1], id, parts[2], collected, parts[3],
                             string.format("host-%05d", host), parts[4], ip, parts[5]})
  return wrk.format("POST", "/api/v1/reports", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
