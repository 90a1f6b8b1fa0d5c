-- wrk script: every request reads one (restricted, so audited) alert.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TRACEMARK_KEY")

done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d errors=%d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
