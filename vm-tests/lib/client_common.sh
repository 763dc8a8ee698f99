#!/usr/bin/env bash
# The functions the VM client (test-vm-client.sh) and the QEMU runner (qemu-runner/qemu-runner.sh) share: usage,
# log, retrying, aws_s3, json_field and iso. Sourced by both, once, near their top; not meant for tests (their stages
# reach lib/ through common_lib.sh, see vm-tests/README.md). Defines functions only.
#
# Shipped with each: the runner's image copies lib/*.sh to /opt/pullab/lib/ (qemu-runner/Dockerfile); the client
# goes to a VM as one file, so the orchestrator inlines this file in place of the client's source line when it loads
# the bundled vm-tests (VmTestBundle). Keep it free of BASH_SOURCE and of top-level return.
#
# What the caller sets (read when a function runs, not when this file is sourced):
#   SELF, USAGE_END  the caller's own path and the last line of its header comment, which usage prints
#   LOG_TAG          the tag of its log lines (pullab-client, pullab-qemu)
#   LOG_FILE         the file log() appends to besides stderr (/dev/null until the caller has one)
#   WORK_TMP         a scratch directory: retrying keeps the last error in $WORK_TMP/last-error
#   S3_ATTEMPTS, S3_BACKOFF_MAX
#                    retrying's attempts and backoff cap (seconds)
#   RETRY_NOT_FOUND  optional: an extended regular expression; an error matching it means "no such object":
#                    retrying then returns 3 at once instead of retrying
#   AWS_REGION, S3_ENDPOINT_URL
#                    aws_s3's --region and --endpoint-url, each passed when not empty

# usage: lines 2 to USAGE_END of the caller (its header comment), without their '# '.
usage() {
  sed -n "2,${USAGE_END}p" "$SELF" | sed 's/^# \{0,1\}//'
}

log() {
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) [$LOG_TAG] $*"
  printf '%s\n' "$line" >&2
  printf '%s\n' "$line" >> "$LOG_FILE"
}

# retrying DESCRIPTION COMMAND...: runs COMMAND until it succeeds, S3_ATTEMPTS times at most, with capped exponential
# backoff. Output of the last attempt goes to stdout/stderr. Returns 0; 3 at once when RETRY_NOT_FOUND matches the
# error; else the last exit code.
retrying() {
  local what="$1" attempt=1 wait=1 rc
  shift
  while :; do
    "$@" 2> "$WORK_TMP/last-error"
    rc=$?
    [ "$rc" = 0 ] && return 0
    if [ -n "${RETRY_NOT_FOUND:-}" ] && grep -qE "$RETRY_NOT_FOUND" "$WORK_TMP/last-error"; then
      return 3
    fi
    if [ "$attempt" -ge "$S3_ATTEMPTS" ]; then
      log "$what failed after $attempt attempts: $(tr '\n' ' ' < "$WORK_TMP/last-error")"
      return "$rc"
    fi
    log "$what failed (attempt $attempt/$S3_ATTEMPTS), retrying in ${wait} s: $(head -c 300 "$WORK_TMP/last-error" | tr '\n' ' ')"
    sleep "$wait"
    attempt=$((attempt + 1))
    wait=$((wait * 2 > S3_BACKOFF_MAX ? S3_BACKOFF_MAX : wait * 2))
  done
}

# aws_s3 ARGS...: the aws CLI with the caller's region and S3 endpoint. The CLI retries once by itself (the callers
# export AWS_RETRY_MODE=standard, AWS_MAX_ATTEMPTS=2); retrying owns the backoff, so an outage is retried for a
# predictable time whatever CLI version the machine has.
# shellcheck disable=SC2317  # called through retrying
aws_s3() {
  local args=()
  [ -z "$AWS_REGION" ] || args+=(--region "$AWS_REGION")
  [ -z "$S3_ENDPOINT_URL" ] || args+=(--endpoint-url "$S3_ENDPOINT_URL")
  aws "${args[@]}" "$@"
}

# json_field NAME: the string value of "NAME" in the JSON on stdin (first match, flat values only).
json_field() {
  sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n 1
}

# iso EPOCH: the UTC time EPOCH seconds, as 2026-01-31T12:00:00Z.
iso() {
  date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}
