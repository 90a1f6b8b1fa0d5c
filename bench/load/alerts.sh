#!/usr/bin/env bash
# Alerts created and read per second, and latency percentiles, with 16 concurrent API clients,
# with row-level security on and then off (policies disabled on the alerts table), so that the
# cost of the visibility guarantee is known. Reads are of a node-level alert, so each is audited.
# On and off alternate for [rounds] rounds, so that a busy machine weighs on both sides alike.
#   bench/load/alerts.sh [seconds-per-run] [rounds]      (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-20}
rounds=${2:-1}
port=5191
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
alert=$(curl -sf -X POST "$TRACEMARK_URLS/api/v1/alerts" -H "Authorization: Bearer $TRACEMARK_KEY" -H 'Content-Type: application/json' \
  -d '{"title":"read me","body":"b","distribution":"node"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
psql_owner() {
  local port_pg password
  port_pg=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/server.log" | tail -1 | cut -d: -f2)
  password=$(cat "$TRACEMARK_DATA/postgres.password")
  PGPASSWORD=$password psql -q -h 127.0.0.1 -p "$port_pg" -U tracemark -d tracemark -c "$1"
}

run() {
  local label=$1
  echo "== $label: create (POST /api/v1/alerts), 16 connections, ${duration}s"
  wrk -t4 -c16 -d"${duration}s" --latency -s bench/load/create-alert.lua "$TRACEMARK_URLS/api/v1/alerts" | grep -E 'Requests/sec|50%|90%|99%|STATUS'
  echo "== $label: read (GET /api/v1/alerts/{id}), 16 connections, ${duration}s"
  wrk -t4 -c16 -d"${duration}s" --latency -s bench/load/read-alert.lua "$TRACEMARK_URLS/api/v1/alerts/$alert" | grep -E 'Requests/sec|50%|90%|99%|STATUS'
}

# Warm the JIT and the pools on both paths so the first measured run is not the cold one.
wrk -t2 -c8 -d5s -s bench/load/create-alert.lua "$TRACEMARK_URLS/api/v1/alerts" >/dev/null
wrk -t2 -c8 -d5s -s bench/load/read-alert.lua "$TRACEMARK_URLS/api/v1/alerts/$alert" >/dev/null
for round in $(seq "$rounds"); do
  run "round $round, RLS on"
  psql_owner "ALTER TABLE alerts DISABLE ROW LEVEL SECURITY"
  run "round $round, RLS off"
  psql_owner "ALTER TABLE alerts ENABLE ROW LEVEL SECURITY"
done
echo "alerts in the table: $(psql_owner 'SELECT count(*) FROM alerts' 2>/dev/null | sed -n 3p)"
