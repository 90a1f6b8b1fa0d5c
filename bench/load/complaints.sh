#!/usr/bin/env bash
# Complaints (issue 6), two figures:
#  1. notices accepted per second through the API with screening on: POST /api/v1/complaints/notices, each a new
#     listing with the holder's mark in its title and snapshot (screened, hits attached, snapshot stored as a blob),
#     a new Idempotency-Key, 32 concurrent clients (wrk);
#  2. the deadline sweep over 1,000,000 open notices whose restore period has ended: the notices (each with one
#     listing) are inserted in one transaction, then the server's own sweep (every minute) restores them; its log
#     line gives the time.
#   bench/load/complaints.sh [seconds] [notices-for-the-sweep]      (needs wrk: apt-get install wrk)
#  0 notices for the sweep stops after the first figure. The first also gives the CPU time the server and
#  PostgreSQL spent per notice, the steadier figure on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-20}
sweep_notices=${2:-1000000}
port=${BENCH_PORT:-5193} # BENCH_PORT: another port, so two runs can share the machine
work=$(mktemp -d /tmp/tracemark-load.XXXXXX)
chmod 755 "$work"
export TRACEMARK_DATA="$work/data" TRACEMARK_URLS="http://127.0.0.1:$port"

# TRACEMARK_APP=<folder of a published build> runs that build instead (to compare two builds back to back).
# BENCH_PG_STATEMENTS=1: pg_stat_statements loaded (planning tracked) and the filing run's statements listed by
# plan + execution time per filing (the cluster is started for this run only with these settings, after any
# TRACEMARK_BENCH_PG_OPTIONS of the caller's, such as -c plan_cache_mode=force_generic_plan).
if [ "${BENCH_PG_STATEMENTS:-0}" = 1 ]; then
  export TRACEMARK_BENCH_PG_OPTIONS="${TRACEMARK_BENCH_PG_OPTIONS:-} -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on -c pg_stat_statements.max=5000"
fi
app=${TRACEMARK_APP:-$work/app}
[ -n "${TRACEMARK_APP:-}" ] || dotnet publish src/Tracemark.Cli/Tracemark.Cli.csproj -c Release -o "$app" --nologo -v quiet
env "Logging__LogLevel__Tracemark.Requests=Warning" dotnet "$app/tracemark.dll" serve --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "$TRACEMARK_URLS/healthz" >/dev/null; do sleep 0.2; done

northwind=00000000-0000-7000-8000-000000000109
export PLATFORM_ID=00000000-0000-7000-8000-000000000108
TRACEMARK_KEY=$(python3 -c "import json; print([o for o in json.load(open('$TRACEMARK_DATA/demo-credentials.json'))['organisations'] if o.get('name')=='Northwind Apparel Co., Ltd.'][0]['apiKey'])")
export TRACEMARK_KEY
psql_owner() {
  local port_pg password
  port_pg=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/server.log" | tail -1 | cut -d: -f2)
  password=$(cat "$TRACEMARK_DATA/postgres.password")
  PGPASSWORD=$password psql -qAt -h 127.0.0.1 -p "$port_pg" -U tracemark -d tracemark -c "$1"
}
read -r RIGHT_ID MARK < <(psql_owner "SELECT id || ' ' || name FROM rights WHERE owner_org_id = '$northwind' AND type = 'trademark' AND status = 'registered'
  AND (expires_on IS NULL OR expires_on > now()) AND name ~ '^[A-Za-z]+$' ORDER BY name LIMIT 1")
export RIGHT_ID MARK
echo "holder $northwind, right $RIGHT_ID ($MARK), platform $PLATFORM_ID"

# One notice by hand: screened, hits attached.
curl -sf -X POST "$TRACEMARK_URLS/api/v1/complaints/notices" -H "Authorization: Bearer $TRACEMARK_KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: warm-$(date +%s)" -d "{\"platformId\":\"$PLATFORM_ID\",\"kind\":\"counterfeit\",\"rightIds\":[\"$RIGHT_ID\"],\"listings\":[{\"listingId\":\"warm\",\"url\":\"https://www.shopwell.example/item/warm\",\"sellerId\":\"s\",\"title\":\"$MARK replica\"}],\"goodFaith\":true,\"signature\":\"x\"}" \
  | python3 -c 'import json,sys; n=json.load(sys.stdin); print("screening hits on the first listing:", len(n["listings"][0]["hits"]))'

# Warm the JIT and the pools, then measure.
RUN_ID=warm wrk -t2 -c8 -d5s -s bench/load/file-notice.lua "$TRACEMARK_URLS" >/dev/null
# CPU time (user + system) of the server and of the embedded PostgreSQL (postmaster and its backends), in ms:
# the steadier figure on a shared machine, divided by the notices filed during the run.
cpu_ms() {
  local postmaster pids
  postmaster=$(pgrep -f -- "-D $TRACEMARK_DATA/" | head -1)
  pids="$1"
  [ "$1" = postgres ] && pids="$postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"
  # shellcheck disable=SC2086
  # A backend that ends between pgrep and cat (an autovacuum worker) is skipped, not an error that stops the script.
  for p in $pids; do cat "/proc/$p/stat" 2>/dev/null || true; done | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print int(t * 1000 / hz) }'
}
notices_before=$(psql_owner 'SELECT count(*) FROM complaint_notices')
[ "${BENCH_PG_STATEMENTS:-0}" = 1 ] && psql_owner "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
server_cpu=$(cpu_ms "$server"); pg_cpu=$(cpu_ms postgres)
echo "== file notices (POST /api/v1/complaints/notices, screening on), 32 connections, ${duration}s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
RUN_ID=run$(date +%s) wrk -t2 -c32 -d"${duration}s" --latency -s bench/load/file-notice.lua "$TRACEMARK_URLS" | grep -E 'Requests/sec|50%|90%|99%|STATUS|requests in'
server_cpu=$(( $(cpu_ms "$server") - server_cpu )); pg_cpu=$(( $(cpu_ms postgres) - pg_cpu ))
notices=$(psql_owner 'SELECT count(*) FROM complaint_notices')
filed=$(( notices - notices_before ))
echo "notices in the table: $notices; filed in the run: $filed; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$filed" -gt 0 ] && python3 -c "print(f'CPU per filing: server {$server_cpu / $filed:.2f} ms, PostgreSQL {$pg_cpu / $filed:.2f} ms, total {($server_cpu + $pg_cpu) / $filed:.2f} ms')"
if [ "${BENCH_PG_STATEMENTS:-0}" = 1 ] && [ "$filed" -gt 0 ]; then
  echo "== statements of the run by plan + execution time per filing (ms); calls per notices insert (= per batch); top level and nested"
  psql_owner "CREATE TEMP VIEW s AS SELECT toplevel, calls, total_plan_time + total_exec_time AS t, total_plan_time AS p, rows, shared_blks_hit + shared_blks_read AS blks,
      regexp_replace(left(query, 110), '\s+', ' ', 'g') AS q FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database());
    SELECT 'batches: ' || (SELECT sum(calls) FROM s WHERE q LIKE 'INSERT INTO complaint_notices %' AND toplevel);
    SELECT to_char(t / $filed, 'FM0.0000') || ' | plan ' || to_char(p / $filed, 'FM0.0000') || ' | calls/batch ' ||
      to_char(calls::numeric / NULLIF((SELECT sum(calls) FROM s WHERE q LIKE 'INSERT INTO complaint_notices %' AND toplevel), 0), 'FM990.00') ||
      ' | blks/filing ' || to_char(blks::numeric / $filed, 'FM9990.0') || ' | ' || CASE WHEN toplevel THEN 'top' ELSE 'nested' END || ' | ' || q
    FROM s ORDER BY t DESC LIMIT 45;
    SELECT 'top-level total per filing: ' || to_char(sum(t) / $filed, 'FM0.0000') || ' ms, statements per batch: ' ||
      to_char(sum(calls)::numeric / NULLIF((SELECT sum(calls) FROM s WHERE q LIKE 'INSERT INTO complaint_notices %' AND toplevel), 0), 'FM990.0') FROM s WHERE toplevel"
fi
if [ "$sweep_notices" -eq 0 ]; then
  exit 0
fi

echo "== deadline sweep over $sweep_notices open notices past their restore date"
start=$(date +%s.%N)
psql_owner "
BEGIN;
CREATE TEMP TABLE sweep_ids ON COMMIT DROP AS SELECT tm_uuid7(now() - interval '30 days' + g * interval '1 millisecond') AS id, g FROM generate_series(1, $sweep_notices) g;
INSERT INTO complaint_notices (id, complainant_org_id, holder_org_id, platform_org_id, jurisdiction, kind, state, good_faith_statement, signature,
    measure, measure_reasons, decided_at, review_due_at, counter_notice_at, forward_due_at, forwarded_at, restore_not_before, restore_latest,
    next_timer_at, counter_statement, counter_seller_name, counter_seller_contact, counter_via, created_at, updated_at)
SELECT id, '$northwind', '$northwind', '$PLATFORM_ID', 'CN', 'counterfeit', 'counter_notice_forwarded', 'good faith', 'bench',
    'remove', 'counterfeit', now() - interval '20 days', now() - interval '29 days', now() - interval '18 days', now() - interval '17 days',
    now() - interval '17 days', now() - interval '2 days', now() - interval '2 days', now() - interval '2 days', 'genuine', 'seller', 's@example.com',
    'platform', now() - interval '30 days', now() - interval '17 days'
FROM sweep_ids;
INSERT INTO complaint_listings (id, platform_org_id, listing_key, open_notice_id, first_seen_at)
SELECT id, '$PLATFORM_ID', 'sweep-' || g, id, now() - interval '30 days' FROM sweep_ids;
INSERT INTO complaint_notice_listings (notice_id, position, listing_id, listing_ref, url, seller_id, title)
SELECT id, 0, id, 'sweep-' || g, 'https://www.shopwell.example/item/sweep-' || g, 'shop-' || (g % 5000), 'Sweep listing ' || g FROM sweep_ids;
-- Since 0052 the sweep finds due notices in complaint_timers, which the server keeps with each notice it writes;
-- since 0058 the notices' insert writes them itself (nothing is added here), and builds before 0052 have no such
-- table: the same script measures all three.
DO \$\$ BEGIN
  IF to_regclass('complaint_timers') IS NOT NULL THEN
    EXECUTE 'INSERT INTO complaint_timers (notice_id, state, due_at) SELECT n.id, n.state, n.next_timer_at FROM complaint_notices n JOIN sweep_ids s ON s.id = n.id ON CONFLICT (notice_id) DO NOTHING';
  END IF;
END \$\$;
COMMIT;"
echo "inserted in $(python3 -c "import time; print(round(time.time() - $start, 1))") s; waiting for the server's sweep (every minute)"
# CPU of the server and of PostgreSQL (autovacuum included) from the end of the insert to the sweep's log line:
# steadier than the sweep's wall time on a shared machine.
server_cpu=$(cpu_ms "$server"); pg_cpu=$(cpu_ms postgres)
until grep -q "Complaint sweep: [0-9]\{6,\} restored" "$work/server.log"; do sleep 2; done
echo "CPU from the insert's end to the sweep's end: server $(( $(cpu_ms "$server") - server_cpu )) ms, PostgreSQL $(( $(cpu_ms postgres) - pg_cpu )) ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
grep "Complaint sweep:" "$work/server.log" | tail -3
echo "left open past their date: $(psql_owner "SELECT count(*) FROM complaint_notices WHERE state = 'counter_notice_forwarded' AND next_timer_at <= now()")"
# Whether the notices' updates were HOT (no new index entries): counted since the server started.
echo "complaint_notices updates, HOT of all: $(psql_owner "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables WHERE relname = 'complaint_notices'")"
