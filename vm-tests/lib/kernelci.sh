#!/usr/bin/env bash
# Helpers for the KernelCI tests (kernelci-boot, kernelci-ltp, kernelci-kselftest).
# Source after lib/test_lib.sh (log, simulated, privileged, download) and lib/results.sh (result_add, result_write).
#
#   kci_load_params                          # sources params.env ($PULLAB_PARAMS_ENV, default ./params.env), then
#                                            # fills empty PULLAB_* names from pullab_cloud's (kci_seed_params)
#   kci_ltp_params_from_tests                # PULLAB_LTP_* from PULL_LABS_TESTS_JSON (pullab_cloud's test list)
#   kci_require RESULT_PATH VAR...           # exit 2 (RESULT_PATH = error, results.json written) when a VAR is empty
#   kci_error_exit RESULT_PATH CODE MSG...   # RESULT_PATH = error, results.json written, exit CODE
#   kci_download URL FILE [CURL_ARG...]      # a job artifact under the artifact URL policy (kci_url_check)
#   kci_fetch RESULT_PATH URL FILE [MAX_BYTES [MAX_S]]  # kci_download bounded in size and time, or exit 1
#   kci_url_shown URL                        # URL without its user info, for logs
#   kci_install_kernel RESULT_PATH [modules-optional]  # stage "install the job's kernel for the next boot only"
#   kci_image_version IMAGE                  # the kernel version an image (bzImage, Image, Image.gz) names
#   kci_check_kernel                         # after the reboot: did the job's kernel boot?
#   kci_report_boot UPTIME_MS                # ... as results.json boot = pass/fail and boot-result.txt
#   ltp_results_to_results LOGFILE [PREFIX]  # runltp results log  -> result_add ltp.<testcase> ...
#   kirk_report_to_results REPORT [PREFIX]   # kirk JSON report    -> result_add ltp.<testcase> ...
#   kci_run_ltp                              # LTP (PULLAB_LTP_*) from the VM or the job's rootfs -> ltp.<testcase>
#   kselftest_tap_to_results TAPFILE COLLECTION  # run_kselftest.sh TAP -> result_add kselftest.<collection>.<test> ...

# Number of results the last *_to_results call added.
KCI_RESULTS_COUNT=0

# kci_load_params: sources the job parameters (shell-quoted PULLAB_* assignments) when the file exists.
kci_load_params() {
  local file="${PULLAB_PARAMS_ENV:-params.env}"
  if [ -f "$file" ]; then
    log "job parameters from $file"
    # shellcheck source=/dev/null
    source "$file"
  else
    log "no $file: job parameters only from the environment"
  fi
  kci_seed_params
}

# kci_seed_params: a job parameter pullab_cloud's stage scripts read (KERNEL_URL, MODULES_URL, ROOTFS_URL,
# KERNELCI_NODE_ID, from the environment or params.env) fills the PULLAB_* name it stands for when that one is empty,
# so a job set up the pullab_cloud way runs unchanged. When both are set and differ the PULLAB_* name wins (logged).
kci_seed_params() {
  local pair ours theirs
  for pair in PULLAB_KERNEL_URL:KERNEL_URL PULLAB_MODULES_URL:MODULES_URL PULLAB_ROOTFS_URL:ROOTFS_URL \
      PULLAB_JOB_NODE_ID:KERNELCI_NODE_ID; do
    ours="${pair%%:*}"
    theirs="${pair#*:}"
    [ -n "${!theirs:-}" ] || continue
    if [ -z "${!ours:-}" ]; then
      printf -v "$ours" '%s' "${!theirs}"
      export "${ours?}"
      log "$ours from $theirs: $(kci_url_shown "${!ours}")"
    elif [ "${!ours}" != "${!theirs}" ]; then
      log "WARNING: $ours and $theirs differ: using $ours ($(kci_url_shown "${!ours}"))"
    fi
  done
}

# kci_ltp_params_from_tests: when PULLAB_LTP_CMDFILES is empty, the LTP parameters of pullab_cloud's
# PULL_LABS_TESTS_JSON (a JSON list of the job's tests {id, type, parameters, timeout_s}; parameters a string
# "tst_cmdfiles=a,b skipfile=x workers=max" or an object): the command files of every test of type ltp (in order, once
# each) into PULLAB_LTP_CMDFILES, the first skipfile / workers into PULLAB_LTP_SKIPFILE / PULLAB_LTP_WORKERS when those
# are empty, the first timeout_s into PULLAB_TEST_TIMEOUT_S when that is empty. A list over 64 KiB or not JSON is
# ignored with a warning. Needs python3.
kci_ltp_params_from_tests() {
  local json="${PULL_LABS_TESTS_JSON:-}" parsed key value
  [ -z "${PULLAB_LTP_CMDFILES:-}" ] || return 0
  [ -n "$json" ] || return 0
  if [ "${#json}" -gt 65536 ]; then
    log "WARNING: PULL_LABS_TESTS_JSON is over 64 KiB (${#json} characters): ignored"
    return 0
  fi
  parsed="$(printf '%s' "$json" | python3 -c '
import json, re, sys
try:
    tests = json.load(sys.stdin)
except ValueError as e:
    sys.exit("not JSON: %s" % e)
if not isinstance(tests, list):
    sys.exit("not a JSON list of tests")
out = {"cmdfiles": []}
for t in tests:
    if not isinstance(t, dict) or t.get("type") != "ltp":
        continue
    p = t.get("parameters") or ""
    if isinstance(p, str):
        p = dict(kv.split("=", 1) for kv in p.split() if "=" in kv)
    if not isinstance(p, dict):
        continue
    for f in str(p.get("tst_cmdfiles") or "").split(","):
        if f and f not in out["cmdfiles"]:
            out["cmdfiles"].append(f)
    for name in ("skipfile", "workers"):
        if p.get(name) and name not in out:
            out[name] = str(p[name])
    if isinstance(t.get("timeout_s"), int) and t["timeout_s"] > 0 and "timeout_s" not in out:
        out["timeout_s"] = str(t["timeout_s"])
safe = re.compile(r"^[A-Za-z0-9._:/?=&%~+@-]{1,2048}$")
for key in ("skipfile", "workers", "timeout_s"):
    if key in out and safe.match(out[key]):
        print(key, out[key])
files = [f for f in out["cmdfiles"] if re.match(r"^[A-Za-z0-9._-]{1,128}$", f)]
if files:
    print("cmdfiles", ",".join(files))
')" || { log "WARNING: PULL_LABS_TESTS_JSON cannot be used: ignored"; return 0; }
  while read -r key value; do
    case "$key" in
      cmdfiles) export PULLAB_LTP_CMDFILES="$value" ;;
      skipfile) [ -n "${PULLAB_LTP_SKIPFILE:-}" ] || export PULLAB_LTP_SKIPFILE="$value" ;;
      workers) [ -n "${PULLAB_LTP_WORKERS:-}" ] || export PULLAB_LTP_WORKERS="$value" ;;
      timeout_s) [ -n "${PULLAB_TEST_TIMEOUT_S:-}" ] || export PULLAB_TEST_TIMEOUT_S="$value" ;;
    esac
  done <<< "$parsed"
  log "LTP parameters from PULL_LABS_TESTS_JSON: command files '${PULLAB_LTP_CMDFILES:-}', skip file '${PULLAB_LTP_SKIPFILE:-}', workers '${PULLAB_LTP_WORKERS:-}'"
}

# kci_error_exit RESULT_PATH CODE MESSAGE...: reports RESULT_PATH as error, writes results.json and exits with CODE.
kci_error_exit() {
  local path="$1" code="$2"
  shift 2
  log "ERROR: $*"
  result_add "$path" error
  kci_quiet result_write results.json
  exit "$code"
}

# kci_require RESULT_PATH VAR...: exit 2 with RESULT_PATH = error when one of the variables is empty.
kci_require() {
  local path="$1" var missing=()
  shift
  for var in "$@"; do
    [ -n "${!var:-}" ] || missing+=("$var")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  kci_error_exit "$path" 2 "required job parameter(s) empty: ${missing[*]} (check params.env)"
}

# kci_component TEXT: one result path component: every character outside [A-Za-z0-9_-] (dots too) becomes '_'.
kci_component() {
  local s="$1"
  s="${s//[^A-Za-z0-9_-]/_}"
  printf '%s' "${s:-_}"
}

# kci_url_name URL [DEFAULT]: the file name at the end of URL (no query), DEFAULT when there is none.
kci_url_name() {
  local name="${1%%[?#]*}"
  name="${name%/}"
  name="${name##*/}"
  case "$name" in ''|.|..) name="${2:-artifact}" ;; esac
  printf '%s' "$name"
}

# kci_fetch RESULT_PATH URL FILE [MAX_BYTES [MAX_S]]: kci_download with retries, bounded: at most MAX_BYTES (default
# 4 GiB: curl --max-filesize, and a file size limit on the transfer for servers that do not announce a size) and MAX_S
# seconds per attempt (default 1800). Any failure reports RESULT_PATH as error and exits 1.
kci_fetch() {
  local path="$1" url="$2" file="$3" max_bytes="${4:-4294967296}" max_s="${5:-1800}" shown rc=0
  shown="$(kci_url_shown "$url")"
  log "downloading $shown -> $file (at most $max_bytes bytes, ${max_s}s an attempt)"
  mkdir -p "$(dirname "$file")"
  # ulimit -f counts 1024-byte blocks; a transfer past it is stopped by SIGXFSZ (status 153)
  (ulimit -f "$(( max_bytes / 1024 + 1 ))"
   kci_download "$url" "$file" --retry 5 --retry-delay 5 --max-filesize "$max_bytes" --max-time "$max_s") || rc=$?
  if [ "$rc" = 0 ] && [ "$(wc -c < "$file")" -gt "$max_bytes" ]; then
    rc=63
  fi
  case "$rc" in
    0) ;;
    63|153) rm -f "$file"; kci_error_exit "$path" 1 "download of $shown failed: larger than $max_bytes bytes" ;;
    28) rm -f "$file"; kci_error_exit "$path" 1 "download of $shown failed: not done within ${max_s}s" ;;
    *) rm -f "$file"; kci_error_exit "$path" 1 "download of $shown failed" ;;
  esac
  log "downloaded $file ($(wc -c < "$file") bytes)"
}

# ------------------------------------------------------------------------------------------ artifact URL policy
# The VM's half of the lab's artifact URL policy (core's ArtifactUrlPolicy refuses a job whose URLs break it; the VM
# checks again because a public name may resolve to a private address, and because a redirect may go anywhere):
# https only (http too with PULLAB_ALLOW_HTTP=1), no user info, no internal host name, no IPv4 address in a
# non-canonical spelling, and every address the host resolves to public, or in a range of PULLAB_ALLOW_PRIVATE_URLS
# (comma-separated CIDR ranges, e.g. 10.20.0.0/16,127.0.0.1/32).

# Why the last kci_url_check refused its URL, and the curl --resolve pin (host:port:addresses) of an accepted name.
KCI_URL_REFUSAL=""
KCI_URL_RESOLVE=""

# kci_url_shown URL: URL with its user info (credentials) replaced by <user info>.
kci_url_shown() {
  printf '%s' "$1" | sed -E 's|^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@|\1<user info>@|'
}

# kci_download URL FILE [CURL_ARG...]: fetches URL to FILE when kci_url_check accepts it; redirects are followed here,
# at most 5, each target checked the same way, and the transfer goes to the addresses checked (--resolve). Returns
# 0, 2 when a URL is refused (why on stderr), 47 after too many redirects, or curl's status.
kci_download() {
  local url="$1" file="$2" proto=https hop out code rc
  shift 2
  [ "${PULLAB_ALLOW_HTTP:-0}" != 1 ] || proto="http,https"
  for hop in 0 1 2 3 4 5; do
    if ! kci_url_check "$url"; then
      echo "download: refused $(kci_url_shown "$url"): $KCI_URL_REFUSAL" >&2
      return 2
    fi
    local pin=()
    [ -z "$KCI_URL_RESOLVE" ] || pin=(--resolve "$KCI_URL_RESOLVE")
    rc=0
    out="$(curl --fail --silent --show-error --max-redirs 0 --proto "=$proto" --proto-redir "=$proto" "${pin[@]}" \
      --write-out '%{http_code} %{redirect_url}' "$@" -o "$file" "$url")" || rc=$?
    [ "$rc" = 0 ] || return "$rc"
    code="${out%% *}"
    case "$code" in
      3[0-9][0-9]) ;;
      *) return 0 ;;
    esac
    url="${out#* }"
    if [ -z "$url" ] || [ "$url" = "$out" ]; then
      echo "download: HTTP $code without a Location (after $hop redirects)" >&2
      return 22
    fi
  done
  echo "download: more than 5 redirects" >&2
  return 47
}

# kci_url_check URL: 0 when a job artifact may be fetched from URL (setting KCI_URL_RESOLVE for a host name), else 1
# with KCI_URL_REFUSAL saying why. Resolves the host (getent ahosts).
kci_url_check() {
  local url="$1" lower rest authority host port tail literal=0 addrs=() addr kind pinned=()
  KCI_URL_REFUSAL=""
  KCI_URL_RESOLVE=""
  lower="${url,,}"
  case "$lower" in
    https://*) port=443 ;;
    http://*)
      if [ "${PULLAB_ALLOW_HTTP:-0}" != 1 ]; then
        KCI_URL_REFUSAL="plain http (https only; PULLAB_ALLOW_HTTP=1 allows http)"
        return 1
      fi
      port=80 ;;
    *) KCI_URL_REFUSAL="not an https URL"; return 1 ;;
  esac
  rest="${url#*://}"
  authority="${rest%%[/?#]*}"
  case "$authority" in
    *@*) KCI_URL_REFUSAL="user info (credentials) in the URL"; return 1 ;;
    *\\*|*%*|*[[:space:]]*) KCI_URL_REFUSAL="unexpected characters in the host"; return 1 ;;
  esac
  if [[ "$authority" == \[* ]]; then
    host="${authority%%]*}"
    host="${host#[}"
    tail="${authority#*]}"
    literal=1
  else
    host="${authority%%:*}"
    tail="${authority#"$host"}"
  fi
  if [ -n "$tail" ]; then
    port="${tail#:}"
    if ! [[ "$tail" =~ ^:[0-9]{1,5}$ ]]; then
      KCI_URL_REFUSAL="unexpected text after the host: $tail"
      return 1
    fi
  fi
  host="${host,,}"
  host="${host%.}"
  if [ -z "$host" ]; then
    KCI_URL_REFUSAL="no host name"
    return 1
  fi
  if [ "$literal" = 0 ]; then
    if [[ "${host##*.}" =~ ^([0-9]+|0x[0-9a-f]*)$ ]]; then
      if ! kci_canonical_ipv4 "$host"; then
        KCI_URL_REFUSAL="host $host is an IPv4 address in a non-canonical spelling"
        return 1
      fi
      literal=1
    else
      case "$host" in
        localhost|*.localhost|*.localdomain|*.local|*.internal|*.home.arpa)
          KCI_URL_REFUSAL="host $host names this machine or an internal network"
          return 1 ;;
        *.*) ;;
        *) KCI_URL_REFUSAL="host $host is a single-label name"; return 1 ;;
      esac
    fi
  fi
  mapfile -t addrs < <(getent ahosts "$host" 2> /dev/null | awk '{ print $1 }' | sort -u)
  if [ "${#addrs[@]}" = 0 ]; then
    KCI_URL_REFUSAL="host $host does not resolve"
    return 1
  fi
  for addr in "${addrs[@]}"; do
    if kind="$(kci_address_kind "$addr")" && ! kci_address_allowed "$addr"; then
      if [ "$literal" = 1 ]; then
        KCI_URL_REFUSAL="host $host is $kind (not in PULLAB_ALLOW_PRIVATE_URLS)"
      else
        KCI_URL_REFUSAL="host $host resolves to $addr, $kind (not in PULLAB_ALLOW_PRIVATE_URLS)"
      fi
      return 1
    fi
    case "$addr" in *:*) pinned+=("[$addr]") ;; *) pinned+=("$addr") ;; esac
  done
  if [ "$literal" = 0 ]; then
    KCI_URL_RESOLVE="$host:$port:$(IFS=,; printf '%s' "${pinned[*]}")"
  fi
}

# kci_canonical_ipv4 TEXT: true when TEXT is a dotted-decimal IPv4 address (four parts 0-255, no leading zeros).
kci_canonical_ipv4() {
  local part='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
  [[ "$1" =~ ^$part\.$part\.$part\.$part$ ]]
}

# kci_ipv4_number ADDRESS: a dotted-decimal IPv4 address as a number.
kci_ipv4_number() {
  local a b c d
  IFS=. read -r a b c d <<< "$1"
  printf '%s' "$(( (a << 24) | (b << 16) | (c << 8) | d ))"
}

# kci_ipv6_hex ADDRESS: an IPv6 address (:: and a trailing dotted IPv4 allowed) as 32 hex digits; fails when it is
# none.
kci_ipv6_hex() {
  local addr="${1,,}" head tail v4 n groups=() out="" g i missing
  if [[ "$addr" =~ ^(.*:)([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
    head="${BASH_REMATCH[1]}"
    v4="${BASH_REMATCH[2]}"
    kci_canonical_ipv4 "$v4" || return 1
    n="$(kci_ipv4_number "$v4")"
    addr="$head$(printf '%x:%x' $(( n >> 16 )) $(( n & 65535 )))"
  fi
  [[ "$addr" =~ ^[0-9a-f:]+$ ]] || return 1
  if [[ "$addr" == *::* ]]; then
    head="${addr%%::*}"
    tail="${addr#*::}"
    [[ "$tail" != *::* ]] || return 1
    local front=() back=()
    [ -z "$head" ] || IFS=: read -r -a front <<< "$head"
    [ -z "$tail" ] || IFS=: read -r -a back <<< "$tail"
    missing=$(( 8 - ${#front[@]} - ${#back[@]} ))
    [ "$missing" -ge 1 ] || return 1
    groups=("${front[@]}")
    for (( i = 0; i < missing; i++ )); do groups+=(0); done
    groups+=("${back[@]}")
  else
    IFS=: read -r -a groups <<< "$addr"
  fi
  [ "${#groups[@]}" = 8 ] || return 1
  for g in "${groups[@]}"; do
    [[ "$g" =~ ^[0-9a-f]{1,4}$ ]] || return 1
    out+="$(printf '%04x' "$(( 16#$g ))")"
  done
  printf '%s' "$out"
}

# kci_address_kind ADDRESS: prints what is not public about an IP address (loopback, link-local, private, ...) and
# returns 0; returns 1 for a public address.
kci_address_kind() {
  local addr="$1" n hex
  if [[ "$addr" != *:* ]]; then
    kci_canonical_ipv4 "$addr" || { printf 'not an IP address'; return 0; }
    n="$(kci_ipv4_number "$addr")"
    if (( n >> 24 == 0 )); then printf 'an unspecified address'
    elif (( n >> 24 == 127 )); then printf 'a loopback address'
    elif (( n >> 16 == (169 << 8 | 254) )); then printf 'a link-local address (cloud metadata service)'
    elif (( n >> 24 == 10 || n >> 20 == (172 << 4 | 1) || n >> 16 == (192 << 8 | 168) )); then printf 'a private address'
    elif (( n >> 22 == (100 << 2 | 1) )); then printf 'a shared (carrier-grade NAT) address'
    elif (( n >> 8 == (192 << 16) || n >> 17 == (198 << 7 | 9) )); then printf 'a reserved address'
    elif (( n >> 28 >= 14 )); then printf 'a multicast or reserved address'
    else return 1
    fi
    return 0
  fi
  hex="$(kci_ipv6_hex "$addr")" || { printf 'not an IP address'; return 0; }
  case "$hex" in
    00000000000000000000ffff*|000000000000000000000000*|0064ff9b0000000000000000*)
      # IPv4-mapped, IPv4-compatible (:: and ::1 too) and NAT64 addresses reach their embedded IPv4 address
      if [ "$hex" = "00000000000000000000000000000001" ]; then printf 'a loopback address'; return 0; fi
      if [ "$hex" = "00000000000000000000000000000000" ]; then printf 'an unspecified address'; return 0; fi
      kci_address_kind "$(( 16#${hex:24:2} )).$(( 16#${hex:26:2} )).$(( 16#${hex:28:2} )).$(( 16#${hex:30:2} ))" ;;
    fe[89ab]*) printf 'a link-local address' ;;
    fe[c-f]*) printf 'a site-local address' ;;
    f[cd]*) printf 'a private (unique local) address' ;;
    ff*) printf 'a multicast address' ;;
    *) return 1 ;;
  esac
}

# kci_address_allowed ADDRESS: true when a range of PULLAB_ALLOW_PRIVATE_URLS holds ADDRESS.
kci_address_allowed() {
  local addr="$1" range net bits ranges=() a_hex n_hex full rest mask
  IFS=, read -r -a ranges <<< "${PULLAB_ALLOW_PRIVATE_URLS:-}"
  for range in "${ranges[@]}"; do
    range="${range//[[:space:]]/}"
    [ -n "$range" ] || continue
    net="${range%/*}"
    bits="${range#"$net"}"
    bits="${bits#/}"
    if [[ "$net" != *:* && "$addr" != *:* ]]; then
      if ! kci_canonical_ipv4 "$net" || ! kci_canonical_ipv4 "$addr"; then continue; fi
      bits="${bits:-32}"
      if ! [[ "$bits" =~ ^[0-9]+$ ]] || [ "$bits" -gt 32 ]; then continue; fi
      mask=$(( bits == 0 ? 0 : (0xffffffff << (32 - bits)) & 0xffffffff ))
      (( ($(kci_ipv4_number "$addr") & mask) == ($(kci_ipv4_number "$net") & mask) )) && return 0
    elif [[ "$net" == *:* && "$addr" == *:* ]]; then
      if ! a_hex="$(kci_ipv6_hex "$addr")" || ! n_hex="$(kci_ipv6_hex "$net")"; then continue; fi
      bits="${bits:-128}"
      if ! [[ "$bits" =~ ^[0-9]+$ ]] || [ "$bits" -gt 128 ]; then continue; fi
      full=$(( bits / 4 ))
      rest=$(( bits % 4 ))
      [ "${a_hex:0:full}" = "${n_hex:0:full}" ] || continue
      if [ "$rest" = 0 ]; then return 0; fi
      mask=$(( (0xf << (4 - rest)) & 0xf ))
      (( (16#${a_hex:full:1} & mask) == (16#${n_hex:full:1} & mask) )) && return 0
    fi
  done
  return 1
}

# kci_install_dependencies RESULT_PATH: dependencies.txt; a failure ends the stage (only a warning when simulating).
kci_install_dependencies() {
  if install_test_dependencies dependencies.txt; then
    return 0
  fi
  if simulated; then
    log "WARNING: could not install dependencies.txt (simulated run, continuing)"
    return 0
  fi
  kci_error_exit "$1" 1 "installing the packages of dependencies.txt failed"
}

# kci_root_query COMMAND...: like privileged, for commands whose output is used; under simulation logs to stderr
# and prints nothing.
kci_root_query() {
  if simulated; then
    log "SIMULATED: $*" >&2
    return 0
  fi
  privileged "$@"
}

# kci_root_run COMMAND...: runs a test suite as root (sudo -n when not root). Under simulation the command really
# runs, but as the current user.
kci_root_run() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif simulated; then
    log "SIMULATED: running as $(id -un), not root: $*" >&2
    "$@"
  else
    sudo -n "$@"
  fi
}

# kci_test_timeout: PULLAB_TEST_TIMEOUT_S when it is a positive whole number, else the KernelCI default 600.
kci_test_timeout() {
  local t="${PULLAB_TEST_TIMEOUT_S:-}"
  if [[ "$t" =~ ^[0-9]+$ ]] && [ "$t" -gt 0 ]; then
    printf '%s' "$t"
  else
    log "PULLAB_TEST_TIMEOUT_S '${t}' is not a positive number of seconds: using 600" >&2
    printf '600'
  fi
}

# kci_run_timeout SECONDS OUTFILE COMMAND...: runs COMMAND as root under timeout(1) (SIGTERM to its whole process
# group at SECONDS, SIGKILL 30 s later), output on stdout and in OUTFILE. Returns the command's status: 124 or 137
# means the timeout hit.
kci_run_timeout() {
  local secs="$1" out="$2" rc=0
  shift 2
  log "running (timeout ${secs}s): $*"
  kci_root_run timeout --kill-after=30 "$secs" "$@" < /dev/null 2>&1 | tee "$out" || rc=$?
  log "exit status $rc"
  return "$rc"
}

# kci_timed_out STATUS: true for the statuses timeout(1) returns when it had to stop the command.
kci_timed_out() {
  [ "$1" = 124 ] || [ "$1" = 137 ]
}

# kci_modules_version TARBALL: the kernel version of a modules tarball (entries lib/modules/<version>/...,
# ./lib/modules/<version>/... or usr/lib/modules/<version>/...). Fails when there is none or more than one.
kci_modules_version() {
  local tarball="$1" listing versions=()
  listing="$(mktemp)"
  if ! tar -tf "$tarball" > "$listing"; then
    rm -f "$listing"
    log "cannot list $tarball" >&2
    return 1
  fi
  mapfile -t versions < <(sed -n -E 's#^(\./)?(usr/)?lib/modules/([^/]+)(/.*)?$#\3#p' "$listing" | sort -u)
  rm -f "$listing"
  if [ "${#versions[@]}" = 0 ]; then
    log "no lib/modules/<version>/ in $tarball" >&2
    return 1
  fi
  if [ "${#versions[@]}" -gt 1 ]; then
    log "more than one kernel version in $tarball: ${versions[*]}" >&2
    return 1
  fi
  if ! [[ "${versions[0]}" =~ ^[A-Za-z0-9._+~-]+$ ]]; then
    log "unexpected kernel version '${versions[0]}' in $tarball" >&2
    return 1
  fi
  printf '%s\n' "${versions[0]}"
}

# kci_image_version IMAGE: the kernel version (`uname -r`) a kernel image names: an x86 bzImage's setup header
# (boot protocol: "HdrS" at 0x202, the offset of the version string less 0x200 at 0x20e), else the first
# "Linux version <version>" in the image (an uncompressed arm64 Image; a gzip-compressed Image.gz is read through
# zcat), within its first 64 MiB. Fails when there is none.
kci_image_version() {
  local image="$1" off version=""
  if [ "$(dd if="$image" bs=1 skip=514 count=4 2> /dev/null | tr -d '\0')" = HdrS ]; then
    off="$(od -An -tu1 -j526 -N2 "$image" | awk '{ print $1 + 256 * $2 }')"
    if [[ "$off" =~ ^[0-9]+$ ]] && [ "$off" -gt 0 ]; then
      version="$(dd if="$image" bs=1 skip=$((off + 512)) count=256 2> /dev/null | tr '\0' '\n' | head -n 1 \
        | awk '{ print $1 }' || true)"
    fi
  fi
  if [ -z "$version" ]; then
    if [ "$(od -An -tx1 -N2 "$image" | tr -d ' ')" = 1f8b ]; then
      # grep stops at the first match: the status of the commands before it (SIGPIPE) does not matter
      version="$( (zcat "$image" 2> /dev/null || true) | head -c 67108864 \
        | LC_ALL=C grep -a -o -m 1 -E 'Linux version [A-Za-z0-9._+~-]+' | head -n 1 || true)"
    else
      version="$(head -c 67108864 "$image" | LC_ALL=C grep -a -o -m 1 -E 'Linux version [A-Za-z0-9._+~-]+' \
        | head -n 1 || true)"
    fi
    version="${version#Linux version }"
  fi
  if ! [[ "$version" =~ ^[A-Za-z0-9._+~-]{1,128}$ ]]; then
    log "no kernel version in $image (neither a bzImage header nor a 'Linux version' string)" >&2
    return 1
  fi
  printf '%s\n' "$version"
}

# kci_install_kernel RESULT_PATH [modules-optional]: downloads PULLAB_KERNEL_URL and PULLAB_MODULES_URL, installs the
# modules under /lib/modules/<version>, the image as /boot/vmlinuz-<version>, builds /boot/initramfs-<version>.img and
# adds a boot entry that is used for the NEXT BOOT ONLY (grub2-reboot; the saved default stays the old kernel), so a
# kernel that panics (panic=10) or fails in the initramfs (rd.emergency=reboot) comes back on the old kernel.
# The version is the modules tarball's. With modules-optional a job without PULLAB_MODULES_URL is installed too: the
# version is the image's (kci_image_version) and the initramfs has no modules (dracut --no-kernel), so the drivers
# that reach the root file system must be built in.
# Writes expected-kernel.txt = <version>. Any failure: RESULT_PATH = error, results.json, exit 1 (2: parameters).
kci_install_kernel() {
  local rpath="$1" optional="${2:-}" kernel_file modules_file="" version staging moddir="" default_kernel info entry
  local title
  if [ "$optional" = modules-optional ]; then
    kci_require "$rpath" PULLAB_KERNEL_URL
  else
    kci_require "$rpath" PULLAB_KERNEL_URL PULLAB_MODULES_URL
  fi
  kernel_file="artifacts/$(kci_url_name "$PULLAB_KERNEL_URL" kernel)"
  kci_fetch "$rpath" "$PULLAB_KERNEL_URL" "$kernel_file" 268435456
  if [ -n "${PULLAB_MODULES_URL:-}" ]; then
    modules_file="artifacts/$(kci_url_name "$PULLAB_MODULES_URL" modules.tar.xz)"
    [ "$kernel_file" != "$modules_file" ] || modules_file="artifacts/modules-$(kci_url_name "$PULLAB_MODULES_URL")"
    kci_fetch "$rpath" "$PULLAB_MODULES_URL" "$modules_file" 2147483648
    version="$(kci_modules_version "$modules_file")" \
      || kci_error_exit "$rpath" 1 "cannot tell the kernel version from $(kci_url_shown "$PULLAB_MODULES_URL")"
    log "job kernel version: $version (from $(kci_url_shown "$PULLAB_MODULES_URL"))"
  else
    version="$(kci_image_version "$kernel_file")" \
      || kci_error_exit "$rpath" 1 "cannot tell the kernel version of $(kci_url_shown "$PULLAB_KERNEL_URL") and the job has no modules tarball (MODULES_URL / PULLAB_MODULES_URL) to read it from"
    log "job kernel version: $version (from the image; no modules tarball: the initramfs carries no modules)"
  fi
  if [ "$version" = "$(uname -r)" ]; then
    kci_error_exit "$rpath" 1 "the job's kernel $version has the version of the running kernel: refusing to replace it"
  fi

  staging="modules-staging"
  rm -rf "$staging"
  if [ -n "$modules_file" ]; then
    mkdir -p "$staging"
    tar -xf "$modules_file" -C "$staging" --no-same-owner \
      || kci_error_exit "$rpath" 1 "cannot unpack $modules_file"
    moddir="$staging/lib/modules/$version"
    [ -d "$moddir" ] || moddir="$staging/usr/lib/modules/$version"
    [ -d "$moddir" ] || kci_error_exit "$rpath" 1 "$modules_file has no lib/modules/$version directory"
  fi

  title="KernelCI $version"
  if ! kci_install_files "$version" "$moddir" "$kernel_file"; then
    kci_error_exit "$rpath" 1 "installing kernel $version failed"
  fi

  default_kernel="$(kci_root_query grubby --default-kernel)" || default_kernel=""
  log "current default kernel: ${default_kernel:-unknown}"
  privileged grubby --add-kernel="/boot/vmlinuz-$version" --initrd="/boot/initramfs-$version.img" \
      --title="$title" --copy-default --args="panic=10 rd.shell=0 rd.emergency=reboot" \
    || kci_error_exit "$rpath" 1 "grubby --add-kernel for $version failed"
  if [ -n "$default_kernel" ]; then
    # keep the old kernel as the saved default whatever the boot loader's ordering of the new entry
    privileged grubby --set-default="$default_kernel" \
      || kci_error_exit "$rpath" 1 "cannot keep $default_kernel as the default kernel"
  fi
  # the entry for grub2-reboot: its BLS id (stable), else its index, else its title
  info="$(kci_root_query grubby --info="/boot/vmlinuz-$version")" || info=""
  entry="$(printf '%s\n' "$info" | awk -F= '$1 == "id" && !found { v = substr($0, 4); gsub(/"/, "", v); print v; found = 1 }')"
  [ -n "$entry" ] || entry="$(printf '%s\n' "$info" | awk -F= '$1 == "index" && !found { print $2; found = 1 }')"
  [ -n "$entry" ] || entry="$title"
  log "boot entry of $version: $entry"
  privileged grub2-reboot "$entry" || kci_error_exit "$rpath" 1 "grub2-reboot $entry failed"

  printf '%s\n' "$version" > expected-kernel.txt
  rm -rf "$staging" artifacts
  log "kernel $version installed for the next boot only; expected-kernel.txt = $version"
}

# kci_install_files VERSION MODULES_DIR IMAGE: modules to /lib/modules/VERSION, image to /boot/vmlinuz-VERSION,
# initramfs /boot/initramfs-VERSION.img (all through privileged: only logged when simulating). An empty MODULES_DIR
# installs no modules and builds the initramfs without any (dracut --no-kernel).
kci_install_files() {
  local version="$1" moddir="$2" image="$3"
  if [ -n "$moddir" ]; then
    privileged mkdir -p /lib/modules || return 1
    privileged rm -rf "/lib/modules/$version" || return 1
    privileged cp -R "$moddir" /lib/modules/ || return 1
    privileged depmod -a "$version" || return 1
  fi
  privileged install -m 0755 "$image" "/boot/vmlinuz-$version" || return 1
  if [ -n "$moddir" ]; then
    privileged dracut --force --kver "$version" "/boot/initramfs-$version.img" || return 1
  else
    privileged dracut --force --no-kernel --kver "$version" "/boot/initramfs-$version.img" || return 1
  fi
}

# kci_check_kernel: compares `uname -r` with expected-kernel.txt. Sets KCI_EXPECTED_KERNEL and KCI_RUNNING_KERNEL.
# Returns 0 when the expected kernel runs (or when simulating: the running kernel is taken as booted), 1 when another
# kernel runs, 2 when there is no expected-kernel.txt.
kci_check_kernel() {
  KCI_RUNNING_KERNEL="$(uname -r)"
  KCI_EXPECTED_KERNEL=""
  if [ ! -s expected-kernel.txt ]; then
    log "no expected-kernel.txt: no job kernel was installed; running kernel $KCI_RUNNING_KERNEL"
    return 2
  fi
  KCI_EXPECTED_KERNEL="$(head -n 1 expected-kernel.txt)"
  log "expected kernel: $KCI_EXPECTED_KERNEL, running kernel: $KCI_RUNNING_KERNEL"
  if [ "$KCI_RUNNING_KERNEL" = "$KCI_EXPECTED_KERNEL" ]; then
    log "the job's kernel $KCI_EXPECTED_KERNEL booted"
    return 0
  fi
  if simulated; then
    log "SIMULATED: expected kernel $KCI_EXPECTED_KERNEL, running $KCI_RUNNING_KERNEL: counted as booted"
    return 0
  fi
  log "the job's kernel $KCI_EXPECTED_KERNEL did NOT boot: running $KCI_RUNNING_KERNEL (the fallback entry)"
  return 1
}

# kci_report_boot UPTIME_MS: the boot verdict after the reboot of a kernel install: `uname -r` against
# expected-kernel.txt (kci_check_kernel) -> result boot = pass (duration UPTIME_MS when given) or fail (the previous
# boot's kernel log follows in the stage log), boot-result.txt (expected=, running=, status=, simulated=) and
# results.json. Returns 0 (pass) or 1 (fail); without expected-kernel.txt: boot = error, exit 1.
kci_report_boot() {
  local uptime_ms="${1:-}" rc=0 status
  kci_check_kernel || rc=$?
  case "$rc" in
    0)
      status=pass
      result_add boot pass ${uptime_ms:+"$uptime_ms"}
      ;;
    1)
      status=fail
      result_add boot fail
      log "kernel messages of the previous boot (if journald kept them):"
      privileged journalctl -k -b -1 --no-pager -n 300 || log "no kernel log of the previous boot"
      ;;
    *)
      kci_error_exit boot 1 "expected-kernel.txt is missing: stage 1 did not install a kernel"
      ;;
  esac
  {
    printf 'expected=%s\n' "$KCI_EXPECTED_KERNEL"
    printf 'running=%s\n' "$KCI_RUNNING_KERNEL"
    printf 'status=%s\n' "$status"
    printf 'simulated=%s\n' "$(simulated && echo yes || echo no)"
  } > boot-result.txt
  log "boot = $status (expected $KCI_EXPECTED_KERNEL, running $KCI_RUNNING_KERNEL)"
  kci_quiet result_write results.json
  [ "$status" = pass ]
}

# kci_uptime_ms: milliseconds since the machine booted (/proc/uptime), empty when unknown.
kci_uptime_ms() {
  local ms
  ms="$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime 2> /dev/null || true)"
  [[ "$ms" =~ ^[0-9]+$ ]] || ms=""
  printf '%s' "$ms"
}

# kci_kselftest_collection: the job's kselftest collection(s): PULLAB_KSELFTEST_COLLECTION (comma or space separated),
# else the <collection> of PULLAB_TEST_TYPE kselftest-<collection> (the KernelCI job's test type). Empty when neither.
kci_kselftest_collection() {
  local c="${PULLAB_KSELFTEST_COLLECTION:-}"
  if [ -z "$c" ] && [[ "${PULLAB_TEST_TYPE:-}" == kselftest-?* ]]; then
    c="${PULLAB_TEST_TYPE#kselftest-}"
  fi
  c="${c//,/ }"
  kci_trim "$c"
}

# kci_kselftest_suite: the result path errors of the whole kselftest run go to: kselftest.<collection> for one
# collection, kselftest otherwise.
kci_kselftest_suite() {
  local -a cs
  read -r -a cs <<< "$(kci_kselftest_collection)"
  if [ "${#cs[@]}" = 1 ]; then
    printf 'kselftest.%s' "$(kci_component "${cs[0]}")"
  else
    printf 'kselftest'
  fi
}

# kci_ltp_status WORD: LTP result word (runltp PASS/FAIL/CONF/BROK/WARN, kirk pass/fail/conf/brok/warn) -> status.
kci_ltp_status() {
  case "${1^^}" in
    PASS) printf pass ;;
    FAIL|WARN) printf fail ;;
    CONF) printf skip ;;
    BROK) printf error ;;
    *) return 1 ;;
  esac
}

# ltp_results_to_results LOGFILE [PREFIX]: converts a runltp results log (-l) into results PREFIX.<testcase>
# (PREFIX defaults to ltp). Reads the human readable format of `runltp -p`
#   Testcase                                           Result     Exit Value
#   --------                                           ------     ----------
#   abort01                                            PASS       0
# (header, separators and the Total/Kernel/Machine footer are skipped) and the raw ltp-pan format
#   tag=abort01 stime=1717236000 dur=0 exit=exited stat=0 core=no cu=0 cs=1
# PASS -> pass, FAIL/WARN -> fail, CONF -> skip, BROK -> error. Sets KCI_RESULTS_COUNT.
ltp_results_to_results() {
  kci_quiet _ltp_results_to_results "$@"
}
_ltp_results_to_results() {
  local file="$1" prefix="${2:-ltp}" line status duration kv tag stat how dur
  local -a f
  KCI_RESULTS_COUNT=0
  if [ ! -f "$file" ]; then
    log "no LTP results log $file"
    return 1
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    read -r -a f <<< "${line//$'\r'/}"
    [ "${#f[@]}" -ge 3 ] || continue
    duration=""
    if [[ "${f[0]}" == tag=* ]]; then
      tag="" stat="" how="" dur=""
      for kv in "${f[@]}"; do
        case "$kv" in
          tag=*) tag="${kv#tag=}" ;;
          stat=*) stat="${kv#stat=}" ;;
          exit=*) how="${kv#exit=}" ;;
          dur=*) dur="${kv#dur=}" ;;
        esac
      done
      if [ -z "$tag" ] || ! [[ "$stat" =~ ^[0-9]+$ ]]; then
        continue
      fi
      if [ "$how" != exited ]; then
        status=fail
      else
        case "$stat" in 0) status=pass ;; 32) status=skip ;; 2) status=error ;; *) status=fail ;; esac
      fi
      if [[ "$dur" =~ ^[0-9]+$ ]]; then
        duration=$((dur * 1000))
      fi
    else
      tag="${f[0]}"
      if ! [[ "${f[2]}" =~ ^-?[0-9]+$ ]]; then
        continue
      fi
      status="$(kci_ltp_status "${f[1]}")" || continue
    fi
    result_add "$prefix.$(kci_component "$tag")" "$status" ${duration:+"$duration"}
    KCI_RESULTS_COUNT=$((KCI_RESULTS_COUNT + 1))
  done < "$file"
  log "$KCI_RESULTS_COUNT LTP results from $file"
}

# kirk_report_to_results REPORT [PREFIX]: converts kirk's --json-report (results[].test_fqn, .status
# pass/fail/brok/conf/warn, .test.duration in s) into results PREFIX.<testcase>. Needs python3. Sets
# KCI_RESULTS_COUNT.
kirk_report_to_results() {
  kci_quiet _kirk_report_to_results "$@"
}
_kirk_report_to_results() {
  local file="$1" prefix="${2:-ltp}" rows name word ms status
  KCI_RESULTS_COUNT=0
  if [ ! -f "$file" ]; then
    log "no kirk report $file"
    return 1
  fi
  rows="$(python3 - "$file" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
for r in data.get("results", []):
    name = str(r.get("test_fqn") or "").split()
    if not name:
        continue
    duration = (r.get("test") or {}).get("duration")
    ms = str(int(round(duration * 1000))) if isinstance(duration, (int, float)) and duration >= 0 else ""
    print(name[0], r.get("status") or "fail", ms)
PY
)" || { log "cannot read kirk report $file"; return 1; }
  while read -r name word ms; do
    [ -n "$name" ] || continue
    status="$(kci_ltp_status "$word")" || status=fail
    result_add "$prefix.$(kci_component "$name")" "$status" ${ms:+"$ms"}
    KCI_RESULTS_COUNT=$((KCI_RESULTS_COUNT + 1))
  done <<< "$rows"
  log "$KCI_RESULTS_COUNT LTP results from $file"
}

# kci_run_ltp: runs the job's LTP command files (PULLAB_LTP_CMDFILES; PULLAB_LTP_SKIPFILE, PULLAB_LTP_WORKERS,
# PULLAB_TEST_TIMEOUT_S) on the running kernel with kirk or runltp and adds the results (ltp.<testcase>, and ltp =
# error for a timeout or no results). LTP is the VM's KCI_SYSTEM_LTPROOT (default /opt/ltp) when it has runltp or
# kirk, else opt/ltp (and opt/kirk) of the job's rootfs PULLAB_ROOTFS_URL, unpacked into ./ltp-root. The runner is
# KCI_LTP_RUNNER (auto, kirk, runltp). With KCI_LTP_CHROOT=1 the whole rootfs is unpacked (as root) and LTP runs
# chrooted into it (/proc, /sys, /dev and /dev/pts mounted, unmounted afterwards), so that its binaries use the
# rootfs's own C library, as pullab_cloud's ltp test did. Exits (results.json written) 2 when a parameter is missing,
# 1 when LTP cannot be set up; returns 0 once LTP ran, whatever its results. Run from the test directory
# (kernelci-ltp/README.md). Its outputs: ltp-results.log (runltp) or ltp-kirk-report.json (kirk), ltp-output.log.
kci_run_ltp() {
  local system_ltp ltproot rootfs kirk candidate runner cmdfile skiplist skipfile source_file workers timeout_s rc
  local suite_timeout report results_log chroot_dir="" base python3_ok=0 mnt
  local -a cmdfiles cmd jail=()
  kci_require ltp PULLAB_LTP_CMDFILES
  # LTP: the VM's /opt/ltp, else opt/ltp (and opt/kirk) of the job's rootfs
  system_ltp="${KCI_SYSTEM_LTPROOT:-/opt/ltp}"
  if [ -f "$system_ltp/runltp" ] || [ -f "$system_ltp/kirk" ]; then
    ltproot="$system_ltp"
    log "using the LTP installed in $ltproot"
  else
    if [ -z "${PULLAB_ROOTFS_URL:-}" ]; then
      kci_error_exit ltp 2 "no LTP in $system_ltp and the job has no rootfs (PULLAB_ROOTFS_URL empty)"
    fi
    rootfs="artifacts/$(kci_url_name "$PULLAB_ROOTFS_URL" rootfs.tar.xz)"
    kci_fetch ltp "$PULLAB_ROOTFS_URL" "$rootfs"
    kci_root_run rm -rf ltp-root
    mkdir -p ltp-root
    if [ "${KCI_LTP_CHROOT:-0}" = 1 ]; then
      log "unpacking the whole rootfs $rootfs into ltp-root/ (LTP runs chrooted into it)"
      kci_root_run tar -xf "$rootfs" -C ltp-root --numeric-owner 2> tar-errors.txt \
        || log "tar: $(head -c 2000 tar-errors.txt | tr '\n' ' ')"
      chroot_dir="$PWD/ltp-root"
    else
      log "unpacking opt/ltp and opt/kirk of $rootfs"
      # a rootfs without opt/kirk makes tar report "Not found in archive": opt/ltp is checked below instead
      tar -xf "$rootfs" -C ltp-root --no-same-owner --wildcards '*opt/ltp' '*opt/kirk' 2> tar-errors.txt \
        || log "tar: $(tr '\n' ' ' < tar-errors.txt)"
    fi
    rm -f "$rootfs" tar-errors.txt
    ltproot="$PWD/ltp-root/opt/ltp"
    if [ ! -f "$ltproot/runltp" ] && [ ! -f "$ltproot/kirk" ] && [ ! -f "$PWD/ltp-root/opt/kirk/kirk" ]; then
      kci_error_exit ltp 1 "the rootfs $PULLAB_ROOTFS_URL has no opt/ltp with runltp or kirk"
    fi
  fi

  kirk=""
  for candidate in "$(dirname "$ltproot")/kirk/kirk" "$ltproot/kirk"; do
    if [ -f "$candidate" ]; then
      kirk="$candidate"
      break
    fi
  done
  runner="${KCI_LTP_RUNNER:-auto}"
  if [ -n "$chroot_dir" ]; then
    # an absolute symbolic link points into the rootfs, not at this machine's file
    [ ! -e "$chroot_dir/usr/bin/python3" ] && [ ! -L "$chroot_dir/usr/bin/python3" ] || python3_ok=1
  elif command -v python3 > /dev/null; then
    python3_ok=1
  fi
  if [ "$runner" = auto ]; then
    if [ -n "$kirk" ] && [ "$python3_ok" = 1 ]; then
      runner=kirk
    else
      runner=runltp
    fi
  fi
  case "$runner" in
    kirk) [ -n "$kirk" ] || kci_error_exit ltp 1 "KCI_LTP_RUNNER=kirk but there is no kirk next to $ltproot" ;;
    runltp) [ -f "$ltproot/runltp" ] || kci_error_exit ltp 1 "no $ltproot/runltp (and no usable kirk)" ;;
    *) kci_error_exit ltp 2 "KCI_LTP_RUNNER '$runner' is not auto, kirk or runltp" ;;
  esac
  log "LTP root $ltproot, runner $runner${kirk:+ ($kirk)}"

  # parameters
  read -r -a cmdfiles <<< "${PULLAB_LTP_CMDFILES//,/ }"
  [ "${#cmdfiles[@]}" -gt 0 ] || kci_error_exit ltp 2 "PULLAB_LTP_CMDFILES '$PULLAB_LTP_CMDFILES' names no command file"
  for cmdfile in "${cmdfiles[@]}"; do
    [ -f "$ltproot/runtest/$cmdfile" ] || log "WARNING: no command file $ltproot/runtest/$cmdfile"
  done
  log "command files: ${cmdfiles[*]}"

  skiplist=""
  skipfile="${PULLAB_LTP_SKIPFILE:-}"
  if [ -n "$skipfile" ]; then
    source_file=""
    case "$skipfile" in
      *://*)
        source_file="artifacts/$(kci_url_name "$skipfile" skipfile)"
        mkdir -p artifacts
        (ulimit -f 1025; kci_download "$skipfile" "$source_file" --retry 5 --retry-delay 5 --max-filesize 1048576 \
          --max-time 120) || { log "WARNING: download of $(kci_url_shown "$skipfile") failed"; source_file=""; }
        ;;
      /*)
        [ ! -f "$skipfile" ] || source_file="$skipfile"
        ;;
      *)
        for candidate in "$PWD/$skipfile" "$ltproot/$skipfile" "${PULLAB_SHARED_DIR:-../shared}/$skipfile"; do
          if [ -f "$candidate" ]; then
            source_file="$candidate"
            break
          fi
        done
        ;;
    esac
    if [ -n "$source_file" ]; then
      skiplist="$PWD/ltp-skiplist.txt"
      ltp_skipfile_to_list "$source_file" "$skiplist"
      if [ -n "$chroot_dir" ]; then
        # the unpacked rootfs belongs to root: the list goes in as root
        kci_root_run cp "$skiplist" "$chroot_dir/ltp-skiplist.txt"
        skiplist="$chroot_dir/ltp-skiplist.txt"
      fi
      log "skip file $source_file: $(wc -l < "$skiplist") test(s) skipped"
    else
      log "WARNING: skip file '$(kci_url_shown "$skipfile")' not found (test directory, $ltproot, shared/): running without a skip list"
    fi
  fi

  workers=""
  case "${PULLAB_LTP_WORKERS:-}" in
    "") ;;
    max) workers="$(nproc)" ;;
    *[!0-9]*|0) log "WARNING: workers '${PULLAB_LTP_WORKERS}' is neither a positive number nor 'max': ignored" ;;
    *) workers="$PULLAB_LTP_WORKERS" ;;
  esac

  timeout_s="$(kci_test_timeout)"

  # run; the paths the LTP run is given are seen from inside the chroot when there is one (${path#"$chroot_dir"})
  base="${chroot_dir:-$PWD}"
  if [ -n "$chroot_dir" ]; then
    jail=(chroot "$chroot_dir")
    for mnt in proc sys dev dev/pts; do
      privileged mkdir -p "$chroot_dir/$mnt" || true
    done
    privileged mount -t proc proc "$chroot_dir/proc" || log "WARNING: cannot mount /proc in $chroot_dir"
    privileged mount -t sysfs sys "$chroot_dir/sys" || log "WARNING: cannot mount /sys in $chroot_dir"
    privileged mount --bind /dev "$chroot_dir/dev" || log "WARNING: cannot bind /dev into $chroot_dir"
    privileged mount --bind /dev/pts "$chroot_dir/dev/pts" || log "WARNING: cannot bind /dev/pts into $chroot_dir"
  fi
  rc=0
  if [ "$runner" = kirk ]; then
    report="$base/ltp-kirk-report.json"
    kci_root_run rm -f "$report" ltp-kirk-report.json
    # kirk stops the suite a little before the hard timeout so that it still writes its report
    suite_timeout="$timeout_s"
    [ "$timeout_s" -le 120 ] || suite_timeout=$((timeout_s - 60))
    cmd=("${kirk#"$chroot_dir"}" --framework "ltp:root=${ltproot#"$chroot_dir"}" --run-suite "${cmdfiles[@]}"
         --json-report "${report#"$chroot_dir"}" --suite-timeout "$suite_timeout")
    [ -z "$workers" ] || cmd+=(--workers "$workers")
    [ -z "$skiplist" ] || cmd+=(--skip-file "${skiplist#"$chroot_dir"}")
    kci_run_timeout "$timeout_s" ltp-output.log "${jail[@]}" env LTPROOT="${ltproot#"$chroot_dir"}" "${cmd[@]}" \
      || rc=$?
    [ -z "$chroot_dir" ] || [ ! -f "$report" ] || cp "$report" ltp-kirk-report.json
    kirk_report_to_results ltp-kirk-report.json ltp || true
  else
    results_log="$base/ltp-results.log"
    kci_root_run rm -f "$results_log" ltp-results.log
    cmd=("${ltproot#"$chroot_dir"}/runltp" -p -f "$(IFS=,; printf '%s' "${cmdfiles[*]}")"
         -l "${results_log#"$chroot_dir"}")
    [ -z "$skiplist" ] || cmd+=(-S "${skiplist#"$chroot_dir"}")
    [ -z "$workers" ] || log "runltp runs one test at a time: workers=$workers is only used by kirk"
    kci_run_timeout "$timeout_s" ltp-output.log "${jail[@]}" env LTPROOT="${ltproot#"$chroot_dir"}" "${cmd[@]}" \
      || rc=$?
    [ -z "$chroot_dir" ] || [ ! -f "$results_log" ] || cp "$results_log" ltp-results.log
    ltp_results_to_results ltp-results.log ltp || true
  fi
  if [ -n "$chroot_dir" ]; then
    for mnt in dev/pts dev sys proc; do
      privileged umount "$chroot_dir/$mnt" || log "WARNING: cannot unmount $chroot_dir/$mnt"
    done
  fi

  if kci_timed_out "$rc"; then
    log "ERROR: LTP did not finish within ${timeout_s}s (PULLAB_TEST_TIMEOUT_S): ltp = error, $KCI_RESULTS_COUNT result(s) kept"
    result_add ltp error
  elif [ "$KCI_RESULTS_COUNT" = 0 ]; then
    log "ERROR: $runner ended with status $rc and no results: ltp = error"
    result_add ltp error
  else
    log "$runner ended with status $rc, $KCI_RESULTS_COUNT result(s)"
  fi
}

# ltp_skipfile_to_list SRC DEST: a skip list for runltp -S / kirk --skip-file, one test name a line. SRC is either
# such a list ('#' comments) or an LKFT-style YAML skipfile (skiplist: - tests: [names]); board/branch filters of
# the YAML are not applied: every test it names is skipped.
ltp_skipfile_to_list() {
  local src="$1" dest="$2"
  case "$src" in
    *.yaml|*.yml)
      awk '
        function item(s) { sub(/^[ \t]*-[ \t]*/, "", s); sub(/[ \t]+#.*$/, "", s); gsub(/["\047]/, "", s);
                           gsub(/^[ \t]+|[ \t]+$/, "", s); if (s != "") print s }
        /^[ \t]*#/ { next }
        /^[ \t]*-?[ \t]*tests:[ \t]*\[/ { s = $0; sub(/.*\[/, "", s); sub(/\].*/, "", s);
                                          n = split(s, a, ","); for (i = 1; i <= n; i++) item(a[i]); intests = 0; next }
        /^[ \t]*-?[ \t]*tests:[ \t]*$/ { intests = 1; match($0, /^[ \t]*(-[ \t]*)?/); ind = RLENGTH; next }
        intests && /^[ \t]*-/ { match($0, /^[ \t]*/); if (RLENGTH >= ind) { item($0); next } }
        intests && /^[ \t]*$/ { next }
        { intests = 0 }
      ' "$src" > "$dest"
      ;;
    *)
      sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]].*$//' -e '/^$/d' "$src" > "$dest"
      ;;
  esac
}

# kselftest_tap_to_results TAPFILE COLLECTION: converts run_kselftest.sh TAP into results
# kselftest.<collection>.<test>:
#   ok 1 selftests: timers: posix_timers                -> pass
#   not ok 2 selftests: timers: nanosleep # exit=1      -> fail   (also "# TIMEOUT 45 seconds")
#   ok 3 selftests: timers: rtcpie # SKIP               -> skip
# <collection> and <test> are the ones the line names (COLLECTION for a top-level line without "selftests: C:"),
# each reduced to [A-Za-z0-9_-] (posix_timers, fib_tests.sh -> fib_tests_sh). Nested "# ok N ..." lines (the
# sub-results inside one test's output) are ignored. A test announced ("# selftests: C: T") without a result line
# (the run was stopped) is reported as error. Sets KCI_RESULTS_COUNT.
kselftest_tap_to_results() {
  kci_quiet _kselftest_tap_to_results "$@"
}
_kselftest_tap_to_results() {
  local file="$1" collection="$2" line notok coll test directive status started="" started_path=""
  local re_result='^(not )?ok [0-9]+ (.*)$' re_named='^selftests: ([^:]+): (.*)$'
  local re_start='^# selftests: ([^:]+): (.*)$'
  KCI_RESULTS_COUNT=0
  if [ ! -f "$file" ]; then
    log "no kselftest output $file"
    return 1
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    if [[ "$line" =~ $re_result ]]; then
      notok="${BASH_REMATCH[1]}"
      test="${BASH_REMATCH[2]}"
      directive=""
      if [[ "$test" == *" # "* ]]; then
        directive="${test#* # }"
        test="${test%% # *}"
      elif [[ "$test" == *" #" ]]; then
        test="${test% #}"
      fi
      coll="$collection"
      if [[ "$test" =~ $re_named ]]; then
        coll="${BASH_REMATCH[1]}"
        test="${BASH_REMATCH[2]}"
      fi
      test="$(kci_trim "$test")"
      [ -n "$test" ] || continue
      if [[ "${directive^^}" == SKIP* ]]; then
        status=skip
      elif [ -n "$notok" ]; then
        status=fail
      else
        status=pass
      fi
      result_add "kselftest.$(kci_component "$coll").$(kci_component "$test")" "$status"
      KCI_RESULTS_COUNT=$((KCI_RESULTS_COUNT + 1))
      [ "$coll: $test" != "$started" ] || started=""
    elif [[ "$line" =~ $re_start ]]; then
      coll="${BASH_REMATCH[1]}"
      test="$(kci_trim "${BASH_REMATCH[2]}")"
      started="$coll: $test"
      started_path="kselftest.$(kci_component "$coll").$(kci_component "$test")"
    fi
  done < "$file"
  if [ -n "$started" ]; then
    log "kselftest '$started' started but has no result: error"
    result_add "$started_path" error
    KCI_RESULTS_COUNT=$((KCI_RESULTS_COUNT + 1))
  fi
  log "$KCI_RESULTS_COUNT kselftest results from $file"
}

# kci_quiet FUNCTION ARGS...: runs FUNCTION without bash -x tracing (the client runs stages with bash -x; a trace of
# every line of a few thousand results would bury the log).
kci_quiet() {
  local rc=0
  if [[ "$-" == *x* ]]; then
    set +x
    "$@" || rc=$?
    set -x
  else
    "$@" || rc=$?
  fi
  return "$rc"
}

# kci_trim TEXT: TEXT without leading and trailing blanks.
kci_trim() {
  local s="$1"
  s="${s#"${s%%[![:space:]]*}"}"
  s="${s%"${s##*[![:space:]]}"}"
  printf '%s' "$s"
}
