-- Every request a different faceted search, so the page cache never answers: the uncached cost.
local words = {"batik", "tenun", "madu", "kopi", "keranjang", "seragam", "kursi", "keripik", "tas", "gamis"}
request = function()
  local path = "/search?q=" .. words[math.random(#words)] .. "&min_price=" .. math.random(1, 999999)
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  io.write(string.format("p50_us %d\n", latency:percentile(50)))
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
  io.write(string.format("requests %d\nerrors %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
