#!/usr/bin/env bash
# Helpers for stage scripts: logging, simulation, package installation.

# log MESSAGE...: a timestamped line on stdout (captured in run-N-output.log).
log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

# simulated: true when kernels and packages must not really be installed (PULLAB_SIMULATE=1: local runs, tests).
simulated() {
  [ "${PULLAB_SIMULATE:-0}" = 1 ]
}

# privileged COMMAND...: runs COMMAND as root (sudo when not root); under simulation only logs it.
privileged() {
  if simulated; then
    log "SIMULATED: $*"
    return 0
  fi
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

# install_test_dependencies [FILE]: installs the packages listed in FILE (default dependencies.txt), one per line,
# '#' comments and blank lines ignored, with dnf, yum or apt-get, whichever the VM has.
install_test_dependencies() {
  local file="${1:-dependencies.txt}" packages=()
  [ -f "$file" ] || return 0
  mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$file")
  [ "${#packages[@]}" -gt 0 ] || return 0
  if command -v dnf >/dev/null; then
    privileged dnf install -y "${packages[@]}"
  elif command -v yum >/dev/null; then
    privileged yum install -y "${packages[@]}"
  elif command -v apt-get >/dev/null; then
    privileged apt-get install -y "${packages[@]}"
  else
    log "no package manager found to install: ${packages[*]}"
    return 1
  fi
}

# download URL FILE: fetches an artifact with retries (http(s) or s3:// through the aws CLI).
download() {
  local url="$1" file="$2"
  case "$url" in
    s3://*) aws s3 cp --only-show-errors "$url" "$file" ;;
    http://*|https://*|file://*) curl --fail --silent --show-error --location --retry 5 --retry-delay 5 -o "$file" "$url" ;;
    *) echo "download: unsupported URL '$url'" >&2; return 2 ;;
  esac
}
