-- wrk script: custody events ("sampled") on the evidence items in TRACEMARK_ITEMS (comma-separated ids).
-- TRACEMARK_BATCH=1: one event per request on /api/v1/evidence/{id}/custody-events, each thread on its own items;
-- TRACEMARK_BATCH=n: n events per request on /api/v1/evidence/custody-events, spread over the items.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TRACEMARK_KEY")
wrk.headers["Content-Type"] = "application/json"
local items = {}
for item in string.gmatch(os.getenv("TRACEMARK_ITEMS"), "[^,]+") do
  items[#items + 1] = item
end
local batch = tonumber(os.getenv("TRACEMARK_BATCH") or "1")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local counter = 0
function request()
  counter = counter + 1
  if batch == 1 then
    local item = items[((id * 7919 + counter) % #items) + 1]
    return wrk.format(nil, "/api/v1/evidence/" .. item .. "/custody-events", nil, '{"kind":"sampled","note":"load test sample"}')
  end
  local events = {}
  for i = 1, batch do
    events[i] = string.format('{"evidenceId":"%s","kind":"sampled","note":"load test sample %d"}', items[((id * 7919 + counter * batch + i) % #items) + 1], i)
  end
  return wrk.format(nil, "/api/v1/evidence/custody-events", nil, '{"events":[' .. table.concat(events, ",") .. "]}")
end

done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d errors=%d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
