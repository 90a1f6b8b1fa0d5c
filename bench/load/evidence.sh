#!/usr/bin/env bash
# Evidence through the API, end to end: uploads per second (each stores a file content-addressed, appends two
# leaves to the ledger with an fsync, writes rows and the audit trail in one transaction) and custody events per
# second, one per request and 100 per request (the ledger gathers concurrent appends into shared fsyncs either way).
# 16 concurrent clients over HTTP, a Release build, the embedded PostgreSQL.
#   bench/load/evidence.sh [seconds-per-run]      (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-20}
port=5193
work=$(mktemp -d /tmp/tracemark-load.XXXXXX)
chmod 755 "$work"
export TRACEMARK_DATA="$work/data" TRACEMARK_URLS="http://127.0.0.1:$port"

dotnet publish src/Tracemark.Cli/Tracemark.Cli.csproj -c Release -o "$work/app" --nologo -v quiet
env "Logging__LogLevel__Tracemark.Requests=Warning" dotnet "$work/app/tracemark.dll" serve --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "$TRACEMARK_URLS/healthz" >/dev/null; do sleep 0.2; done

TRACEMARK_KEY=$(python3 -c "import json,sys; print([o for o in json.load(open('$TRACEMARK_DATA/demo-credentials.json'))['organisations'] if o['kind']=='customs'][0]['apiKey'])")
export TRACEMARK_KEY
signed() { curl -sf "$TRACEMARK_URLS/api/v1/ledger/tree-head" | python3 -c 'import json,sys; print(json.load(sys.stdin)["treeSize"])'; }
leaves() { sleep 2; signed; }

items=""
for i in $(seq 1 64); do
  printf '\x89PNG\r\n\x1a\nitem %s %s' "$i" "$RANDOM" >"$work/item.png"
  id=$(curl -sf -X POST "$TRACEMARK_URLS/api/v1/evidence" -H "Authorization: Bearer $TRACEMARK_KEY" \
    -F "file=@$work/item.png" -F collectedBy=bench -F collectedAt=2026-01-01T00:00:00Z | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  items="$items${items:+,}$id"
done
export TRACEMARK_ITEMS=$items

run() {
  local label=$1 script=$2 path=$3 before after
  before=$(leaves)
  echo "== $label, 16 connections, ${duration}s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  wrk -t4 -c16 -d"${duration}s" --latency -s "bench/load/$script" "$TRACEMARK_URLS$path" | grep -E 'Requests/sec|50%|90%|99%|STATUS'
  after=$(leaves)
  echo "ledger: $((after - before)) leaves appended, $(( (after - before) / duration )) leaves/s"
}

# Warm the JIT and the pools so the first measured run is not the cold one.
export TRACEMARK_BATCH=1
wrk -t2 -c8 -d5s -s bench/load/custody-events.lua "$TRACEMARK_URLS/" >/dev/null
run "upload (POST /api/v1/evidence, ~1 KB file)" upload-evidence.lua /api/v1/evidence
export TRACEMARK_BATCH=1
run "custody event, one per request (POST /api/v1/evidence/{id}/custody-events)" custody-events.lua /
export TRACEMARK_BATCH=100
run "custody events, 100 per request (POST /api/v1/evidence/custody-events)" custody-events.lua /
echo "ledger on disk: $(du -sb "$TRACEMARK_DATA/ledger" | cut -f1) bytes for $(signed) leaves"
