#!/usr/bin/env bash
# Screening speed beside its peers, in one run (issue 5, item 6):
#   - the engine, exact-only and full, on one thread, with every name in brands.csv (15,048 marks) and with
#     100,000 marks (brands.csv plus generated names): MB/s and titles/s per core, build time, peak memory;
#   - ripgrep (Debian's rg 13): `rg -F -o -f marks.txt corpus.txt` on the same lower-cased corpus, every occurrence;
#   - PostgreSQL pg_trgm: word_similarity (`mark <% title`) of every mark against a sample of the titles, with a
#     GIN trigram index on the titles, in a throwaway cluster started here with pg_ctl as the postgres user.
# The corpus is the real titles of ../shared/data, lower-cased and repeated to about 64 MB.
# Usage: bench/screening-peers.sh [runs]   (default 3 runs of each measurement; prerequisites installed)
#        ONLY=engine|ripgrep|pg bench/screening-peers.sh [runs]   to run one of the three
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
only=${ONLY:-all}
if [ ! -d ../shared/data ]; then
  echo "SKIPPED: the real data sets (../shared/data relative to the repository root) are not there."
  exit 0
fi

work=$(mktemp -d /tmp/tracemark-screening-peers.XXXXXX)
chmod 755 "$work"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cleanup() {
  if [ -f "$work/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# sed, not head: head closes the pipe after one line and rg reports the broken pipe.
echo "dotnet $(dotnet --version), $(rg --version | sed -n 1p), $("$pgbin/postgres" --version)"

dotnet build bench/Tracemark.Benchmarks -c Release --nologo -v quiet -clp:ErrorsOnly
# The CLI and server ship with tiered compilation without PGO (src/Tracemark.Cli/Tracemark.Cli.csproj); the engine is
# measured the same way unless the caller says otherwise.
export DOTNET_TieredPGO="${DOTNET_TieredPGO:-0}"
bench="dotnet bench/Tracemark.Benchmarks/bin/Release/net10.0/Tracemark.Benchmarks.dll throughput"
$bench prepare "$work"
size=$(stat -c %s "$work/corpus.txt")
lines=$(wc -l <"$work/corpus.txt")

if [ "$only" = all ] || [ "$only" = engine ]; then
echo "== engine (one thread; cpu = process CPU time while screening)"
for marks in 15048 100000; do
  for mode in exact full; do
    for run in $(seq 1 "$runs"); do
      $bench run "$work/corpus.txt" "$marks" "$mode"
    done
  done
done
fi

if [ "$only" = all ] || [ "$only" = ripgrep ]; then
echo "== ripgrep: rg -F -o -f marks.txt corpus.txt | wc -l (user CPU time, peak RSS)"
for run in $(seq 1 "$runs"); do
  /usr/bin/time -f "%U %e %M" -o "$work/rg.time" rg -F -o -f "$work/marks.txt" "$work/corpus.txt" | wc -l >"$work/rg.count"
  read -r user wall rss <"$work/rg.time"
  awk -v s="$size" -v l="$lines" -v u="$user" -v w="$wall" -v r="$rss" -v c="$(cat "$work/rg.count")" \
    'BEGIN { printf "ripgrep user=%.2fs wall=%.2fs MB/s/core=%.1f titles/s/core=%.0f matches=%d peakRSS=%.0fMiB\n", u, w, s/1e6/u, l/u, c, r/1024 }'
done
fi

[ "$only" = all ] || [ "$only" = pg ] || exit 0
echo "== PostgreSQL pg_trgm: mark <% title (word_similarity >= 0.6, the default threshold), one worker, two ways"
echo "   a) as the issue puts it, each title against the marks with a GIN trigram index on the marks (first 200 titles of the sample)"
echo "   b) all marks against the sample of every 8th title in one join, with the GIN trigram index on the titles"
mkdir "$work/pg" && chown postgres "$work/pg" && chmod 755 "$work"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -o "-k $work/pg -c listen_addresses='' -c shared_buffers=256MB" -l "$work/pg/log" -w start >/dev/null
head -200 "$work/sample.txt" >"$work/sample200.txt"
chmod 644 "$work/marks.txt" "$work/sample.txt" "$work/sample200.txt"
psql=(runuser -u postgres -- psql -h "$work/pg" -d postgres -q -v ON_ERROR_STOP=1 -X)
"${psql[@]}" <<SQL
CREATE EXTENSION pg_trgm;
CREATE TABLE marks (name text NOT NULL);
CREATE TABLE titles (id serial PRIMARY KEY, title text NOT NULL);
CREATE TABLE few (id serial PRIMARY KEY, title text NOT NULL);
\copy marks (name) FROM '$work/marks.txt' WITH (FORMAT text)
\copy titles (title) FROM '$work/sample.txt' WITH (FORMAT text)
\copy few (title) FROM '$work/sample200.txt' WITH (FORMAT text)
CREATE INDEX marks_trgm ON marks USING gin (name gin_trgm_ops);
CREATE INDEX titles_trgm ON titles USING gin (title gin_trgm_ops);
ANALYZE marks; ANALYZE titles; ANALYZE few;
SQL
timed() { # $1 = label, $2 = table, $3 = query; prints titles/s and MB/s of that table
  local bytes count ms
  bytes=$("${psql[@]}" -t -A -c "SELECT sum(octet_length(title) + 1) FROM $2")
  count=$("${psql[@]}" -t -A -c "SELECT count(*) FROM $2")
  for run in $(seq 1 "$runs"); do
    ms=$(printf '%s\n' '\timing on' 'SET max_parallel_workers_per_gather = 0;' "$3" | "${psql[@]}" -t -A | awk '/^Time:/ {print $2}' | tail -1)
    awk -v label="$1" -v b="$bytes" -v l="$count" -v ms="$ms" \
      'BEGIN { printf "pg_trgm %s titles=%d time=%.2fs MB/s=%.4f titles/s=%.1f\n", label, l, ms/1000, b/1e6/(ms/1000), l/(ms/1000) }'
  done
}
timed "a) index on marks" few "SELECT count(*) FROM few t JOIN marks m ON m.name <% t.title;"
timed "b) index on titles" titles "SELECT count(*) FROM marks m JOIN titles t ON m.name <% t.title;"
