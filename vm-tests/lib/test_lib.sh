#!/usr/bin/env bash
# Helpers for stage scripts: logging, simulation, package installation.

# The benchmark CSV contract the analyzer reads (benchmark-base*.csv, benchmark-tip*.csv), one row per metric: the
# header of lib/unixbench.sh's and lib/pgbench.sh's CSVs.
# shellcheck disable=SC2034 # read by the files that source this one
BENCHMARK_CSV_HEADER="metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch"

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

# download URL FILE: fetches a file with retries over https only (http too when PULLAB_ALLOW_HTTP=1), redirects
# included (at most 5, same protocols); file://, s3:// and every other scheme are refused. KernelCI job artifacts go
# through kci_download (lib/kernelci.sh), which also checks the host of every hop against the artifact URL policy.
download() {
  local url="$1" file="$2" proto=https
  [ "${PULLAB_ALLOW_HTTP:-0}" != 1 ] || proto="http,https"
  case "${url,,}" in
    https://*) ;;
    http://*)
      if [ "$proto" = https ]; then
        echo "download: refusing plain http (https only; PULLAB_ALLOW_HTTP=1 allows http)" >&2
        return 2
      fi ;;
    *) echo "download: unsupported URL scheme (https only): ${url%%:*}" >&2; return 2 ;;
  esac
  curl --fail --silent --show-error --location --max-redirs 5 --proto "=$proto" --proto-redir "=$proto" \
    --retry 5 --retry-delay 5 -o "$file" "$url"
}

# test_param NAME: the test parameter NAME (a config's test_params key, upper-cased as pullab_cloud exports it): the
# environment's value, else the one in params.env ($PULLAB_PARAMS_ENV, default ./params.env) when that file sets it;
# empty when neither does. NAME must be a shell variable name.
test_param() {
  local name="$1" file="${PULLAB_PARAMS_ENV:-params.env}"
  if ! [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "test_param: '$name' is not a variable name" >&2
    return 2
  fi
  if [ -n "${!name:-}" ]; then
    printf '%s\n' "${!name}"
  elif [ -f "$file" ]; then
    # shellcheck source=/dev/null
    (source "$file" >/dev/null 2>&1; printf '%s\n' "${!name:-}")
  fi
}
