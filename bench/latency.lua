-- Print the latency percentiles wrk measured, in microseconds, for the benchmark to read.
done = function(summary, latency, requests)
  io.write(string.format("p50_us %d\n", latency:percentile(50)))
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
  io.write(string.format("requests %d\nerrors %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
