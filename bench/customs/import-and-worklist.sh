#!/usr/bin/env bash
# Customs at scale, on a fresh embedded database with the demo data:
#   1. end to end import: N generated declaration lines (3% carrying a demo mark or a lookalike, some with risk terms,
#      Chinese and full-width text mixed in) posted as one CSV to POST /api/v1/customs/imports; the job reads, checks,
#      screens against the registry's marks, scores and stores them. Lines/s from the job's startedAt→finishedAt, and
#      from the POST to the job being done.
#   2. the officers' work list: lines added by SQL (2% flagged, 20 ports) up to each size in STORED, then R sequential
#      GET /api/v1/customs/worklist (first page; ?port=; ?minScore=70; a second page by cursor), client-side latency.
# Usage: bench/customs/import-and-worklist.sh [import-lines=200000] [stored-sizes="1000000 10000000" ("" for the import only)] [requests=1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-200000}
sizes=${2-"1000000 10000000"}
requests=${3:-1000}
port=5194
work=$(mktemp -d /tmp/tracemark-bench-customs.XXXXXX)
chmod 755 "$work"
export TRACEMARK_DATA="$work/data" TRACEMARK_URLS="http://127.0.0.1:$port"
server=
trap '[ -n "$server" ] && kill -TERM $server 2>/dev/null && wait $server 2>/dev/null; rm -rf "$work"' EXIT

dotnet publish src/Tracemark.Cli/Tracemark.Cli.csproj -c Release -o "$work/app" --nologo -v quiet
python3 bench/customs/generate.py "$lines" >"$work/lines.csv"
echo "generated $lines lines: $(du -h "$work/lines.csv" | cut -f1)"
dotnet "$work/app/tracemark.dll" demo >/dev/null
key=$(python3 -c "import json; print([o for o in json.load(open('$TRACEMARK_DATA/demo-credentials.json'))['organisations'] if o['kind']=='customs'][0]['apiKey'])")

env "Logging__LogLevel__Tracemark.Requests=Warning" dotnet "$work/app/tracemark.dll" serve >"$work/server.log" 2>&1 &
server=$!
until curl -sf "$TRACEMARK_URLS/healthz" >/dev/null; do sleep 0.2; done
# Let the demo's own import and the screening engine's first load finish.
sleep 5

start=$(date +%s.%N)
job=$(curl -sf -X POST "$TRACEMARK_URLS/api/v1/customs/imports?fileName=bench.csv" -H "Authorization: Bearer $key" -H "Content-Type: text/csv" \
  --data-binary "@$work/lines.csv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  curl -sf "$TRACEMARK_URLS/api/v1/customs/imports/$job" -H "Authorization: Bearer $key" >"$work/job.json"
  status=$(python3 -c "import json; print(json.load(open('$work/job.json'))['status'])")
  [ "$status" = queued ] || [ "$status" = running ] || break
  sleep 0.5
done
end=$(date +%s.%N)
python3 - "$work/job.json" "$start" "$end" <<'PY'
import json, sys
from datetime import datetime
j = json.load(open(sys.argv[1])); wall = float(sys.argv[3]) - float(sys.argv[2])
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
inside = (t(j["finishedAt"]) - t(j["startedAt"])).total_seconds()
print(f"import: status {j['status']}, rows {j['rows']}, written {j['written']}, flagged {j['flagged']}, invalid {j['invalid']}")
print(f"  job (read+check+screen+score+store) {inside:.1f} s = {j['rows'] / inside:,.0f} lines/s; POST to done {wall:.1f} s = {j['rows'] / wall:,.0f} lines/s")
PY

pgport=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/server.log" | head -1 | cut -d: -f2)
export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=tracemark PGDATABASE=tracemark PGPASSWORD=$(cat "$TRACEMARK_DATA/postgres.password")
read -r org import < <(psql -Atqc "SELECT owner_org_id || ' ' || id FROM customs_imports WHERE id = '$job'" | tr '|' ' ')
stored=$(psql -Atqc "SELECT count(*) FROM customs_lines")
for size in $sizes; do
  while [ "$stored" -lt "$size" ]; do
    batch=$(( size - stored < 1000000 ? size - stored : 1000000 ))
    psql -qc "
      INSERT INTO customs_lines (id, owner_org_id, import_id, declaration_number, line_no, declared_on, transport_mode, origin, destination, port,
          hs_code, description, brand, quantity, unit, value, currency, risk_score, reasons, created_at)
      SELECT gen_random_uuid(), '$org', '$import', 'SQL' || ($stored + g) / 50, ($stored + g) % 50 + 1, DATE '2026-01-01' + (g % 300),
             (ARRAY['sea','air','rail','road','post','express'])[1 + g % 6], 'CN', 'DE',
             (ARRAY['DEHAM','DEBRV','DEFRA','DEMUC','NLRTM','BEANR','FRLEH','ITGOA','ESVLC','PLGDN','CNSHA','CNNGB','CNSZX','CNTAO','CNPVG','USNYC','USLAX','GBFXT','GRPIR','SIKOP'])[1 + g % 20],
             '620140', 'Generated line ' || g, NULL, 10, 'pcs', 100, 'EUR',
             CASE WHEN random() < 0.02 THEN 1 + floor(random() * 100)::int ELSE 0 END,
             '[{\"code\": \"mark_in_brand\", \"points\": 45, \"args\": {\"mark\": \"Northwind\", \"matched\": \"N0RTHWIND\", \"kind\": \"lookalike\"}}]'::jsonb,
             now()
      FROM generate_series(1, $batch) g"
    stored=$((stored + batch))
  done
  psql -qc "ANALYZE customs_lines"
  flagged=$(psql -Atqc "SELECT count(*) FROM customs_lines WHERE review_state = 'open' AND risk_score > 0")
  echo "work list at $stored stored lines ($flagged flagged), $requests sequential requests each:"
  python3 bench/customs/worklist.py "$TRACEMARK_URLS" "$key" "$requests"
done
