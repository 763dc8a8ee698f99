#!/usr/bin/env bash
# pullab QEMU runner: the container of the Fargate task that runs a KernelCI job on a QEMU platform (qemu-x86_64,
# qemu-arm64). It boots the job's kernel under QEMU with an init hook appended to the initramfs, runs the job's
# boot / ltp / kselftest test in the guest, and reports to S3 in the layout of a test VM (see README.md here and
# vm-tests/README.md).
#
#   qemu-runner.sh              configured by the environment (the task's container overrides):
#       RESULTS_BUCKET, RUN_PREFIX, TEST_NAME   where to report (required)
#       TASK_INDEX, MAX_RUNTIME                 the task's index in its group, its time budget in seconds
#       PULLAB_*                                the job's params.env variables (PULLAB_KERNEL_URL, ...)
#   qemu-runner.sh -h|--help
#
# Exit status: 0 reported (result.txt uploaded, SUCCESS or FAILED: <reason>), 2 bad configuration (nothing
# uploaded), 75 S3 unreachable after retries.
set -uo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
HERE="$(dirname "$SELF")"
readonly SELF HERE
readonly EXIT_TEMPFAIL=75
readonly EXIT_USAGE=2

# lib/client_common.sh (usage, log, retrying, aws_s3, json_field, iso: shared with the VM client), lib/results.sh
# (result_add, result_write, json_escape) and lib/kernelci.sh (the result parsers, kci_*): the same code as the VM
# client and the EC2 tests; kernelci.sh logs through log().
LIB_DIR="${PULLAB_LIB_DIR:-$HERE/../lib}"
# shellcheck source=../lib/client_common.sh
source "$LIB_DIR/client_common.sh"
# shellcheck source=../lib/results.sh
source "$LIB_DIR/results.sh"
# shellcheck source=../lib/kernelci.sh
source "$LIB_DIR/kernelci.sh"
# the header above, for usage
USAGE_END=14

# ------------------------------------------------------------------------------------------------------- logging

# log MESSAGE... (lib/client_common.sh): to stderr and to LOG_FILE, the task's runner.log once main has its WORK.
LOG_TAG=pullab-qemu
LOG_FILE=/dev/null

# --------------------------------------------------------------------------------------------------- configuration

# positive NAME: exit 2 unless ${!NAME} is a positive whole number.
positive() {
  if ! [[ "${!1}" =~ ^[0-9]+$ ]] || [ "${!1}" -lt 1 ]; then
    echo "qemu-runner: $1 must be a positive whole number, got '${!1}'" >&2
    exit "$EXIT_USAGE"
  fi
}

load_task_config() {
  RESULTS_BUCKET="${RESULTS_BUCKET:-}"
  RUN_PREFIX="${RUN_PREFIX:-}"
  TEST_NAME="${TEST_NAME:-}"
  local missing=()
  [ -n "$RESULTS_BUCKET" ] || missing+=(RESULTS_BUCKET)
  [ -n "$RUN_PREFIX" ] || missing+=(RUN_PREFIX)
  [ -n "$TEST_NAME" ] || missing+=(TEST_NAME)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "qemu-runner: missing configuration: ${missing[*]} (environment variables of the task)" >&2
    exit "$EXIT_USAGE"
  fi
  TASK_INDEX="${TASK_INDEX:-0}"
  MAX_RUNTIME="${MAX_RUNTIME:-3600}"
  AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
  S3_ENDPOINT_URL="${S3_ENDPOINT_URL:-}"
  S3_ATTEMPTS="${S3_ATTEMPTS:-8}"
  S3_BACKOFF_MAX="${S3_BACKOFF_MAX:-30}"
  UPLOAD_RESERVE_S="${PULLAB_UPLOAD_RESERVE_S:-60}"
  DL_MAX_MB="${PULLAB_DOWNLOAD_MAX_MB:-4096}"
  DL_RETRIES="${PULLAB_DOWNLOAD_RETRIES:-5}"
  DL_RETRY_DELAY_S="${PULLAB_DOWNLOAD_RETRY_DELAY_S:-5}"
  DL_MAX_TIME_S="${PULLAB_DOWNLOAD_MAX_TIME_S:-1800}"
  DONE_GRACE_S="${PULLAB_DONE_GRACE_S:-20}"
  POLL_S="${PULLAB_POLL_S:-1}"
  KVM_DEVICE="${PULLAB_KVM_DEVICE:-/dev/kvm}"
  BUSYBOX_DIR="${PULLAB_GUEST_BUSYBOX_DIR:-$HERE/guest}"
  if ! [[ "$TASK_INDEX" =~ ^[0-9]+$ ]]; then
    echo "qemu-runner: TASK_INDEX must be a whole number, got '$TASK_INDEX'" >&2
    exit "$EXIT_USAGE"
  fi
  local n
  for n in MAX_RUNTIME S3_ATTEMPTS S3_BACKOFF_MAX DL_MAX_MB DL_RETRIES DL_MAX_TIME_S DONE_GRACE_S; do
    positive "$n"
  done
  [[ "$UPLOAD_RESERVE_S" =~ ^[0-9]+$ ]] || { echo "qemu-runner: PULLAB_UPLOAD_RESERVE_S must be a whole number" >&2; exit "$EXIT_USAGE"; }
  [[ "$DL_RETRY_DELAY_S" =~ ^[0-9]+$ ]] || { echo "qemu-runner: PULLAB_DOWNLOAD_RETRY_DELAY_S must be a whole number" >&2; exit "$EXIT_USAGE"; }
  [[ "$POLL_S" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "qemu-runner: PULLAB_POLL_S must be a number of seconds" >&2; exit "$EXIT_USAGE"; }
  export AWS_RETRY_MODE="${AWS_RETRY_MODE:-standard}" AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-2}"
}

# ------------------------------------------------------------------------------------------------ task identity

# The task id (last part of the TaskARN of the ECS task metadata endpoint v4), else qemu-<TASK_INDEX>.
read_task_identity() {
  TASK_ARN=""
  TASK_MEMORY_MB=""
  if [ -n "${ECS_CONTAINER_METADATA_URI_V4:-}" ]; then
    local doc
    if doc="$(curl -fsS -m 5 --retry 3 --retry-delay 1 "$ECS_CONTAINER_METADATA_URI_V4/task" 2>&1)"; then
      doc="$(printf '%s' "$doc" | tr -d '\n')"
      TASK_ARN="$(printf '%s' "$doc" | json_field TaskARN)"
      TASK_MEMORY_MB="$(printf '%s' "$doc" | sed -n 's/.*"Limits"[[:space:]]*:[[:space:]]*{[^}]*"Memory"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p')"
    else
      log "WARNING: no task metadata from $ECS_CONTAINER_METADATA_URI_V4/task: $doc"
    fi
  fi
  TASK_ID="${TASK_ARN##*/}"
  if ! [[ "$TASK_ID" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
    [ -z "$TASK_ARN" ] || log "WARNING: unexpected TaskARN '$TASK_ARN'"
    TASK_ID="qemu-$TASK_INDEX"
  fi
  if [ -z "$AWS_REGION" ] && [[ "$TASK_ARN" == arn:*:ecs:*:* ]]; then
    AWS_REGION="$(cut -d: -f4 <<< "$TASK_ARN")"
  fi
  export AWS_REGION
  OUT_PREFIX="$RUN_PREFIX/test_$TEST_NAME/output/$TASK_ID"
}

# ---------------------------------------------------------------------------------------------------------- S3

# retrying and aws_s3 (lib/client_common.sh): S3_ATTEMPTS tries, the last error in $WORK_TMP/last-error (WORK_TMP is
# WORK); every failure is retried (the runner only uploads: no "not found" shortcut); --region only when AWS_REGION
# is set.
RETRY_NOT_FOUND=""

# put FILE NAME: uploads FILE as output/<task id>/NAME, or gives up (exit 75).
put() {
  log "uploading s3://$RESULTS_BUCKET/$OUT_PREFIX/$2"
  if ! retrying "upload s3://$RESULTS_BUCKET/$OUT_PREFIX/$2" aws_s3 s3api put-object --bucket "$RESULTS_BUCKET" \
      --key "$OUT_PREFIX/$2" --body "$1" > /dev/null; then
    log "giving up: S3 is unreachable"
    exit "$EXIT_TEMPFAIL"
  fi
}

# put_dir DIR: uploads every file of DIR into output/<task id>/ (one CLI call), or gives up (exit 75).
put_dir() {
  log "uploading $(cd "$1" && find . -type f -printf '%f ')to s3://$RESULTS_BUCKET/$OUT_PREFIX/"
  if ! retrying "upload to s3://$RESULTS_BUCKET/$OUT_PREFIX/" aws_s3 s3 cp --recursive --only-show-errors \
      "$1/" "s3://$RESULTS_BUCKET/$OUT_PREFIX/"; then
    log "giving up: S3 is unreachable"
    exit "$EXIT_TEMPFAIL"
  fi
}

# -------------------------------------------------------------------------------------------------------- reporting

# jstr TEXT: TEXT as a JSON string (quoted).
jstr() {
  printf '"%s"' "$(json_escape "$1")"
}

write_task_stats() {
  local result="$1" now
  now="$(date +%s)"
  {
    printf '{\n  "instance_id": %s,\n  "instance_type": "fargate-qemu",\n  "arch": %s,\n  "region": %s,\n' \
      "$(jstr "$TASK_ID")" "$(jstr "$ARCH")" "$(jstr "$AWS_REGION")"
    printf '  "test": %s,\n  "run_prefix": %s,\n  "result": %s,\n  "stages_total": 1,\n' \
      "$(jstr "$TEST_NAME")" "$(jstr "$RUN_PREFIX")" "$(jstr "$result")"
    printf '  "first_boot": "%s",\n  "finished": "%s",\n  "stages": [' "$(iso "$START")" "$(iso "$now")"
    if [ -n "$QEMU_STARTED" ]; then
      printf '\n    {"run": 1, "script": "qemu-runner.sh", "exit_code": %s, "started": "%s", "finished": "%s", "duration_s": %s}\n  ' \
        "${QEMU_STATUS:-null}" "$(iso "$QEMU_STARTED")" "$(iso "${QEMU_ENDED:-$now}")" \
        "$(( ${QEMU_ENDED:-$now} - QEMU_STARTED ))"
    fi
    printf '],\n  "executor": "fargate",\n  "task_arn": %s,\n  "task_index": %s,\n  "platform": %s,\n' \
      "$(jstr "$TASK_ARN")" "$TASK_INDEX" "$(jstr "${PULLAB_PLATFORM:-}")"
    printf '  "test_type": %s,\n  "qemu": {"binary": %s, "accel": %s, "memory_mb": %s, "smp": %s, "timeout_s": %s},\n' \
      "$(jstr "${PULLAB_TEST_TYPE:-}")" "$(jstr "$QEMU_BIN")" "$(jstr "$ACCEL")" "${MEMORY_MB:-null}" \
      "${SMP:-null}" "${QEMU_LIMIT:-null}"
    printf '  "boot": %s,\n  "verdict": %s\n}\n' "$(jstr "$BOOT_STATUS")" "$(jstr "$VERDICT")"
  } > "$WORK/stats.json"
}

# finish_task RESULT: uploads the outputs, result.txt last (its arrival tells the analyzer this task is done), exit 0.
finish_task() {
  local result="$1"
  [ -n "$VERDICT" ] || VERDICT="$result"
  log "run over: $result"
  printf '%s\n' "$result" > "$WORK/result.txt"
  write_task_stats "$result"
  local up="$WORK/upload"
  rm -rf "$up"
  mkdir -p "$up"
  if [ -s "$PULLAB_RESULTS_TSV" ]; then
    kci_quiet result_write "$up/results.json"
  fi
  cp "$WORK/stats.json" "$up/stats.json"
  if [ -f "$WORK/console.log" ]; then
    cp "$WORK/console.log" "$up/console.log"
    # the analyzer links the last run-N-output.log as the job's log: for a QEMU task that is the console
    cp "$WORK/console.log" "$up/run-1-output.log"
  else
    cp "$LOG_FILE" "$up/run-1-output.log"
  fi
  log "uploading the outputs, then result.txt"
  cp "$LOG_FILE" "$up/runner.log"
  put_dir "$up"
  put "$WORK/result.txt" result.txt
  log "done: s3://$RESULTS_BUCKET/$OUT_PREFIX/"
  exit 0
}

# fail_run MESSAGE: an infrastructure failure: the suite's result path = error, result.txt FAILED: MESSAGE.
fail_run() {
  local message
  message="$(kci_trim "$1")"
  log "ERROR: $message"
  VERDICT="$message"
  result_add "$SUITE_PATH" error
  finish_task "FAILED: $message"
}

# ---------------------------------------------------------------------------------------------------- the job

# Which test (boot, ltp, kselftest) from PULLAB_TEST_TYPE, else from TEST_NAME; the result path its errors go to.
read_job() {
  case "${PULLAB_TEST_TYPE:-}" in
    boot) SUITE=boot ;;
    ltp) SUITE=ltp ;;
    kselftest|kselftest-?*) SUITE=kselftest ;;
    "")
      case "$TEST_NAME" in
        *kselftest*) SUITE=kselftest ;;
        *ltp*) SUITE=ltp ;;
        *) SUITE=boot ;;
      esac ;;
    *) SUITE_PATH=boot; fail_run "unsupported test type '$PULLAB_TEST_TYPE' (boot, ltp, kselftest-<collection>)" ;;
  esac
  case "$SUITE" in
    boot) SUITE_PATH=boot ;;
    ltp) SUITE_PATH=ltp ;;
    kselftest) SUITE_PATH="$(kci_kselftest_suite)" ;;
  esac

  ARCH="${PULLAB_ARCH:-}"
  if [ -z "$ARCH" ]; then
    case "${PULLAB_PLATFORM:-}" in
      *x86_64*|*x86-64*|*amd64*) ARCH=x86_64 ;;
      *arm64*|*aarch64*) ARCH=arm64 ;;
    esac
  fi
  case "$ARCH" in
    x86_64|amd64) ARCH=x86_64 ;;
    arm64|aarch64) ARCH=arm64 ;;
    *) ARCH="${ARCH:-unknown}"
       fail_run "cannot tell the guest architecture: PULLAB_ARCH '${PULLAB_ARCH:-}', PULLAB_PLATFORM '${PULLAB_PLATFORM:-}' (x86_64 or arm64)" ;;
  esac
  log "job ${PULLAB_JOB_NODE_ID:-?} (${PULLAB_JOB_NAME:-?}), platform ${PULLAB_PLATFORM:-?}, test ${PULLAB_TEST_ID:-?} type ${PULLAB_TEST_TYPE:-?}: $SUITE on $ARCH"
}

# fetch WHAT URL FILE: downloads an artifact under the artifact URL policy (kci_download of lib/kernelci.sh: https,
# http too with PULLAB_ALLOW_HTTP=1, public hosts or PULLAB_ALLOW_PRIVATE_URLS, every redirect checked), or fail_run.
fetch() {
  local what="$1" url="$2" file="$3" rc size shown
  shown="$(kci_url_shown "$url")"
  if ! kci_url_check "$url"; then
    case "$KCI_URL_REFUSAL" in
      "plain http"*) fail_run "refusing to download the $what over plain http: $shown (https only; PULLAB_ALLOW_HTTP=1 allows http)" ;;
      "not an https URL") fail_run "the $what URL '$shown' is not an https URL" ;;
      *) fail_run "refusing to download the $what from $shown: $KCI_URL_REFUSAL" ;;
    esac
  fi
  log "downloading the $what: $shown"
  kci_download "$url" "$file" --retry "$DL_RETRIES" --retry-delay "$DL_RETRY_DELAY_S" --retry-connrefused \
    --connect-timeout 30 --max-time "$DL_MAX_TIME_S" --max-filesize "$((DL_MAX_MB * 1024 * 1024))" \
    2> "$WORK/curl-error"
  rc=$?
  if [ "$rc" = 63 ]; then
    fail_run "download of the $what $shown failed: larger than PULLAB_DOWNLOAD_MAX_MB ($DL_MAX_MB MiB)"
  elif [ "$rc" != 0 ]; then
    fail_run "download of the $what $shown failed: $(tr '\n' ' ' < "$WORK/curl-error" | head -c 300)"
  fi
  size="$(wc -c < "$file")"
  if [ "$size" -gt "$((DL_MAX_MB * 1024 * 1024))" ]; then
    fail_run "download of the $what $shown failed: $size bytes, larger than PULLAB_DOWNLOAD_MAX_MB ($DL_MAX_MB MiB)"
  fi
  log "downloaded the $what: $size bytes"
}

# sq TEXT: TEXT single-quoted for sh.
sq() {
  printf "'%s'" "${1//\'/\'\\\'\'}"
}

# ltp_skiplist ROOTFS_FILE ROOTFS_KIND: PULLAB_LTP_SKIPFILE as a plain list in the overlay (a URL is downloaded; a
# name or absolute path is looked up in the rootfs tarball's opt/ltp); a skip file that cannot be had is a warning.
ltp_skiplist() {
  local rootfs="$1" kind="$2" skipfile="${PULLAB_LTP_SKIPFILE:-}" src="" name
  [ -n "$skipfile" ] || return 0
  mkdir -p "$WORK/skip"
  name="$(kci_url_name "$skipfile" skipfile)"
  case "$skipfile" in
    *://*)
      if kci_download "$skipfile" "$WORK/skip/$name" --retry "$DL_RETRIES" --retry-delay "$DL_RETRY_DELAY_S" \
          --max-time 300 2> "$WORK/curl-error"; then
        src="$WORK/skip/$name"
      else
        log "WARNING: download of the LTP skip file $(kci_url_shown "$skipfile") failed: $(tr '\n' ' ' < "$WORK/curl-error")"
      fi ;;
    *)
      local pattern="*opt/ltp/$skipfile"
      case "$skipfile" in /*) pattern="*${skipfile#/}" ;; esac
      if [ "$kind" = tar ] && tar -xOf "$rootfs" --wildcards "$pattern" > "$WORK/skip/$name" 2> /dev/null \
          && [ -s "$WORK/skip/$name" ]; then
        src="$WORK/skip/$name"
      fi ;;
  esac
  if [ -z "$src" ]; then
    log "WARNING: LTP skip file '$(kci_url_shown "$skipfile")' not found (a URL, or a file of the rootfs tarball's /opt/ltp): running without a skip list"
    return 0
  fi
  ltp_skipfile_to_list "$src" "$WORK/overlay/pullab/ltp-skiplist.txt"
  SKIPLIST=/pullab/ltp-skiplist.txt
  log "LTP skip file $skipfile: $(wc -l < "$WORK/overlay/pullab/ltp-skiplist.txt") test(s) skipped"
}

# prepare: downloads the artifacts and builds the guest's kernel, initrd and hook.
prepare() {
  local url base_url kind compression run_dir
  [ -n "${PULLAB_KERNEL_URL:-}" ] || fail_run "required job parameter empty: PULLAB_KERNEL_URL"
  if [ "$SUITE" = ltp ] && [ -z "${PULLAB_LTP_CMDFILES:-}" ]; then
    fail_run "required job parameter empty: PULLAB_LTP_CMDFILES"
  fi
  if [ "$SUITE" = kselftest ]; then
    [ -n "$(kci_kselftest_collection)" ] \
      || fail_run "no kselftest collection: PULLAB_KSELFTEST_COLLECTION is empty and PULLAB_TEST_TYPE '${PULLAB_TEST_TYPE:-}' is not kselftest-<collection>"
    [ -n "${PULLAB_KSELFTEST_URL:-}" ] || fail_run "required job parameter empty: PULLAB_KSELFTEST_URL"
  fi
  base_url="${PULLAB_RAMDISK_URL:-${PULLAB_INITRD_URL:-${PULLAB_ROOTFS_URL:-}}}"
  BUSYBOX="$BUSYBOX_DIR/busybox-$ARCH"
  [ -f "$BUSYBOX" ] || BUSYBOX=""
  if [ -z "$base_url" ]; then
    if [ "$SUITE" != boot ]; then
      fail_run "$SUITE under QEMU needs the job's rootfs (PULLAB_ROOTFS_URL is empty): map platform ${PULLAB_PLATFORM:-?} to an ec2 executor in the lab config for this test"
    fi
    [ -n "$BUSYBOX" ] \
      || fail_run "no userspace for the guest: the job has no rootfs or ramdisk (PULLAB_ROOTFS_URL) and there is no static busybox for $ARCH ($BUSYBOX_DIR/busybox-$ARCH)"
  fi

  fetch kernel "$PULLAB_KERNEL_URL" "$WORK/kernel"
  if [ -n "${PULLAB_DTB_URL:-}" ]; then
    if [ "$ARCH" = arm64 ] && [ "${PULLAB_QEMU_DTB:-0}" = 1 ]; then
      fetch dtb "$PULLAB_DTB_URL" "$WORK/board.dtb"
      DTB="$WORK/board.dtb"
    else
      log "the job's dtb is not used: QEMU's virt machine makes its own device tree (PULLAB_QEMU_DTB=1 passes it on arm64)"
    fi
  fi

  mkdir -p "$WORK/overlay/pullab"
  SKIPLIST=""
  BASE=""
  if [ -n "$base_url" ]; then
    fetch rootfs "$base_url" "$WORK/rootfs"
    if ! read -r kind compression < <(python3 "$HERE/initramfs.py" kind "$WORK/rootfs" 2> "$WORK/py-error"); then
      fail_run "cannot read the rootfs $base_url: $(tr '\n' ' ' < "$WORK/py-error")"
    fi
    log "rootfs: $kind ($compression compression)"
    [ "$SUITE" != ltp ] || ltp_skiplist "$WORK/rootfs" "$kind"
    case "$kind" in
      cpio) BASE="$WORK/rootfs" ;;
      tar)
        log "converting the rootfs tarball into an initramfs"
        python3 "$HERE/initramfs.py" build "$WORK/rootfs.cpio" --tar "$WORK/rootfs" "" 2> "$WORK/py-error" \
          || fail_run "cannot convert the rootfs $base_url into an initramfs: $(tr '\n' ' ' < "$WORK/py-error")"
        rm -f "$WORK/rootfs"
        BASE="$WORK/rootfs.cpio" ;;
      *)
        case "$compression" in
          zstd|lz4|lzo) log "rootfs compressed with $compression: taken as a cpio ramdisk the kernel unpacks"
                        BASE="$WORK/rootfs" ;;
          *) fail_run "the rootfs $base_url is neither a cpio archive (ramdisk) nor a tarball" ;;
        esac ;;
    esac
  fi

  EXTRAS=(--dir "$WORK/overlay" "")
  if [ "$SUITE" != boot ] && [ -n "${PULLAB_MODULES_URL:-}" ]; then
    fetch modules "$PULLAB_MODULES_URL" "$WORK/modules.tar"
    EXTRAS+=(--tar "$WORK/modules.tar" "")
  fi
  KSELFTEST_DIR=""
  if [ "$SUITE" = kselftest ]; then
    fetch kselftest "$PULLAB_KSELFTEST_URL" "$WORK/kselftest.tar"
    # run_kselftest.sh at the top of the tarball or one or two directories down, the shallowest one
    run_dir="$(tar -tf "$WORK/kselftest.tar" 2> /dev/null | grep -E '^(\./)?([^/]+/){0,2}run_kselftest\.sh$' \
      | awk '{ print length($0) "\t" $0 }' | sort -n | head -n 1 | cut -f2)"
    [ -n "$run_dir" ] || fail_run "$PULLAB_KSELFTEST_URL has no run_kselftest.sh"
    run_dir="${run_dir#./}"
    run_dir="${run_dir%run_kselftest.sh}"
    KSELFTEST_DIR="/opt/kselftest/${run_dir%/}"
    KSELFTEST_DIR="${KSELFTEST_DIR%/}"
    EXTRAS+=(--tar "$WORK/kselftest.tar" opt/kselftest)
  fi
}

# build_initrd LIMIT: the hook and its config into the overlay, the overlay (+ modules, kselftest) as a second newc
# archive appended to the rootfs (padded to 4 bytes, as the kernel wants the next archive aligned).
build_initrd() {
  local limit="$1" margin shebang='#!/bin/sh'
  margin=$((limit / 5))
  [ "$margin" -le 60 ] || margin=60
  if [ -n "$BUSYBOX" ]; then
    mkdir -p "$WORK/overlay/pullab/bin"
    cp "$BUSYBOX" "$WORK/overlay/pullab/bin/busybox"
    chmod 0755 "$WORK/overlay/pullab/bin/busybox"
    shebang='#!/pullab/bin/busybox sh'
    log "guest busybox: $BUSYBOX"
  fi
  { printf '%s\n' "$shebang"; tail -n +2 "$HERE/guest-init.sh"; } > "$WORK/overlay/pullab/init"
  chmod 0755 "$WORK/overlay/pullab/init"
  {
    printf '# written by qemu-runner.sh\n'
    printf 'PULLAB_NONCE=%s\n' "$(sq "$NONCE")"
    printf 'PULLAB_SUITE=%s\n' "$(sq "$SUITE")"
    printf 'PULLAB_SUITE_SECONDS=%s\n' "$((limit - margin))"
    printf 'PULLAB_LTP_CMDFILES=%s\n' "$(sq "$(tr ',' ' ' <<< "${PULLAB_LTP_CMDFILES:-}")")"
    printf 'PULLAB_LTP_RUNNER=%s\n' "$(sq "${PULLAB_LTP_RUNNER:-auto}")"
    printf 'PULLAB_LTP_WORKERS=%s\n' "$(sq "$(ltp_workers)")"
    printf 'PULLAB_LTP_SKIPLIST=%s\n' "$(sq "$SKIPLIST")"
    printf 'PULLAB_KSELFTEST_DIR=%s\n' "$(sq "$KSELFTEST_DIR")"
    printf 'PULLAB_KSELFTEST_COLLECTIONS=%s\n' "$(sq "$(kci_kselftest_collection)")"
  } > "$WORK/overlay/pullab/config"
  python3 "$HERE/initramfs.py" build "$WORK/extras.cpio" "${EXTRAS[@]}" --console 2> "$WORK/py-error" \
    || fail_run "cannot build the initramfs overlay: $(tr '\n' ' ' < "$WORK/py-error")"
  : > "$WORK/initrd"
  if [ -n "$BASE" ]; then
    mv "$BASE" "$WORK/initrd"
    local pad=$(( (4 - $(wc -c < "$WORK/initrd") % 4) % 4 ))
    [ "$pad" = 0 ] || head -c "$pad" /dev/zero >> "$WORK/initrd"
  fi
  cat "$WORK/extras.cpio" >> "$WORK/initrd"
  rm -f "$WORK/extras.cpio"
  log "initrd: $(wc -c < "$WORK/initrd") bytes (hook appended as a second newc archive)"
}

ltp_workers() {
  case "${PULLAB_LTP_WORKERS:-}" in
    ""|max) printf '%s' "${PULLAB_LTP_WORKERS:-}" ;;
    *[!0-9]*|0) log "WARNING: workers '${PULLAB_LTP_WORKERS}' is neither a positive number nor 'max': ignored" ;;
    *) printf '%s' "$PULLAB_LTP_WORKERS" ;;
  esac
}

# ------------------------------------------------------------------------------------------------------------ QEMU

# qemu_command: QEMU_BIN, ACCEL, MEMORY_MB, SMP and the command line in QEMU_CMD.
qemu_command() {
  local name console machine cpu host_arch initrd_mb append
  case "$ARCH" in
    x86_64) name=qemu-system-x86_64; machine=q35; console=ttyS0 ;;
    arm64) name=qemu-system-aarch64; machine=virt; console=ttyAMA0 ;;
  esac
  QEMU_BIN="${QEMU_BIN_DIR:+$QEMU_BIN_DIR/}$name"
  command -v "$QEMU_BIN" > /dev/null || fail_run "QEMU is missing: no $QEMU_BIN"
  host_arch="$(uname -m)"
  [ "$host_arch" != aarch64 ] || host_arch=arm64
  ACCEL="${PULLAB_QEMU_ACCEL:-auto}"
  if [ "$ACCEL" = auto ]; then
    if [ "$host_arch" = "$ARCH" ] && [ -r "$KVM_DEVICE" ] && [ -w "$KVM_DEVICE" ]; then ACCEL=kvm; else ACCEL=tcg; fi
  fi
  case "$ACCEL" in
    kvm) cpu=host ;;
    tcg) cpu=max ;;
    *) fail_run "PULLAB_QEMU_ACCEL '$ACCEL' is not auto, kvm or tcg" ;;
  esac
  initrd_mb=$(( $(wc -c < "$WORK/initrd") / 1048576 ))
  MEMORY_MB="${PULLAB_QEMU_MEMORY_MB:-}"
  if [ -z "$MEMORY_MB" ]; then
    # the initrd is in guest memory twice while the kernel unpacks it
    MEMORY_MB=$((initrd_mb * 2 + 768))
    [ "$MEMORY_MB" -ge 1024 ] || MEMORY_MB=1024
    if [ -n "$TASK_MEMORY_MB" ] && [ "$MEMORY_MB" -gt $((TASK_MEMORY_MB - 512)) ] && [ "$TASK_MEMORY_MB" -gt 1536 ]; then
      MEMORY_MB=$((TASK_MEMORY_MB - 512))
    fi
  fi
  SMP="${PULLAB_QEMU_SMP:-$(nproc 2> /dev/null || echo 1)}"
  [[ "$MEMORY_MB" =~ ^[1-9][0-9]*$ ]] || fail_run "PULLAB_QEMU_MEMORY_MB '$MEMORY_MB' is not a positive number of MiB"
  [[ "$SMP" =~ ^[1-9][0-9]*$ ]] || fail_run "PULLAB_QEMU_SMP '$SMP' is not a positive number of CPUs"
  append="console=$console,115200 panic=-1 rdinit=/pullab/init${PULLAB_QEMU_APPEND:+ $PULLAB_QEMU_APPEND}"
  QEMU_CMD=("$QEMU_BIN" -M "$machine" -accel "$ACCEL" -cpu "$cpu" -m "$MEMORY_MB" -smp "$SMP"
    -nographic -no-reboot -kernel "$WORK/kernel" -initrd "$WORK/initrd" -append "$append")
  [ -z "$DTB" ] || QEMU_CMD+=(-dtb "$DTB")
}

# run_qemu LIMIT: QEMU under timeout(1), console to console.log; stopped DONE_GRACE_S after the guest says it is done
# when it does not power off by itself. Sets QEMU_STATUS, QEMU_TIMED_OUT.
run_qemu() {
  local limit="$1" pid done_at="" now
  log "starting (timeout ${limit}s): ${QEMU_CMD[*]}"
  QEMU_STARTED="$(date +%s)"
  timeout --kill-after=10 "$limit" "${QEMU_CMD[@]}" < /dev/null > "$WORK/console.log" 2> "$WORK/qemu-stderr.log" &
  pid=$!
  while kill -0 "$pid" 2> /dev/null; do
    sleep "$POLL_S"
    if [ -z "$done_at" ] && grep -aq "PULLAB-DONE $NONCE" "$WORK/console.log"; then
      done_at="$(date +%s)"
    fi
    now="$(date +%s)"
    if [ -n "$done_at" ] && [ $((now - done_at)) -ge "$DONE_GRACE_S" ]; then
      log "the guest is done but QEMU still runs after ${DONE_GRACE_S}s: stopping it"
      kill -TERM "$pid" 2> /dev/null
      break
    fi
  done
  wait "$pid"
  QEMU_STATUS=$?
  QEMU_ENDED="$(date +%s)"
  QEMU_TIMED_OUT=no
  if [ -z "$done_at" ] && { [ "$QEMU_STATUS" = 124 ] || [ "$QEMU_STATUS" = 137 ]; }; then
    QEMU_TIMED_OUT=yes
  fi
  log "QEMU ended with status $QEMU_STATUS after $((QEMU_ENDED - QEMU_STARTED))s$([ "$QEMU_TIMED_OUT" = no ] || echo ' (timeout)')"
  if [ -s "$WORK/qemu-stderr.log" ]; then
    log "QEMU stderr: $(head -c 2000 "$WORK/qemu-stderr.log" | tr '\n' ' ')"
  fi
}

# console_out NAME FILE: the lines the guest sent as "PULLAB-OUT NAME <line>".
console_out() {
  tr -d '\r' < "$WORK/console.log" | sed -n "s/^.*PULLAB-OUT $1 //p" > "$2"
}

# verdict: boot from the console, then the suite's results.
verdict() {
  local console="$WORK/console.txt" marker uptime panic late_panic suite_line finished=yes why
  tr -d '\r' < "$WORK/console.log" > "$console"
  marker="$(grep -a -m 1 "PULLAB-BOOT-OK $NONCE" "$console")"
  panic="$(grep -a -m 1 'Kernel panic - not syncing' "$console" | sed 's/^.*\(Kernel panic\)/\1/' | head -c 300)"
  if [ -z "$marker" ]; then
    if [ "$QEMU_TIMED_OUT" = yes ]; then
      why="no PULLAB-BOOT-OK from the guest within ${QEMU_LIMIT}s: QEMU stopped at the timeout"
      [ -z "$panic" ] || why="$why (after: $panic)"
    elif [ -n "$panic" ]; then
      why="kernel panic before userspace: $panic"
    elif [ "$QEMU_STATUS" != 0 ]; then
      fail_run "QEMU exited with status $QEMU_STATUS before the guest reached userspace: $(head -c 500 "$WORK/qemu-stderr.log" | tr '\n' ' ')"
    else
      why="QEMU ended (the guest powered off or reset) before the guest reached userspace"
    fi
    BOOT_STATUS=fail
    VERDICT="boot fail: $why"
    log "$VERDICT"
    result_add boot fail
    if [ "$SUITE" != boot ]; then
      log "$SUITE_PATH = error: the kernel did not boot, $SUITE not run"
      result_add "$SUITE_PATH" error
    fi
    return 0
  fi
  uptime="$(sed -n 's/.*uptime_ms=\([0-9][0-9]*\).*/\1/p' <<< "$marker")"
  BOOT_STATUS=pass
  VERDICT="boot pass: the guest reached userspace${uptime:+ after $uptime ms}"
  log "$VERDICT"
  result_add boot pass ${uptime:+"$uptime"}
  [ "$SUITE" != boot ] || return 0

  if ! grep -aq "PULLAB-DONE $NONCE" "$console"; then
    finished=no
    if [ "$QEMU_TIMED_OUT" = yes ]; then
      why="the guest did not finish $SUITE within ${QEMU_LIMIT}s: QEMU stopped at the timeout"
    elif late_panic="$(sed -n "/PULLAB-BOOT-OK $NONCE/,\$p" "$console" | grep -a -m 1 'Kernel panic - not syncing')"; then
      why="kernel panic during $SUITE: ${late_panic:0:300}"
    else
      why="the guest stopped during $SUITE (QEMU status $QEMU_STATUS)"
    fi
  fi
  suite_line="$(grep -a 'PULLAB-SUITE-EXIT ' "$console" | tail -n 1)"
  case "$SUITE" in
    ltp)
      console_out ltp-results "$WORK/ltp-results.log"
      console_out kirk-report "$WORK/kirk-report.json"
      KCI_RESULTS_COUNT=0
      if [ -s "$WORK/kirk-report.json" ]; then
        kirk_report_to_results "$WORK/kirk-report.json" ltp || true
      elif [ -s "$WORK/ltp-results.log" ]; then
        ltp_results_to_results "$WORK/ltp-results.log" ltp || true
      fi ;;
    kselftest)
      console_out kselftest-tap "$WORK/kselftest.tap"
      KCI_RESULTS_COUNT=0
      local -a collections
      read -r -a collections <<< "$(kci_kselftest_collection)"
      [ ! -s "$WORK/kselftest.tap" ] || kselftest_tap_to_results "$WORK/kselftest.tap" "${collections[0]}" || true ;;
  esac
  if [ "$finished" = no ]; then
    :
  elif [[ "$suite_line" == *"timed_out=yes"* ]]; then
    why="$SUITE did not finish within its time (PULLAB_TEST_TIMEOUT_S, ${QEMU_LIMIT}s for the whole boot)"
  elif [ "$KCI_RESULTS_COUNT" = 0 ]; then
    why="$SUITE gave no results (${suite_line:-no PULLAB-SUITE-EXIT line})"
  else
    why=""
  fi
  if [ -n "$why" ]; then
    log "$SUITE_PATH = error: $why; $KCI_RESULTS_COUNT result(s) kept"
    VERDICT="$VERDICT; $SUITE_PATH error: $why"
    if [ "$SUITE" = kselftest ]; then
      local c
      for c in $(kci_kselftest_collection); do
        result_add "kselftest.$(kci_component "$c")" error
      done
    else
      result_add "$SUITE_PATH" error
    fi
  else
    log "$SUITE: $KCI_RESULTS_COUNT result(s) (${suite_line})"
    VERDICT="$VERDICT; $SUITE: $KCI_RESULTS_COUNT result(s)"
  fi
}

# ------------------------------------------------------------------------------------------------------------ main

main() {
  case "${1:-}" in
    -h|--help|help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; exit "$EXIT_USAGE" ;;
  esac
  load_task_config
  START="$(date +%s)"
  WORK="${PULLAB_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pullab-qemu.XXXXXX")}"
  mkdir -p "$WORK" || { echo "qemu-runner: cannot create $WORK" >&2; exit "$EXIT_USAGE"; }
  WORK_TMP="$WORK"
  LOG_FILE="$WORK/runner.log"
  : > "$LOG_FILE"
  PULLAB_RESULTS_TSV="$WORK/results.tsv"
  : > "$PULLAB_RESULTS_TSV"
  SUITE_PATH=boot ARCH=unknown TASK_ARN="" QEMU_BIN="" ACCEL="" MEMORY_MB="" SMP="" QEMU_LIMIT="" DTB=""
  QEMU_STARTED="" QEMU_ENDED="" QEMU_STATUS="" BOOT_STATUS="" VERDICT=""
  NONCE="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  read_task_identity
  log "task $TASK_ID (${TASK_ARN:-no task metadata}), index $TASK_INDEX: test $TEST_NAME of $RUN_PREFIX, reporting to s3://$RESULTS_BUCKET/$OUT_PREFIX/"
  [ -n "$AWS_REGION" ] || log "WARNING: no AWS_REGION: the aws CLI's own configuration decides"
  read_job
  prepare

  local deadline timeout_s now
  timeout_s="${PULLAB_TEST_TIMEOUT_S:-}"
  if ! [[ "$timeout_s" =~ ^[0-9]+$ ]] || [ "$timeout_s" -lt 1 ]; then
    [ -z "$timeout_s" ] || log "PULLAB_TEST_TIMEOUT_S '$timeout_s' is not a positive number of seconds: using MAX_RUNTIME"
    timeout_s="$MAX_RUNTIME"
  fi
  deadline=$((START + MAX_RUNTIME - UPLOAD_RESERVE_S))
  now="$(date +%s)"
  QEMU_LIMIT="$timeout_s"
  [ "$QEMU_LIMIT" -le $((deadline - now)) ] || QEMU_LIMIT=$((deadline - now))
  if [ "$QEMU_LIMIT" -lt 1 ]; then
    fail_run "no time left to boot: MAX_RUNTIME ${MAX_RUNTIME}s used up by the downloads"
  fi
  build_initrd "$QEMU_LIMIT"
  qemu_command
  now="$(date +%s)"
  [ "$QEMU_LIMIT" -le $((deadline - now)) ] || QEMU_LIMIT=$((deadline - now > 1 ? deadline - now : 1))
  run_qemu "$QEMU_LIMIT"
  verdict
  finish_task SUCCESS
}

main "$@"
