#!/usr/bin/env bash
# pullab test VM client: runs one stage of a vm-tests test per boot and reports to S3 (see vm-tests/README.md).
#
#   test-vm-client.sh run                       one boot's work, configured by /etc/pullab/client.env (systemd)
#   test-vm-client.sh BUCKET RUN_PREFIX TEST [SAFETY_TIMEOUT] [REGION]
#                                               the same, configured by arguments (SSM, as pullab_cloud calls it):
#                                               an all-digit argument is the safety timeout in seconds (MAX_RUNTIME),
#                                               one like us-east-1 the region; in either order, each at most once
#   test-vm-client.sh install --bucket B --run-prefix P --test T [options]
#                                               installs the client as a systemd unit started at every boot
#   test-vm-client.sh expire                    safety timer: report max runtime exceeded and power off
#
# Exit status: 0 done (run finished, or another client instance is busy), 194 reboot requested, 75 S3 or IMDS
# unreachable after retries (systemd restarts the unit), 2 bad usage or configuration.
set -uo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
readonly SELF
readonly EXIT_REBOOT=194
readonly EXIT_TEMPFAIL=75
readonly EXIT_USAGE=2
readonly UNIT_NAME=pullab-test-client.service

# usage, log, retrying, aws_s3, json_field, iso: shared with the QEMU runner. The orchestrator ships the client as one
# file, with lib/client_common.sh inlined in place of this source line (VmTestBundle).
# shellcheck source=lib/client_common.sh
source "$(dirname "$SELF")/lib/client_common.sh"
# the header above, for usage: its last comment line (test/client.bats checks that --help ends there)
USAGE_END=14

# ---------------------------------------------------------------------------------------------------- configuration

load_config() {
  if [ "$#" -ge 3 ]; then
    RESULTS_BUCKET="$1"
    RUN_PREFIX="$2"
    TEST_NAME="$3"
    shift 3
    read_optional_arguments "$@"
    LAUNCHER="${LAUNCHER:-ssm}"
  else
    local file="${PULLAB_CLIENT_CONFIG:-/etc/pullab/client.env}"
    if [ -f "$file" ]; then
      # shellcheck source=/dev/null
      . "$file"
    fi
    LAUNCHER="${LAUNCHER:-systemd}"
  fi
  RESULTS_BUCKET="${RESULTS_BUCKET:-}"
  RUN_PREFIX="${RUN_PREFIX:-}"
  TEST_NAME="${TEST_NAME:-}"
  AWS_REGION="${AWS_REGION:-}"
  S3_ENDPOINT_URL="${S3_ENDPOINT_URL:-}"
  STAGE_TIMEOUT="${STAGE_TIMEOUT:-3600}"
  MAX_RUNTIME="${MAX_RUNTIME:-14400}"
  IMDS_ENDPOINT="${IMDS_ENDPOINT:-http://169.254.169.254}"
  BOOT_ID_FILE="${BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}"
  REBOOT_CMD="${REBOOT_CMD:-systemctl reboot}"
  POWEROFF_CMD="${POWEROFF_CMD:-systemctl poweroff}"
  S3_ATTEMPTS="${S3_ATTEMPTS:-8}"
  S3_BACKOFF_MAX="${S3_BACKOFF_MAX:-30}"
  SAFETY_TIMER="${SAFETY_TIMER:-$([ -d /run/systemd/system ] && echo systemd || echo background)}"
  PULLAB_SIMULATE="${PULLAB_SIMULATE:-0}"
  # under simulation, a name for this VM that stays the same in every run of the same plan (pullab local-run: its
  # test and index in the run, <test>#<index>); a stage seeds its simulated variation with it (lib/unixbench.sh)
  PULLAB_SIMULATE_SEED="${PULLAB_SIMULATE_SEED:-}"
  KMSG="${KMSG:-/dev/kmsg}"
  HEARTBEAT_SECONDS="${HEARTBEAT_SECONDS:-300}"
  WORK_TMP="$(mktemp -d)"
  export AWS_RETRY_MODE="${AWS_RETRY_MODE:-standard}" AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-2}"
  if [ -z "${RUN_AS:-}" ]; then
    if [ "$(id -u)" = 0 ] && id ec2-user >/dev/null 2>&1; then RUN_AS=ec2-user; else RUN_AS="$(id -un)"; fi
  fi
  local missing=()
  [ -n "$RESULTS_BUCKET" ] || missing+=(RESULTS_BUCKET)
  [ -n "$RUN_PREFIX" ] || missing+=(RUN_PREFIX)
  [ -n "$TEST_NAME" ] || missing+=(TEST_NAME)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "test-vm-client: missing configuration: ${missing[*]} (arguments BUCKET RUN_PREFIX TEST, or ${PULLAB_CLIENT_CONFIG:-/etc/pullab/client.env})" >&2
    exit "$EXIT_USAGE"
  fi
  if ! [[ "$PULLAB_SIMULATE_SEED" =~ ^[[:graph:]]{0,256}$ ]]; then
    echo "test-vm-client: PULLAB_SIMULATE_SEED must be at most 256 printable characters without spaces" >&2
    exit "$EXIT_USAGE"
  fi
  local n
  for n in STAGE_TIMEOUT MAX_RUNTIME S3_ATTEMPTS S3_BACKOFF_MAX HEARTBEAT_SECONDS; do
    if ! [[ "${!n}" =~ ^[0-9]+$ ]] || [ "${!n}" -lt 1 ]; then
      echo "test-vm-client: $n must be a positive whole number, got '${!n}'" >&2
      exit "$EXIT_USAGE"
    fi
  done
  export RESULTS_BUCKET RUN_PREFIX TEST_NAME AWS_REGION S3_ENDPOINT_URL STAGE_TIMEOUT MAX_RUNTIME IMDS_ENDPOINT \
    BOOT_ID_FILE REBOOT_CMD POWEROFF_CMD S3_ATTEMPTS S3_BACKOFF_MAX SAFETY_TIMER PULLAB_SIMULATE RUN_AS LAUNCHER \
    KMSG HEARTBEAT_SECONDS
}

# read_optional_arguments [ARG...]: what follows BUCKET RUN_PREFIX TEST, at most two arguments told apart by their
# shape: all digits is the safety timeout in seconds (pullab_cloud's 4th argument, its VM's max runtime; here
# MAX_RUNTIME, counted from the first boot), an AWS region name (us-east-1, eu-central-2, us-gov-west-1) is the region.
# Empty arguments are skipped (expire is re-invoked with an empty region when none was known). Anything else, or the
# same kind twice, is a usage error naming it.
read_optional_arguments() {
  local arg timeout="" region=""
  if [ "$#" -gt 2 ]; then
    echo "test-vm-client: too many arguments after BUCKET RUN_PREFIX TEST: $* (at most SAFETY_TIMEOUT and REGION)" >&2
    exit "$EXIT_USAGE"
  fi
  for arg in "$@"; do
    if [ -z "$arg" ]; then
      continue
    elif [[ "$arg" =~ ^[0-9]{1,9}$ ]] && [ -z "$timeout" ]; then
      timeout="$arg"
    elif [[ "$arg" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$ ]] && [ -z "$region" ]; then
      region="$arg"
    else
      echo "test-vm-client: '$arg' is neither a safety timeout (seconds, all digits, e.g. 3600) nor an AWS region" \
        "(e.g. us-east-1), or is given twice; usage: test-vm-client.sh BUCKET RUN_PREFIX TEST [SAFETY_TIMEOUT] [REGION]" >&2
      exit "$EXIT_USAGE"
    fi
  done
  [ -z "$timeout" ] || MAX_RUNTIME="$timeout"
  AWS_REGION="${region:-${AWS_REGION:-}}"
}

# -------------------------------------------------------------------------------------------------------- logging

# log MESSAGE... (lib/client_common.sh): to stderr and to LOG_FILE, this boot's client-N.log once the run is known.
LOG_TAG=pullab-client
LOG_FILE=/dev/null

# ---------------------------------------------------------------------------------------------- IMDSv2 and the S3 API

# retrying DESCRIPTION COMMAND... (lib/client_common.sh): S3_ATTEMPTS tries, the last error in $WORK_TMP/last-error;
# an error saying the object or URL does not exist is final: 3 at once (s3_get: "no such object").
RETRY_NOT_FOUND='NoSuchKey|Not Found|\(404\)|does not exist'

imds_document() {
  local token
  token="$(curl -fsS -m 5 -X PUT "$IMDS_ENDPOINT/latest/api/token" \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600')" || return 1
  curl -fsS -m 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS_ENDPOINT/latest/dynamic/instance-identity/document"
}

read_identity() {
  local doc
  if ! doc="$(retrying "IMDSv2 ($IMDS_ENDPOINT)" imds_document)"; then
    echo "test-vm-client: cannot read the instance identity from IMDSv2 at $IMDS_ENDPOINT" >&2
    exit "$EXIT_TEMPFAIL"
  fi
  doc="$(printf '%s' "$doc" | tr -d '\n')"
  INSTANCE_ID="$(printf '%s' "$doc" | json_field instanceId)"
  INSTANCE_TYPE="$(printf '%s' "$doc" | json_field instanceType)"
  ARCH="$(printf '%s' "$doc" | json_field architecture)"
  [ -n "$AWS_REGION" ] || AWS_REGION="$(printf '%s' "$doc" | json_field region)"
  if [ -z "$INSTANCE_ID" ] || [ -z "$AWS_REGION" ]; then
    echo "test-vm-client: the instance identity document has no instanceId or region: $doc" >&2
    exit "$EXIT_TEMPFAIL"
  fi
  export AWS_REGION
}

# aws_s3 (lib/client_common.sh) passes --region "$AWS_REGION": read_identity has set it or exited.

# s3_get KEY FILE: 0 fetched, 3 no such object, other: S3 unreachable after retries.
s3_get() {
  retrying "download s3://$RESULTS_BUCKET/$1" aws_s3 s3api get-object --bucket "$RESULTS_BUCKET" --key "$1" "$2" \
    >/dev/null
}

s3_put() {
  retrying "upload s3://$RESULTS_BUCKET/$2" aws_s3 s3api put-object --bucket "$RESULTS_BUCKET" --key "$2" \
    --body "$1" >/dev/null
}

# put_or_die FILE KEY: uploads or gives up the boot (the stage result is kept locally; a restart resumes).
put_or_die() {
  if ! s3_put "$1" "$2"; then
    log "giving up: S3 is unreachable; the next start of the client resumes from here"
    exit "$EXIT_TEMPFAIL"
  fi
}

# put_outputs_or_die FILE NAME [FILE NAME]...: uploads each FILE as OUT_PREFIX/NAME in one call of the aws CLI (one
# process, its own parallel transfers: a process per file cost about 0.6 s each), or gives up the boot as put_or_die.
# The files are copied into a fresh outbox first, so what is uploaded is what they held now (the log keeps growing);
# a NAME given twice keeps its last FILE. A retry uploads them all again: each upload is a whole-object put.
put_outputs_or_die() {
  local outbox="$STATE_DIR/outbox-$$" names=()
  rm -rf "$outbox"
  mkdir -p "$outbox"
  while [ "$#" -ge 2 ]; do
    cp -f "$1" "$outbox/$2"
    names+=("$2")
    shift 2
  done
  if ! retrying "upload ${names[*]} to s3://$RESULTS_BUCKET/$OUT_PREFIX/" aws_s3 s3 cp --recursive --only-show-errors \
      "$outbox" "s3://$RESULTS_BUCKET/$OUT_PREFIX/" >/dev/null; then
    log "giving up: S3 is unreachable; the next start of the client resumes from here"
    exit "$EXIT_TEMPFAIL"
  fi
  rm -rf "$outbox"
}

# ------------------------------------------------------------------------------------------------------ run layout

set_layout() {
  TEST_PREFIX="$RUN_PREFIX/test_$TEST_NAME"
  PAYLOAD_KEY="$TEST_PREFIX/input/${TEST_NAME}_test_payload.zip"
  OUT_PREFIX="$TEST_PREFIX/output/$INSTANCE_ID"
  STATE_KEY="$TEST_PREFIX/state/$INSTANCE_ID/run_id.txt"
  SHARED_PREFIX="$RUN_PREFIX/shared/"
  if [ "$RUN_AS" = "$(id -un)" ]; then
    RUN_AS_HOME="$HOME"
  else
    RUN_AS_HOME="$(getent passwd "$RUN_AS" | cut -d: -f6)"
  fi
  WORK="${WORK_DIR:-$RUN_AS_HOME/test-$RUN_PREFIX-work}"
  TEST_DIR="$WORK/test"
  SHARED_DIR="$WORK/shared"
  STATE_DIR="$WORK/.pullab"
  WORK_TMP="$STATE_DIR/tmp"
  mkdir -p "$TEST_DIR" "$SHARED_DIR" "$WORK_TMP"
}

stages() {
  find "$TEST_DIR" -maxdepth 1 -type f \( -name 'run.sh' -o -name 'run*.sh' \) -printf '%f\n' | sort -V
}

# ------------------------------------------------------------------------------------------------- reporting

# write_stats RESULT TOTAL RUN: stats.json, with our keys (instance, result, one entry per stage run) and pullab_cloud's
# (exit_code, runtime_seconds: the stages' time summed, last_run_runtime_seconds, start_time and end_time in epoch
# seconds, success, total_runs, completed_runs, and failed_at_run when the run failed), same types and meanings.
# exit_code is 0 on SUCCESS, else the failing stage's exit code (124 after its timeout), 1 when it has none (payload
# missing, VM restarted or max runtime reached during the stage).
write_stats() {
  local result="$1" total="$2" run="$3" n first=1 started ended code script
  local runtime=0 last_runtime=0 end_time exit_code=0 success=true completed="$total"
  end_time="$(date +%s)"
  {
    printf '{\n  "instance_id": "%s",\n  "instance_type": "%s",\n  "arch": "%s",\n  "region": "%s",\n' \
      "$INSTANCE_ID" "$INSTANCE_TYPE" "$ARCH" "$AWS_REGION"
    printf '  "test": "%s",\n  "run_prefix": "%s",\n  "result": "%s",\n  "stages_total": %s,\n' \
      "$TEST_NAME" "$RUN_PREFIX" "$result" "$total"
    printf '  "first_boot": "%s",\n  "finished": "%s",\n  "stages": [' \
      "$(iso "$(cat "$STATE_DIR/first-boot")")" "$(iso "$end_time")"
    for ((n = 1; n <= total; n++)); do
      [ -f "$STATE_DIR/stage-$n.start" ] || continue
      started="$(cat "$STATE_DIR/stage-$n.start")"
      ended="$(cat "$STATE_DIR/stage-$n.end" 2>/dev/null || echo "$end_time")"
      code="$(cat "$STATE_DIR/stage-$n.exit" 2>/dev/null || echo null)"
      script="$(cat "$STATE_DIR/stage-$n.script")"
      runtime=$((runtime + ended - started))
      last_runtime=$((ended - started))
      [ "$first" = 1 ] || printf ','
      first=0
      printf '\n    {"run": %s, "script": "%s", "exit_code": %s, "started": "%s", "finished": "%s", "duration_s": %s}' \
        "$n" "$script" "$code" "$(iso "$started")" "$(iso "$ended")" "$((ended - started))"
    done
    printf '\n  ],\n'
    if [ "$result" != SUCCESS ]; then
      success=false
      completed=$((run > 0 ? run - 1 : 0))
      exit_code="$(cat "$STATE_DIR/stage-$run.exit" 2>/dev/null || echo 1)"
      [[ "$exit_code" =~ ^[0-9]+$ ]] && [ "$exit_code" != 0 ] || exit_code=1
    fi
    printf '  "exit_code": %s,\n  "runtime_seconds": %s,\n  "last_run_runtime_seconds": %s,\n' \
      "$exit_code" "$runtime" "$last_runtime"
    printf '  "start_time": %s,\n  "end_time": %s,\n  "success": %s,\n  "total_runs": %s,\n  "completed_runs": %s' \
      "$(cat "$STATE_DIR/first-boot")" "$end_time" "$success" "$total" "$completed"
    [ "$success" = true ] || printf ',\n  "failed_at_run": %s' "$run"
    printf '\n}\n'
  } > "$STATE_DIR/stats.json"
}

# finish RESULT RUN: uploads the run's outputs in one call (with the files after_stage left in PENDING_OUTPUTS), then
# result.txt alone and last: its notification tells the analyzer "this VM is done", so every other output must be in
# S3 before it. Then powers off. The first caller wins (the safety timer and the client may race); a finished run
# stays finished.
PENDING_OUTPUTS=()
finish() {
  local result="$1" run="$2" total csv outputs=("${PENDING_OUTPUTS[@]}")
  exec 8>"$STATE_DIR/finish.lock"
  flock 8
  if [ -f "$STATE_DIR/finished" ] && [ "$(cat "$STATE_DIR/finished")" != "$result" ]; then
    log "run already finished as '$(cat "$STATE_DIR/finished")'; not reporting '$result'"
    power_off
  fi
  log "run over: $result"
  total="$(stages | wc -l)"
  printf '%s\n' "$result" > "$STATE_DIR/result.txt"
  write_stats "$result" "$total" "$run"
  # benchmark CSVs anywhere in the test directory; results_* files (pullab_cloud's, e.g. results_ltp-syscalls.log)
  # at its top, as pullab_cloud uploads them
  while IFS= read -r -d '' csv; do
    outputs+=("$csv" "$(basename "$csv")")
  done < <(find "$TEST_DIR" -type f -name 'benchmark-*.csv' -print0; find "$TEST_DIR" -maxdepth 1 -type f -name 'results_*' -print0)
  if [ -f "$TEST_DIR/results.json" ]; then
    outputs+=("$TEST_DIR/results.json" results.json)
  fi
  outputs+=("$STATE_DIR/stats.json" stats.json "$LOG_FILE" "client-$run.log")
  put_outputs_or_die "${outputs[@]}"
  put_or_die "$STATE_DIR/result.txt" "$OUT_PREFIX/result.txt"
  printf '%s\n' "$result" > "$STATE_DIR/finished"
  power_off
}

power_off() {
  log "powering off ($POWEROFF_CMD)"
  bash -c "$POWEROFF_CMD"
  exit 0
}

request_reboot() {
  if [ "$LAUNCHER" = ssm ]; then
    log "requesting a reboot from SSM (exit $EXIT_REBOOT)"
  else
    log "rebooting ($REBOOT_CMD)"
    bash -c "$REBOOT_CMD"
  fi
  exit "$EXIT_REBOOT"
}

# --------------------------------------------------------------------------------------------------- safety timer

arm_safety_timer() {
  local remaining="$1" args=("$RESULTS_BUCKET" "$RUN_PREFIX" "$TEST_NAME" "$AWS_REGION")
  case "$SAFETY_TIMER" in
    systemd)
      local setenv=() v
      for v in S3_ENDPOINT_URL MAX_RUNTIME IMDS_ENDPOINT BOOT_ID_FILE POWEROFF_CMD RUN_AS WORK_DIR LAUNCHER \
          S3_ATTEMPTS S3_BACKOFF_MAX; do
        [ -z "${!v:-}" ] || setenv+=(--setenv="$v=${!v}")
      done
      systemd-run --quiet --collect --unit="pullab-max-runtime-$$" --on-active="${remaining}s" "${setenv[@]}" \
        "$SELF" expire "${args[@]}" >/dev/null 2>&1 || log "cannot arm the systemd safety timer"
      shutdown -P "+$(((remaining + 600) / 60))" >/dev/null 2>&1 || true   # backstop if reporting hangs
      ;;
    background)
      (
        exec 9>&- 8>&-
        sleep "$remaining"
        exec "$SELF" expire "${args[@]}"
      ) </dev/null >/dev/null 2>&1 &
      disown
      ;;
    none)
      log "safety timer disabled (SAFETY_TIMER=none)"
      return 0
      ;;
    *)
      log "unknown SAFETY_TIMER '$SAFETY_TIMER' (systemd, background or none): no safety timer"
      return 0
      ;;
  esac
  log "safety timer: power off in $remaining s (MAX_RUNTIME $MAX_RUNTIME s)"
}

expire() {
  load_config "$@"
  read_identity
  set_layout
  LOG_FILE="$STATE_DIR/boot-$(cat "$BOOT_ID_FILE").log"
  local run
  run="$(cat "$STATE_DIR/current-run" 2>/dev/null || echo 0)"
  finish "FAILED: Max runtime $MAX_RUNTIME s exceeded at run $run" "$run"
}

# ------------------------------------------------------------------------------------------------------- heartbeat
# The sweeper fails a VM whose serial console and outputs stay unchanged past its hang threshold (30 min by default).
# A stage's output goes to its log file, not to the console, so while a stage runs the client prints a heartbeat to
# the kernel log (KMSG, /dev/kmsg), which the kernel also prints on the serial console: at the stage's start, every
# HEARTBEAT_SECONDS (300) while it runs, and at its end. Notice level (5): printed with the default console log level,
# not under a 'quiet' kernel command line (loglevel 4). Nothing is printed when KMSG is not writable.

# heartbeat MESSAGE...: one 'pullab: heartbeat ...' line in the kernel log (appended: /dev/kmsg takes each write as
# one record, a file given as KMSG keeps them all).
heartbeat() {
  [ -w "$KMSG" ] || return 0
  printf '<5>pullab: heartbeat %s\n' "$*" 2>/dev/null >> "$KMSG" || true
}

# start_heartbeat RUN TOTAL: the loop printing a heartbeat while the stage runs, in the background (HEARTBEAT_PID);
# stop_heartbeat ends it with its sleep.
start_heartbeat() {
  local run="$1" total="$2" started client="$$"
  started="$(date +%s)"
  (
    exec 9>&-
    # a client that died (killed mid-stage) must not leave a heartbeat that makes a hung VM look alive
    sleeper=""
    trap '[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$HEARTBEAT_SECONDS" &
      sleeper=$!
      wait "$sleeper"
      kill -0 "$client" 2>/dev/null || exit 0
      heartbeat "test $TEST_NAME run $run/$total running $(($(date +%s) - started)) s"
    done
  ) </dev/null >/dev/null 2>&1 3>&- &
  HEARTBEAT_PID=$!
}

stop_heartbeat() {
  [ -n "${HEARTBEAT_PID:-}" ] || return 0
  kill "$HEARTBEAT_PID" 2>/dev/null || true
  wait "$HEARTBEAT_PID" 2>/dev/null || true
  HEARTBEAT_PID=""
}

# ------------------------------------------------------------------------------------------------------ the stages

fetch_payload() {
  [ -f "$STATE_DIR/payload.done" ] && return 0
  local rc
  s3_get "$PAYLOAD_KEY" "$WORK_TMP/payload.zip"
  rc=$?
  if [ "$rc" = 3 ]; then
    finish "FAILED: Payload s3://$RESULTS_BUCKET/$PAYLOAD_KEY not found" 1
  elif [ "$rc" != 0 ]; then
    log "giving up: cannot download the payload"
    exit "$EXIT_TEMPFAIL"
  fi
  if ! unzip -q -o "$WORK_TMP/payload.zip" -d "$TEST_DIR" 2>"$WORK_TMP/unzip-error"; then
    finish "FAILED: Payload s3://$RESULTS_BUCKET/$PAYLOAD_KEY is not a valid zip: $(head -c 200 "$WORK_TMP/unzip-error")" 1
  fi
  chmod +x "$TEST_DIR"/*.sh 2>/dev/null || true
  if ! retrying "download s3://$RESULTS_BUCKET/$SHARED_PREFIX" aws_s3 s3 cp --recursive --only-show-errors \
      "s3://$RESULTS_BUCKET/$SHARED_PREFIX" "$SHARED_DIR"; then
    log "giving up: cannot download the shared artifacts"
    exit "$EXIT_TEMPFAIL"
  fi
  [ "$RUN_AS" = "$(id -un)" ] || chown -R "$RUN_AS" "$TEST_DIR" "$SHARED_DIR"
  touch "$STATE_DIR/payload.done"
  log "payload unpacked into $TEST_DIR ($(stages | wc -l) stages)"
}

# ------------------------------------------------------------------ the stage's parameters (issue 19, item 2)
# Besides the client's own PULLAB_* names (run_stage), a stage's environment holds, later sources winning:
#   1. in the SSM call (LAUNCHER=ssm), what the caller exported: pullab_cloud's launcher exports a config's
#      test_params (KERNEL_URL, ...) before it runs the client, and its client passed them on;
#   2. every variable params.env assigns (the lab's PULLAB_*, pullab_cloud's KERNEL_URL, MODULES_URL, ROOTFS_URL,
#      ARCH, KERNELCI_NODE_ID, PULL_LABS_TESTS, PULL_LABS_TESTS_JSON, a config's test_params), read by a clean bash as
#      the stage's user;
# never a reserved name (stage_reserved): the client sets those itself, or they change how bash, the dynamic loader
# or the aws CLI run. The orchestrator refuses them before (core's StageParams, the same list).

# The caller's environment, before load_config adds the client's settings (used in the SSM call only).
mapfile -d '' -t CALLER_ENV < <(env -0)

# stage_reserved NAME: true when NAME may not reach a stage from the caller or params.env.
stage_reserved() {
  case "$1" in
    PATH|HOME|USER|LOGNAME|LANG|TERM|ENV|PS4|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|IFS|CDPATH|GLOBIGNORE) return 0 ;;
    POSIXLY_CORRECT|SHELL|SHLVL|PWD|OLDPWD|_|GCONV_PATH|PERLLIB|RUBYOPT|RUBYLIB|NODE_OPTIONS) return 0 ;;
    JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|BASH_*|LD_*|PYTHON*|PERL5*|AWS_*) return 0 ;;
  esac
  ! [[ "$1" =~ ^[A-Z_][A-Z0-9_]{0,63}$ ]]
}

# stage_params: fills STAGE_PARAMS with NAME=value words for env, from the caller (SSM call) and params.env; ends the
# run as FAILED when params.env cannot be read or assigns a reserved name (a payload the orchestrator did not write).
stage_params() {
  STAGE_PARAMS=()
  local pair name from_file=() file="$TEST_DIR/params.env"
  if [ "$LAUNCHER" = ssm ]; then
    for pair in "${CALLER_ENV[@]}"; do
      name="${pair%%=*}"
      stage_reserved "$name" || [[ "$name" == PULLAB_* ]] || STAGE_PARAMS+=("$pair")
    done
  fi
  [ -f "$file" ] || return 0
  # the last word is the exit status of the sourcing bash: rc=0, or rc=N when params.env does not source
  # shellcheck disable=SC2016  # $1 is expanded by the sourcing bash
  mapfile -d '' -t from_file < <(cd "$TEST_DIR" && "${as_user[@]}" env -i bash --noprofile --norc \
      -c 'set -a; . "$1" >/dev/null || exit 3; env -0' pullab-params "$file"; printf 'rc=%s' "$?")
  [ "${from_file[-1]}" = rc=0 ] || finish "FAILED: params.env cannot be sourced (${from_file[-1]})" "$1"
  unset 'from_file[-1]'
  for pair in "${from_file[@]}"; do
    name="${pair%%=*}"
    case "$name" in PWD|SHLVL|_) continue ;; esac   # bash's own
    if stage_reserved "$name"; then
      finish "FAILED: params.env sets $name, a reserved name (see vm-tests/README.md)" "$1"
    fi
    STAGE_PARAMS+=("$pair")
  done
}

# stage_timeout SCRIPT: a '# pullab-timeout: SECONDS' line in the script, else STAGE_TIMEOUT.
stage_timeout() {
  local t
  t="$(sed -n 's/^#[[:space:]]*pullab-timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$TEST_DIR/$1" | head -n 1)"
  echo "${t:-$STAGE_TIMEOUT}"
}

run_stage() {
  local run="$1" script="$2" total="$3" limit code
  limit="$(stage_timeout "$script")"
  printf '%s\n' "$run" > "$WORK_TMP/run_id.txt"
  put_or_die "$WORK_TMP/run_id.txt" "$STATE_KEY"
  printf '%s\n' "$run" > "$STATE_DIR/current-run"
  printf '%s\n' "$BOOT_ID" > "$STATE_DIR/stage-$run.boot"
  printf '%s\n' "$script" > "$STATE_DIR/stage-$run.script"
  date +%s > "$STATE_DIR/stage-$run.start"
  log "run $run/$total: $script (timeout $limit s, as $RUN_AS)"
  local as_user=()
  [ "$RUN_AS" = "$(id -un)" ] || as_user=(runuser -u "$RUN_AS" --)
  stage_params "$run"
  heartbeat "test $TEST_NAME run $run/$total started: $script (timeout $limit s)"
  start_heartbeat "$run" "$total"
  # a clean environment: the stage's parameters, then the client's names (the client's settings, bucket, run
  # prefix, …, are not the stage's business)
  local env_vars=("${STAGE_PARAMS[@]}"
    PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$RUN_AS_HOME" USER="$RUN_AS"
    LOGNAME="$RUN_AS" LANG="${LANG:-C.UTF-8}" TERM=dumb
    PULLAB_STAGE="$run" PULLAB_STAGES="$total" PULLAB_INSTANCE_ID="$INSTANCE_ID"
    PULLAB_INSTANCE_TYPE="$INSTANCE_TYPE" PULLAB_ARCH="$ARCH" PULLAB_REGION="$AWS_REGION"
    PULLAB_TEST_DIR="$TEST_DIR" PULLAB_SHARED_DIR="$SHARED_DIR" PULLAB_SIMULATE="$PULLAB_SIMULATE"
    PULLAB_PARAMS_ENV="$TEST_DIR/params.env")
  [ -z "$PULLAB_SIMULATE_SEED" ] || env_vars+=(PULLAB_SIMULATE_SEED="$PULLAB_SIMULATE_SEED")
  (
    cd "$TEST_DIR" || exit 1
    "${as_user[@]}" env -i "${env_vars[@]}" timeout --kill-after=30 "$limit" bash -x "./$script"
  ) > "$STATE_DIR/run-$run-output.log" 2>&1 </dev/null
  code=$?
  stop_heartbeat
  date +%s > "$STATE_DIR/stage-$run.end"
  heartbeat "test $TEST_NAME run $run/$total ended with exit code $code after" \
    "$(($(cat "$STATE_DIR/stage-$run.end") - $(cat "$STATE_DIR/stage-$run.start"))) s"
  if [ "$code" = 124 ] || [ "$code" = 137 ]; then
    printf '%s\n' "$limit" > "$STATE_DIR/stage-$run.timeout"
  fi
  printf '%s\n' "$code" > "$STATE_DIR/stage-$run.exit"
  log "run $run finished with exit code $code"
}

# after_stage RUN TOTAL: uploads the stage's log (with the run's outputs when it ends the run, else with this boot's
# client log, one call either way), then reboots for the next stage or ends the run. Safe to repeat.
after_stage() {
  local run="$1" total="$2" code
  code="$(cat "$STATE_DIR/stage-$run.exit")"
  PENDING_OUTPUTS=("$STATE_DIR/run-$run-output.log" "run-$run-output.log")
  if [ -f "$STATE_DIR/stage-$run.timeout" ]; then
    finish "FAILED: Timeout after $(cat "$STATE_DIR/stage-$run.timeout") s at run $run" "$run"
  elif [ "$code" != 0 ] && [ "$code" != "$EXIT_REBOOT" ]; then
    finish "FAILED: Exit code $code at run $run" "$run"
  elif [ "$run" -ge "$total" ]; then
    finish "SUCCESS" "$run"
  fi
  put_outputs_or_die "${PENDING_OUTPUTS[@]}" "$LOG_FILE" "client-$run.log"
  PENDING_OUTPUTS=()
  request_reboot
}

run_boot() {
  load_config "$@"
  read_identity
  set_layout
  exec 9>"$STATE_DIR/client.lock"
  if ! flock -n 9; then
    echo "test-vm-client: another client instance is running this test; nothing to do" >&2
    exit 0
  fi
  BOOT_ID="$(cat "$BOOT_ID_FILE")"
  LOG_FILE="$STATE_DIR/boot-$BOOT_ID.log"
  log "boot $BOOT_ID of $INSTANCE_ID ($INSTANCE_TYPE, $ARCH, $AWS_REGION): test $TEST_NAME of $RUN_PREFIX"
  if [ -f "$STATE_DIR/finished" ]; then
    log "the run is already over: $(cat "$STATE_DIR/finished")"
    power_off
  fi
  local now deadline
  now="$(date +%s)"
  [ -f "$STATE_DIR/first-boot" ] || printf '%s\n' "$now" > "$STATE_DIR/first-boot"
  deadline=$(( $(cat "$STATE_DIR/first-boot") + MAX_RUNTIME ))
  if [ "$now" -ge "$deadline" ]; then
    finish "FAILED: Max runtime $MAX_RUNTIME s exceeded at run $(cat "$STATE_DIR/current-run" 2>/dev/null || echo 0)" \
      "$(cat "$STATE_DIR/current-run" 2>/dev/null || echo 1)"
  fi
  arm_safety_timer $((deadline - now))
  fetch_payload

  local scripts total last rc next
  mapfile -t scripts < <(stages)
  total="${#scripts[@]}"
  [ "$total" -gt 0 ] || finish "FAILED: No run.sh or run*.sh in the payload" 1

  s3_get "$STATE_KEY" "$WORK_TMP/run_id.txt"
  rc=$?
  case "$rc" in
    0) last="$(tr -dc '0-9' < "$WORK_TMP/run_id.txt")"; last="${last:-0}" ;;
    3) last=0 ;;
    *) log "giving up: cannot read the stage counter"; exit "$EXIT_TEMPFAIL" ;;
  esac

  if [ "$last" -gt 0 ]; then
    if [ "$(cat "$STATE_DIR/stage-$last.boot" 2>/dev/null)" = "$BOOT_ID" ]; then
      # a re-delivery within the boot that ran stage $last: never run it again, finish its reporting
      [ -f "$STATE_DIR/stage-$last.exit" ] || finish "FAILED: Client interrupted during run $last" "$last"
      log "run $last already ran in this boot; resuming its reporting"
      after_stage "$last" "$total"
    fi
    if [ ! -f "$STATE_DIR/stage-$last.exit" ]; then
      finish "FAILED: Run $last did not finish (the VM restarted during it)" "$last"
    fi
    rc="$(cat "$STATE_DIR/stage-$last.exit")"
    if [ -f "$STATE_DIR/stage-$last.timeout" ] || { [ "$rc" != 0 ] && [ "$rc" != "$EXIT_REBOOT" ]; }; then
      after_stage "$last" "$total"
    fi
  fi
  next=$((last + 1))
  [ "$next" -le "$total" ] || finish "SUCCESS" "$last"
  run_stage "$next" "${scripts[$((next - 1))]}" "$total"
  after_stage "$next" "$total"
}

# --------------------------------------------------------------------------------------------------------- install

install_service() {
  local root="${PULLAB_ROOT:-}" bucket="" prefix="" test="" region="" endpoint="" stage_timeout="" max_runtime=""
  local run_as="" simulate=""
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --bucket) bucket="$2"; shift 2 ;;
      --run-prefix) prefix="$2"; shift 2 ;;
      --test) test="$2"; shift 2 ;;
      --region) region="$2"; shift 2 ;;
      --endpoint-url) endpoint="$2"; shift 2 ;;
      --stage-timeout) stage_timeout="$2"; shift 2 ;;
      --max-runtime) max_runtime="$2"; shift 2 ;;
      --run-as) run_as="$2"; shift 2 ;;
      --simulate) simulate=1; shift ;;
      *) echo "test-vm-client install: unknown option '$1'" >&2; exit "$EXIT_USAGE" ;;
    esac
  done
  if [ -z "$bucket" ] || [ -z "$prefix" ] || [ -z "$test" ]; then
    echo "test-vm-client install: --bucket, --run-prefix and --test are required" >&2
    exit "$EXIT_USAGE"
  fi
  mkdir -p "$root/usr/local/sbin" "$root/etc/pullab" "$root/etc/systemd/system"
  install -m 0755 "$SELF" "$root/usr/local/sbin/pullab-test-vm-client"
  {
    printf '# written by test-vm-client.sh install\n'
    printf 'RESULTS_BUCKET=%q\nRUN_PREFIX=%q\nTEST_NAME=%q\n' "$bucket" "$prefix" "$test"
    [ -z "$region" ] || printf 'AWS_REGION=%q\n' "$region"
    [ -z "$endpoint" ] || printf 'S3_ENDPOINT_URL=%q\n' "$endpoint"
    [ -z "$stage_timeout" ] || printf 'STAGE_TIMEOUT=%q\n' "$stage_timeout"
    [ -z "$max_runtime" ] || printf 'MAX_RUNTIME=%q\n' "$max_runtime"
    [ -z "$run_as" ] || printf 'RUN_AS=%q\n' "$run_as"
    [ -z "$simulate" ] || printf 'PULLAB_SIMULATE=1\n'
  } > "$root/etc/pullab/client.env"
  cat > "$root/etc/systemd/system/$UNIT_NAME" <<UNIT
[Unit]
Description=pullab test VM client: one test stage per boot, results to S3
Wants=network-online.target
After=network-online.target cloud-final.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/pullab-test-vm-client run
SuccessExitStatus=$EXIT_REBOOT
Restart=on-failure
RestartSec=60
TimeoutStartSec=infinity
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
  if [ -z "$root" ]; then
    systemctl daemon-reload
    systemctl enable "$UNIT_NAME"
    systemctl start --no-block "$UNIT_NAME"
  fi
  echo "installed $UNIT_NAME for test $test of $prefix (bucket $bucket)"
}

# ------------------------------------------------------------------------------------------------------------ main

main() {
  case "${1:-}" in
    run) shift; run_boot "$@" ;;
    install) shift; install_service "$@" ;;
    expire) shift; expire "$@" ;;
    -h|--help|help) usage ;;
    "") run_boot ;;
    *)
      if [ "$#" -ge 3 ]; then
        run_boot "$@"
      else
        usage >&2
        exit "$EXIT_USAGE"
      fi ;;
  esac
}

main "$@"
