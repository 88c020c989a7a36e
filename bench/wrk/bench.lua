-- One wrk script for every scenario, chosen by environment variables:
--   BENCH_MODE=register  POST /webhook with the form body curl -d userid=benchuser sends
--   BENCH_MODE=trigger   GET /webhook/{id}, the id drawn at random from the file BENCH_IDS
--   BENCH_MODE=get       GET BENCH_PATH (the hello app, the adnanh/webhook peer)
-- done() prints one line "BENCH {json}" that bench/run.py reads.
local mode = os.getenv("BENCH_MODE") or "get"
local path = os.getenv("BENCH_PATH") or "/"
local ids = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  if mode == "trigger" then
    for line in io.lines(os.getenv("BENCH_IDS")) do
      ids[#ids + 1] = line
    end
  end
end

local form_headers = {["Content-Type"] = "application/x-www-form-urlencoded"}

function request()
  if mode == "register" then
    return wrk.format("POST", "/webhook", form_headers, "userid=benchuser")
  elseif mode == "trigger" then
    return wrk.format("GET", "/webhook/" .. ids[math.random(#ids)])
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
