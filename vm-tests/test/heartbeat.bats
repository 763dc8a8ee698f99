#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The client's heartbeat in the kernel log (KMSG, a file here), which keeps a VM running a long quiet stage from
# looking hung to the sweeper: a line at the stage's start, every HEARTBEAT_SECONDS while it runs, one at its end.

load helpers

setup_file() {
  start_services
}

teardown_file() {
  stop_services
}

setup() {
  new_run demo
  export KMSG="$BATS_TEST_TMPDIR/kmsg" HEARTBEAT_SECONDS=1
  : > "$KMSG"
}

@test "a stage longer than the interval: start, periodic and end lines at notice level, tagged pullab" {
  stage run.sh 'sleep 3.5'
  upload_payload

  boot

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
  grep -q '^<5>pullab: heartbeat test demo run 1/1 started: run.sh (timeout 3600 s)$' "$KMSG"
  [ "$(grep -c '^<5>pullab: heartbeat test demo run 1/1 running [0-9]* s$' "$KMSG")" -ge 2 ]
  grep -q '^<5>pullab: heartbeat test demo run 1/1 ended with exit code 0 after [0-9]* s$' "$KMSG"
  [ "$(tail -n 1 "$KMSG" | grep -c 'ended with exit code 0')" -eq 1 ]
}

@test "the heartbeat stops with the stage: nothing more is written after the client is done" {
  stage run.sh 'sleep 1.5'
  upload_payload

  boot
  [ "$status" -eq 0 ]
  local lines
  lines="$(wc -l < "$KMSG")"
  sleep 2.5

  [ "$(wc -l < "$KMSG")" -eq "$lines" ]
}

@test "a failing stage ends its heartbeat with its exit code" {
  stage run.sh 'exit 3'
  upload_payload

  boot

  [ "$(output_of result.txt)" = "FAILED: Exit code 3 at run 1" ]
  grep -q 'heartbeat test demo run 1/1 ended with exit code 3 after' "$KMSG"
}

@test "without a writable kernel log the stage runs all the same and nothing is written" {
  export KMSG="$BATS_TEST_TMPDIR/no-such-dir/kmsg"
  stage run.sh 'sleep 1.5'
  upload_payload

  boot

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
  [ ! -e "$KMSG" ]
}

@test "HEARTBEAT_SECONDS that is not a positive whole number is a usage error naming it" {
  export HEARTBEAT_SECONDS=5m
  stage run.sh 'true'
  upload_payload

  boot

  [ "$status" -eq 2 ]
  [[ "$stderr" == *"HEARTBEAT_SECONDS must be a positive whole number, got '5m'"* ]]
}
