#!/usr/bin/env bash
# Starts Tracemark: installs what is missing, builds, starts the embedded PostgreSQL, migrates,
# loads the demo data into an empty database and serves http://127.0.0.1:5080 (TRACEMARK_URLS).
# Data lives in TRACEMARK_DATA (default ./.tracemark). Ctrl-C or SIGTERM stops everything.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_dotnet
if [ -z "${TRACEMARK_DATABASE:-}${ConnectionStrings__Tracemark:-}" ]; then
  ensure_packages "${RUNTIME_PACKAGES[@]}"
fi

app=artifacts/tracemark
stamp=$app/.built-from-sources
# Rebuild only when a source changed: a warm start must not pay for a build.
if [ ! -f "$stamp" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props global.json -newer "$stamp" -type f -print -quit)" ]; then
  say "Building Tracemark…"
  dotnet publish src/Tracemark.Cli/Tracemark.Cli.csproj -c Release -o "$app" --nologo -v quiet
  touch "$stamp"
fi

export TRACEMARK_DATA="${TRACEMARK_DATA:-$PWD/.tracemark}"
url="${TRACEMARK_URLS:-http://127.0.0.1:5080}"
say "Tracemark will listen on ${url%%;*} (data: $TRACEMARK_DATA)"
say "Sign in at ${url%%;*}/login with a user from $TRACEMARK_DATA/demo-credentials.json (written on the first start)"

# exec: Ctrl-C and SIGTERM reach the server itself, which stops the PostgreSQL it started.
exec dotnet "$app/tracemark.dll" serve --demo
