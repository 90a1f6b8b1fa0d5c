"""Sequential GET /api/v1/customs/worklist over one keep-alive connection: first page, by port, by minimum score, second page."""
import http.client
import json
import random
import sys
import time
from urllib.parse import urlparse

base, key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": "Bearer " + key}
rng = random.Random(3)
ports = ["DEHAM", "DEBRV", "DEFRA", "NLRTM", "BEANR", "CNSHA", "CNNGB", "CNSZX", "USNYC", "SIKOP"]


def get(path):
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return elapsed, json.loads(body)


get("/api/v1/customs/worklist")  # warm-up
for kind in ["first page", "?port=", "?minScore=70", "second page (cursor)"]:
    times = []
    for _ in range(count // 4):
        if kind == "first page":
            elapsed, _ = get("/api/v1/customs/worklist?limit=50")
        elif kind == "?port=":
            elapsed, _ = get("/api/v1/customs/worklist?limit=50&port=" + rng.choice(ports))
        elif kind == "?minScore=70":
            elapsed, _ = get("/api/v1/customs/worklist?limit=50&minScore=70")
        else:
            _, first = get("/api/v1/customs/worklist?limit=50&port=" + rng.choice(ports))
            cursor = first.get("nextCursor")
            if not cursor:
                continue
            elapsed, _ = get("/api/v1/customs/worklist?limit=50&cursor=" + cursor)
        times.append(elapsed)
    if not times:
        continue
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"  {kind:22} n={len(times)}  p50 {pick(0.5):.1f} ms  p95 {pick(0.95):.1f} ms  p99 {pick(0.99):.1f} ms  max {times[-1]:.1f} ms")
