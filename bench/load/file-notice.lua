-- wrk script: every request files a new notice (a new listing, a new Idempotency-Key) as the demo rights holder,
-- on the demo platform; the listing's title and snapshot carry the holder's mark, so screening finds a hit.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run = os.getenv("RUN_ID") or "0"
  platform = os.getenv("PLATFORM_ID")
  right = os.getenv("RIGHT_ID")
  mark = os.getenv("MARK")
  key = os.getenv("TRACEMARK_KEY")
end

request = function()
  counter = counter + 1
  local id = run .. "-" .. tid .. "-" .. counter
  local body = string.format(
    '{"platformId":"%s","kind":"counterfeit","rightIds":["%s"],"listings":[{"listingId":"L%s","url":"https://www.shopwell.example/item/L%s",' ..
    '"sellerId":"shop-%d","sellerName":"星光小店","title":"%s down jacket 1:1 replica 羽绒服 高仿","price":199.00,"currency":"CNY",' ..
    '"snapshotText":"%s 羽绒服 高仿 原单 listing L%s, free shipping"}],"goodFaith":true,"signature":"Load test"}',
    platform, right, id, id, counter % 500, mark, mark, id)
  return wrk.format("POST", "/api/v1/complaints/notices", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = id,
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d errors=%d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
