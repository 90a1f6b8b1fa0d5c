#!/usr/bin/env bash
# Runs every test project against real PostgreSQL (and Chromium for the browser tests), prints a
# summary and exits non-zero on any failure. Pass a filter to run some tests only:
#   ./test.sh --filter "FullyQualifiedName~Migrator"
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_dotnet
ensure_packages "${RUNTIME_PACKAGES[@]}" chromium openssl # openssl: the ledger tests check signatures with it, as docs/ledger.md tells verifiers to

# Tests must fail, never skip, when what they need is missing.
export CI="${CI:-true}"
export TRACEMARK_CHROMIUM="${TRACEMARK_CHROMIUM:-$(command -v chromium)}"

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
log="$results/test.log"

say "Building…"
dotnet build Tracemark.slnx --nologo -v quiet -clp:ErrorsOnly

status=0
dotnet test Tracemark.slnx --no-build --nologo --results-directory "$results" "$@" 2>&1 | tee "$log" || status=$?

echo
echo "================ Summary ================"
grep -E '^(Passed|Failed)!' "$log" | sed -E 's/ +- +/ - /' || true
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "Total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
if [ "$status" -ne 0 ]; then
  echo "FAILED (exit $status)"
else
  echo "ALL TESTS PASSED"
fi
exit "$status"
