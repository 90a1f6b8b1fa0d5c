-- wrk script: every request creates an alert as the API key's organisation.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TRACEMARK_KEY")
wrk.body = '{"title":"Load test 压力测试","body":"Counterfeit tablets in express parcels; batch codes misprinted.","severity":"high","distribution":"node","originCountries":["CN"],"destinationCountries":["DE"]}'

done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d errors=%d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
