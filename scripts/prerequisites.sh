# Sourced by run.sh and test.sh: finds or installs what Tracemark needs on Debian 12.
# Installs with apt-get when root, with sudo when allowed without a password; otherwise says exactly what to install.

say() { printf '%s\n' "$*" >&2; }

# Debian packages the product needs at run time (the word lists tell ordinary words from lookalikes of marks; those of
# the other languages tell a word of Spanish, French, … from a mark mistyped: screening runs without them, flagging more).
RUNTIME_PACKAGES=(postgresql wamerican wbritish wspanish wfrench witalian wngerman wportuguese wdutch)

apt_install() {
  local packages=("$@")
  local runner=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      runner=(sudo -n)
    else
      say "tracemark: missing Debian packages: ${packages[*]}"
      say "tracemark: install them with: sudo apt-get install -y ${packages[*]}   (then run this script again)"
      exit 1
    fi
  fi
  say "Installing ${packages[*]} from Debian…"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${runner[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null 2>&1; then
    "${runner[@]}" apt-get update -qq >/dev/null 2>&1 || true
    if ! "${runner[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null; then
      say "tracemark: could not install ${packages[*]}; install them by hand: sudo apt-get install -y ${packages[*]}"
      exit 1
    fi
  fi
}

have_postgres_server() {
  local bindir
  bindir=$(pg_config --bindir 2>/dev/null || true)
  [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

# ensure_packages pkg…: installs the Debian packages among those given that are not installed yet.
ensure_packages() {
  local missing=()
  local package
  for package in "$@"; do
    case "$package" in
      postgresql) have_postgres_server || missing+=(postgresql) ;;
      chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
      *) dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    say "tracemark: the .NET SDK 10 is missing: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian), then run this script again"
    exit 1
  fi
}
