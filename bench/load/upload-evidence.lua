-- wrk script: every request uploads a different small "PNG" (the signature, then unique bytes) as evidence.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TRACEMARK_KEY")
local boundary = "tracemark-load-boundary"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local counter = 0
function request()
  counter = counter + 1
  local bytes = "\137PNG\r\n\26\n" .. string.format("thread %d request %d ", id, counter) .. string.rep("x", 1000)
  local body = "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="file"; filename="load.png"\r\n'
    .. "Content-Type: image/png\r\n\r\n" .. bytes .. "\r\n"
    .. "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="collectedBy"\r\n\r\nLoad test 压力测试\r\n'
    .. "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="collectedAt"\r\n\r\n2026-01-01T00:00:00Z\r\n'
    .. "--" .. boundary .. "--\r\n"
  return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d errors=%d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
