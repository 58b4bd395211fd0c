-- The load of bench/load.ts, run by wrk (one thread). Arguments after wrk's `--`:
--   FILE FROM CYCLE AMOUNT
-- FILE holds the raw HTTP text one turn sends, pipelined if it holds several requests; each "{n}" in it
-- takes the turn's number: FROM + i for the i-th turn, or (FROM + i) mod CYCLE when CYCLE is above 0.
-- AMOUNT above 0 ends the run at that many responses; otherwise wrk's -d ends it. done() prints one JSON line.
local ffi = require("ffi")
ffi.cdef [[ int kill(int pid, int sig); int getpid(void); ]]
local SIGINT = 2

local parts, from, cycle, amount
-- Globals, not locals: done() runs in wrk's main Lua state and reads them with thread:get.
turns, responses, statuses = 0, 0, {}

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local text = file:read("*a")
  file:close()
  from, cycle, amount = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  parts = {}
  for piece in (text .. "{n}"):gmatch("(.-){n}") do parts[#parts + 1] = piece end
end

function request()
  local n = tostring(cycle > 0 and (from + turns) % cycle or from + turns)
  turns = turns + 1
  return table.concat(parts, n)
end

function response(status)
  -- Answers that come in the same read as the last one counted are not counted either.
  if amount > 0 and responses == amount then return end
  responses = responses + 1
  statuses[status] = (statuses[status] or 0) + 1
  if responses == amount then
    wrk.thread:stop()
    -- wrk's main thread sleeps for the whole of -d: SIGINT wakes it, and it reports the time until now.
    ffi.C.kill(ffi.C.getpid(), SIGINT)
  end
end

local threads = {}
function setup(thread) threads[#threads + 1] = thread end

function done(summary, latency)
  local thread = threads[1]
  local counts = {}
  for status, count in pairs(thread:get("statuses")) do counts[#counts + 1] = string.format('"%d":%d', status, count) end
  local errors = summary.errors
  io.write(string.format(
    '{"responses":%d,"turns":%d,"microseconds":%d,"p50":%d,"p99":%d,"errors":%d,"statuses":{%s}}\n',
    thread:get("responses"), thread:get("turns"), summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, table.concat(counts, ",")))
end
