-- Every request a path drawn at random from the file BENCH_PATHS names (one per line): a crowd asking different
-- things. Without BENCH_PATHS, the URL given to wrk. BENCH_COOKIE, when set, goes with every request (a
-- signed-in person). Prints the latency percentiles, in microseconds, for the benchmark to read.
local paths = {}
if os.getenv("BENCH_PATHS") then
  for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
end
local headers = {}
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then headers["Cookie"] = cookie end

init = function(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

request = function()
  if #paths == 0 then return wrk.format("GET", nil, headers) end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

done = function(summary, latency, requests)
  io.write(string.format("p50_us %d\np95_us %d\np99_us %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
  io.write(string.format("requests %d\nerrors %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
