#!/usr/bin/env bash
# Measures the time from ./run.sh to the first 200 on /healthz:
#   cold = nothing built, empty data folder (build + initdb + migrations + demo data);
#   warm = the same again with everything in place (goal: under 5 s).
# Usage: bench/startup.sh [runs]   (prerequisites must already be installed)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
port=5190
data=$(mktemp -d /tmp/tracemark-startup.XXXXXX)
chmod 755 "$data" # as root, the embedded PostgreSQL runs as another user who must reach it
export TRACEMARK_URLS="http://127.0.0.1:$port" TRACEMARK_DATA="$data/data"

measure() {
  local start end pid
  start=$(date +%s%N)
  ./run.sh >"$data/run.log" 2>&1 &
  pid=$!
  until curl -sf "$TRACEMARK_URLS/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "run.sh exited early:"; cat "$data/run.log"; exit 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo $(( (end - start) / 1000000 ))
}

rm -rf artifacts/tracemark
echo "cold (build + new cluster + migrations + demo data): $(measure) ms"
for i in $(seq 1 "$runs"); do
  echo "warm run $i: $(measure) ms"
done
rm -rf "$data"
