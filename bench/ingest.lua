-- wrk script for bench/ingest_bench.sh: POSTs a realistic report (template read from
-- $VIGIA_BENCH_TEMPLATE, with "@REPORT_ID@" where the id goes) with a fresh report_id per
-- request, so every request is a real insert, not a duplicate.

local counter = 0
local thread_index = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("VIGIA_BENCH_TEMPLATE")
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  local at = assert(text:find("@REPORT_ID@", 1, true), "template has no @REPORT_ID@")
  prefix = text:sub(1, at - 1)
  suffix = text:sub(at + #"@REPORT_ID@")
  run = os.getenv("VIGIA_BENCH_RUN") or "0"
  headers = {["Content-Type"] = "application/json"}
end

function request()
  counter = counter + 1
  -- version-4-shaped id: run (4 hex) + thread (4 hex) + counter (12 hex)
  local id = string.format("%08x-%04x-4000-8000-%012x", tonumber(run), tid, counter)
  return wrk.format("POST", "/api/v1/reports", headers, prefix .. id .. suffix)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
