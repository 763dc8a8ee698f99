#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The VM client against real S3 (moto_server) and an IMDSv2 stub; reboots simulated by re-running the client.

load helpers

setup_file() {
  start_services
}

teardown_file() {
  stop_services
}

setup() {
  new_run demo
}

@test "one stage: runs it, uploads its logs, result SUCCESS, stats and CSVs, then powers off" {
  stage run.sh 'echo hello from the stage; printf "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\nm,lps,1,true,6.1,${PULLAB_INSTANCE_ID},${PULLAB_INSTANCE_TYPE},${PULLAB_ARCH}\n" > benchmark-base-1.csv'
  upload_payload

  boot

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
  output_of run-1-output.log | grep -q '^+ echo hello from the stage'
  output_of run-1-output.log | grep -q '^hello from the stage'
  output_of client-1.log | grep -q 'run 1/1: run.sh'
  output_of stats.json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["result"]=="SUCCESS" and s["stages"][0]["exit_code"]==0 and s["arch"]=="x86_64", s'
  output_of benchmark-base-1.csv | grep -q '^m,lps,1,true,6.1,i-0123456789abcdef0,m5.large,x86_64$'
  [ "$(s3_cat state/i-0123456789abcdef0/run_id.txt)" = "1" ]
  [ -f "$BATS_TEST_TMPDIR/powered-off" ]
}

@test "three stages in sort -V order with two reboots" {
  stage run-1-first.sh 'echo first >> "$HOME/order"'
  stage run-2-second.sh 'echo second >> "$HOME/order"; exit 194'
  stage run-10-third.sh 'echo third >> "$HOME/order"'
  upload_payload

  boot_until_done

  [ "$status" -eq 0 ]
  [ "$BOOTS" -eq 3 ]
  [ "$(cat "$HOME/order" | tr '\n' ' ')" = "first second third " ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
  s3_exists output/i-0123456789abcdef0/run-1-output.log
  s3_exists output/i-0123456789abcdef0/run-2-output.log
  s3_exists output/i-0123456789abcdef0/client-2.log
  [ "$(s3_cat state/i-0123456789abcdef0/run_id.txt)" = "3" ]
  [ -f "$BATS_TEST_TMPDIR/rebooted" ]
}

@test "a stage failing stops the chain: FAILED: Exit code 3 at run 2" {
  stage run-1.sh 'true'
  stage run-2.sh 'echo broken >&2; exit 3'
  stage run-3.sh 'touch "$HOME/stage3-ran"'
  upload_payload

  boot_until_done

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "FAILED: Exit code 3 at run 2" ]
  output_of run-2-output.log | grep -q broken
  [ ! -e "$HOME/stage3-ran" ]
  output_of stats.json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert [x["exit_code"] for x in s["stages"]]==[0,3], s'
}

@test "a stage over its timeout is killed and reported" {
  stage run.sh 'sleep 60'
  upload_payload
  export STAGE_TIMEOUT=1
  SECONDS=0

  boot

  [ "$status" -eq 0 ]
  [ "$SECONDS" -lt 30 ]
  [ "$(output_of result.txt)" = "FAILED: Timeout after 1 s at run 1" ]
}

@test "a script's '# pullab-timeout:' line overrides the stage timeout" {
  stage run.sh '# pullab-timeout: 2
sleep 60'
  upload_payload

  boot

  [ "$(output_of result.txt)" = "FAILED: Timeout after 2 s at run 1" ]
}

@test "a re-delivery of the same boot never runs a stage twice" {
  stage run-1.sh 'echo ran >> "$HOME/stage1-runs"'
  stage run-2.sh 'echo ran >> "$HOME/stage2-runs"'
  upload_payload

  boot
  [ "$status" -eq 194 ]
  boot
  [ "$status" -eq 194 ]
  reboot_vm
  boot
  boot

  [ "$status" -eq 0 ]
  [ "$(wc -l < "$HOME/stage1-runs")" -eq 1 ]
  [ "$(wc -l < "$HOME/stage2-runs")" -eq 1 ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
}

@test "a second client started while one is running does nothing" {
  stage run.sh 'sleep 3; echo ran >> "$HOME/runs"'
  upload_payload

  "$CLIENT" run 2>/dev/null &
  first=$!
  sleep 1.5
  boot
  wait "$first"

  [ "$status" -eq 0 ]
  [[ "$stderr" == *"another client instance is running"* ]]
  [ "$(wc -l < "$HOME/runs")" -eq 1 ]
}

@test "a VM that restarted during a stage reports it instead of running the stage again" {
  stage run-1.sh 'true'
  stage run-2.sh 'echo ran >> "$HOME/stage2-runs"'
  upload_payload
  boot
  reboot_vm
  rm -f "$HOME/test-$RUN_PREFIX-work/.pullab/stage-1.exit"   # as if the VM died before stage 1 ended

  boot

  [ "$(output_of result.txt)" = "FAILED: Run 1 did not finish (the VM restarted during it)" ]
  [ ! -e "$HOME/stage2-runs" ]
}

@test "a missing payload is reported as FAILED naming it, and the VM powers off" {
  boot

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "FAILED: Payload s3://$BUCKET/$RUN_PREFIX/test_demo/input/demo_test_payload.zip not found" ]
  [ -f "$BATS_TEST_TMPDIR/powered-off" ]
}

@test "S3 unreachable for a while: the client retries and carries on" {
  stage run.sh 'true'
  upload_payload
  port="$(free_port)"
  sed -i "s#^S3_ENDPOINT_URL=.*#S3_ENDPOINT_URL=http://127.0.0.1:$port#" "$PULLAB_CLIENT_CONFIG"
  # nothing answers on that port for 3 s; then it forwards to the test's S3, which holds the payload all along (so
  # the client's first answer is never a half-prepared bucket, however slow the machine)
  forwarder="$(start_late_forwarder "$port" "$MOTO_PORT" 3)"
  export S3_ATTEMPTS=12 S3_BACKOFF_MAX=2

  boot
  kill "$forwarder" 2>/dev/null || true

  [ "$status" -eq 0 ]
  [[ "$stderr" == *"retrying"* ]]
  [ -f "$BATS_TEST_TMPDIR/powered-off" ]
}

@test "S3 unreachable for good: a clear failure and exit 75 for systemd to restart later" {
  stage run.sh 'touch "$HOME/ran"'
  upload_payload
  sed -i "s#^S3_ENDPOINT_URL=.*#S3_ENDPOINT_URL=http://127.0.0.1:$(free_port)#" "$PULLAB_CLIENT_CONFIG"
  export S3_ATTEMPTS=2

  boot

  [ "$status" -eq 75 ]
  [[ "$stderr" == *"failed after 2 attempts"* ]]
  [[ "$stderr" == *"giving up"* ]]
  [ ! -e "$HOME/ran" ]
}

@test "the max runtime ends the run at the next boot after it" {
  stage run-1.sh 'exit 194'
  stage run-2.sh 'touch "$HOME/ran"'
  upload_payload
  boot
  reboot_vm
  echo 1 > "$HOME/test-$RUN_PREFIX-work/.pullab/first-boot"

  boot

  [ "$(output_of result.txt)" = "FAILED: Max runtime 14400 s exceeded at run 1" ]
  [ ! -e "$HOME/ran" ]
}

@test "the safety timer powers off a run that exceeds the max runtime during a stage" {
  # 12 s: time for the client to fetch the payload and start the stage even on a machine shared with several builds
  # (at 2 s, then 5 s, it sometimes expired before the stage began: "at run 0")
  stage run.sh 'sleep 60'
  upload_payload
  export SAFETY_TIMER=background MAX_RUNTIME=12 STAGE_TIMEOUT=90

  "$CLIENT" run 2>/dev/null &
  client=$!
  for _ in $(seq 1 240); do [ -f "$BATS_TEST_TMPDIR/powered-off" ] && break; sleep 0.25; done
  kill "$client" 2>/dev/null || true

  [ -f "$BATS_TEST_TMPDIR/powered-off" ]
  run output_of result.txt
  [ "$output" = "FAILED: Max runtime 12 s exceeded at run 1" ]
}

@test "started by SSM with arguments, as pullab_cloud did: exit 194 asks SSM to reboot" {
  stage run-1.sh 'true'
  stage run-2.sh 'true'
  upload_payload
  rm "$PULLAB_CLIENT_CONFIG"

  run --separate-stderr env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo us-east-1

  [ "$status" -eq 194 ]
  [ ! -e "$BATS_TEST_TMPDIR/rebooted" ]
  [[ "$stderr" == *"requesting a reboot from SSM"* ]]
}

@test "started as pullab_cloud's launch_vm.py calls it (BUCKET RUN_PREFIX TEST SAFETY_TIMEOUT): the stages run" {
  stage run-1.sh 'echo one >> "$HOME/order"'
  stage run-2.sh 'echo two >> "$HOME/order"'
  upload_payload
  rm "$PULLAB_CLIENT_CONFIG"

  run --separate-stderr env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 3600
  [ "$status" -eq 194 ]
  reboot_vm
  run --separate-stderr env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 3600

  [ "$status" -eq 0 ]
  [ "$(tr '\n' ' ' < "$HOME/order")" = "one two " ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
  [[ "$stderr" == *"us-east-1"* ]]   # the region still comes from IMDS
}

@test "pullab_cloud's SAFETY_TIMEOUT argument is the run's max runtime" {
  stage run-1.sh 'exit 194'
  stage run-2.sh 'touch "$HOME/ran"'
  upload_payload
  rm "$PULLAB_CLIENT_CONFIG"
  run env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 7200
  [ "$status" -eq 194 ]
  reboot_vm
  echo 1 > "$HOME/test-$RUN_PREFIX-work/.pullab/first-boot"

  run env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 7200

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "FAILED: Max runtime 7200 s exceeded at run 1" ]
  [ ! -e "$HOME/ran" ]
}

@test "a safety timeout and a region may follow in either order" {
  stage run.sh 'echo "$PULLAB_REGION" > "$HOME/region"'
  upload_payload
  rm "$PULLAB_CLIENT_CONFIG"

  run --separate-stderr env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo eu-west-2 900

  [ "$status" -eq 0 ]
  [ "$(cat "$HOME/region")" = "eu-west-2" ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
}

@test "a 4th argument that is neither a timeout nor a region is a usage error naming it; nothing runs" {
  stage run.sh 'touch "$HOME/ran"'
  upload_payload
  rm "$PULLAB_CLIENT_CONFIG"

  run --separate-stderr "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 30m
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"'30m' is neither a safety timeout"* ]]
  run --separate-stderr "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 3600 1800
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"'1800' is neither a safety timeout"*"or is given twice"* ]]
  run --separate-stderr "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo 3600 us-east-1 extra
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"too many arguments"* ]]
  [ ! -e "$HOME/ran" ]
}

@test "--help shows the header comment, the pullab_cloud form included, and nothing after it" {
  run "$CLIENT" --help

  [ "$status" -eq 0 ]
  [[ "$output" == *"test-vm-client.sh BUCKET RUN_PREFIX TEST [SAFETY_TIMEOUT] [REGION]"* ]]
  [ "${lines[-1]}" = "unreachable after retries (systemd restarts the unit), 2 bad usage or configuration." ]
  [[ "$output" != *"set -uo pipefail"* ]]
}

@test "results_* files at the top of the test directory are uploaded with the outputs, as pullab_cloud does" {
  stage run.sh 'echo "PASS abort01" > results_ltp-syscalls.log; mkdir -p sub; echo x > sub/results_nested.log'
  upload_payload

  boot

  [ "$(output_of result.txt)" = "SUCCESS" ]
  [ "$(output_of results_ltp-syscalls.log)" = "PASS abort01" ]
  if s3_exists output/i-0123456789abcdef0/results_nested.log; then false; fi
}

@test "results_* files are uploaded when the run fails too" {
  stage run.sh 'echo "FAIL abort01" > results_ltp-syscalls.log; exit 4'
  upload_payload

  boot

  [ "$(output_of result.txt)" = "FAILED: Exit code 4 at run 1" ]
  [ "$(output_of results_ltp-syscalls.log)" = "FAIL abort01" ]
}

@test "stats.json of a successful run carries pullab_cloud's keys with their types" {
  stage run-1.sh 'sleep 1; exit 194'
  stage run-2.sh 'true'
  upload_payload

  boot_until_done

  output_of stats.json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["result"] == "SUCCESS" and len(s["stages"]) == 2, s
assert s["exit_code"] == 0 and s["success"] is True, s
assert s["total_runs"] == 2 and s["completed_runs"] == 2 and "failed_at_run" not in s, s
assert s["run_prefix"] == "'"$RUN_PREFIX"'", s
for k in ("runtime_seconds", "last_run_runtime_seconds", "start_time", "end_time"):
    assert type(s[k]) is int, (k, s)
assert s["runtime_seconds"] >= 1 and s["runtime_seconds"] >= s["last_run_runtime_seconds"], s
assert s["runtime_seconds"] == sum(x["duration_s"] for x in s["stages"]), s
assert s["start_time"] <= s["end_time"], s
'
}

@test "stats.json of a failed run: exit code, success false, completed runs and the run it failed at" {
  stage run-1.sh 'true'
  stage run-2.sh 'exit 7'
  stage run-3.sh 'true'
  upload_payload

  boot_until_done

  [ "$(output_of result.txt)" = "FAILED: Exit code 7 at run 2" ]
  output_of stats.json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["exit_code"] == 7 and s["success"] is False, s
assert s["total_runs"] == 3 and s["completed_runs"] == 1 and s["failed_at_run"] == 2, s
'
}

@test "stats.json of a run that failed before any stage: exit code 1, failed at run 1" {
  boot

  output_of stats.json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["exit_code"] == 1 and s["success"] is False and s["failed_at_run"] == 1 and s["completed_runs"] == 0, s
assert s["runtime_seconds"] == 0 and s["last_run_runtime_seconds"] == 0, s
'
}

@test "stages run with the documented environment in the test directory" {
  stage run.sh 'printf "%s\n" "$PWD" "$PULLAB_STAGE/$PULLAB_STAGES" "$PULLAB_INSTANCE_ID" "$PULLAB_ARCH" "$PULLAB_REGION" "$PULLAB_SIMULATE" > "$HOME/env"; [ -z "${RESULTS_BUCKET:-}" ]'
  upload_payload

  boot

  [ "$(output_of result.txt)" = "SUCCESS" ]
  [ "$(sed -n 1p "$HOME/env")" = "$HOME/test-$RUN_PREFIX-work/test" ]
  [ "$(sed -n 2p "$HOME/env")" = "1/1" ]
  [ "$(sed -n 3p "$HOME/env")" = "i-0123456789abcdef0" ]
  [ "$(sed -n 4p "$HOME/env")" = "x86_64" ]
  [ "$(sed -n 5p "$HOME/env")" = "us-east-1" ]
  [ "$(sed -n 6p "$HOME/env")" = "1" ]
}

@test "a simulated VM's PULLAB_SIMULATE_SEED reaches its stages" {
  stage run.sh 'printf "%s\n" "${PULLAB_SIMULATE_SEED-unset}" >> "$HOME/seed"'
  upload_payload

  PULLAB_SIMULATE_SEED='unixbench-kernel-regression#2' boot
  [ "$(output_of result.txt)" = "SUCCESS" ]
  [ "$(cat "$HOME/seed")" = "unixbench-kernel-regression#2" ]
}

@test "a PULLAB_SIMULATE_SEED with spaces or over 256 characters is a usage error naming it" {
  PULLAB_SIMULATE_SEED='a b' boot
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"PULLAB_SIMULATE_SEED must be at most 256 printable characters without spaces"* ]]
  PULLAB_SIMULATE_SEED="$(printf 'x%.0s' {1..257})" boot
  [ "$status" -eq 2 ]
}

@test "the run's shared artifacts are downloaded next to the test directory" {
  stage run.sh 'test -f ../shared/kernel-rpms/binary/x86_64/kernel-6.1.150.rpm'
  upload_payload
  echo rpm > "$BATS_TEST_TMPDIR/kernel.rpm"
  aws --endpoint-url "$S3_ENDPOINT_URL" s3 cp --only-show-errors "$BATS_TEST_TMPDIR/kernel.rpm" \
    "s3://$BUCKET/$RUN_PREFIX/shared/kernel-rpms/binary/x86_64/kernel-6.1.150.rpm"

  boot

  [ "$(output_of result.txt)" = "SUCCESS" ]
}

@test "a results.json written by the test is uploaded" {
  stage run.sh 'echo "{\"boot\": {\"status\": \"pass\"}}" > results.json'
  upload_payload

  boot

  output_of results.json | python3 -c 'import json,sys; assert json.load(sys.stdin)["boot"]["status"]=="pass"'
}

@test "install writes the systemd unit and the client configuration" {
  export PULLAB_ROOT="$BATS_TEST_TMPDIR/root"

  run "$CLIENT" install --bucket b1 --run-prefix run_x_1 --test basic-test --region eu-west-2 --max-runtime 7200

  [ "$status" -eq 0 ]
  grep -q '^ExecStart=/usr/local/sbin/pullab-test-vm-client run$' "$PULLAB_ROOT/etc/systemd/system/pullab-test-client.service"
  grep -q '^SuccessExitStatus=194$' "$PULLAB_ROOT/etc/systemd/system/pullab-test-client.service"
  grep -q '^WantedBy=multi-user.target$' "$PULLAB_ROOT/etc/systemd/system/pullab-test-client.service"
  grep -q '^RESULTS_BUCKET=b1$' "$PULLAB_ROOT/etc/pullab/client.env"
  grep -q '^MAX_RUNTIME=7200$' "$PULLAB_ROOT/etc/pullab/client.env"
  [ -x "$PULLAB_ROOT/usr/local/sbin/pullab-test-vm-client" ]
}

@test "missing configuration is a usage error naming what is missing" {
  rm "$PULLAB_CLIENT_CONFIG"
  unset RUN_PREFIX TEST_NAME

  run --separate-stderr "$CLIENT" run

  [ "$status" -eq 2 ]
  [[ "$stderr" == *"missing configuration: RESULTS_BUCKET RUN_PREFIX TEST_NAME"* ]]
}

# recording_aws: an aws CLI first on PATH that appends each call's arguments to $AWS_CALLS, fails an upload of a
# directory (s3 cp --recursive from a local path) as an unreachable endpoint would while $AWS_FAIL_UPLOADS exists,
# and otherwise runs the real one.
recording_aws() {
  local bin="$BATS_TEST_TMPDIR/bin"
  mkdir -p "$bin"
  export AWS_CALLS="$BATS_TEST_TMPDIR/aws-calls" AWS_FAIL_UPLOADS="$BATS_TEST_TMPDIR/fail-uploads"
  cat > "$bin/aws" <<SH
#!/usr/bin/env bash
printf '%s\n' "\$*" >> "\$AWS_CALLS"
if [ -e "\$AWS_FAIL_UPLOADS" ] && [[ " \$* " == *" s3 cp --recursive --only-show-errors /"* ]]; then
  echo "upload failed: Could not connect to the endpoint URL" >&2
  exit 1
fi
exec $(command -v aws) "\$@"
SH
  chmod +x "$bin/aws"
  export PATH="$bin:$PATH"
}

@test "a stage's outputs go up in one call, and result.txt alone after them" {
  stage run-1.sh 'exit 194'
  stage run-2.sh 'printf "m,lps,1\n" > benchmark-base-1.csv; printf "{}\n" > results.json; echo x > results_ltp.log'
  upload_payload
  recording_aws

  boot_until_done
  cp "$AWS_CALLS" "$BATS_TEST_TMPDIR/client-calls"   # the client's calls only: the checks below call aws too

  [ "$(output_of result.txt)" = "SUCCESS" ]
  for name in run-1-output.log client-1.log run-2-output.log benchmark-base-1.csv results.json results_ltp.log \
      stats.json client-2.log; do
    s3_exists "output/i-0123456789abcdef0/$name"
  done
  # per boot: one upload of the outputs (boot 1: its stage log and client log; boot 2: all the run's outputs)
  calls="$BATS_TEST_TMPDIR/client-calls"
  [ "$(grep -c -- '--recursive --only-show-errors /' "$calls")" -eq 2 ]
  # the last call of the run writes result.txt, after the call that uploaded everything else
  tail -n 1 "$calls" | grep -q -- 'put-object .*--key [^ ]*/output/i-0123456789abcdef0/result.txt '
  tail -n 2 "$calls" | head -n 1 | grep -q -- 's3 cp --recursive --only-show-errors /.* s3://[^ ]*/output/i-0123456789abcdef0/$'
  [ "$(grep -c -- 'result.txt' "$calls")" -eq 1 ]
  # no put-object of an output besides result.txt
  [ "$(grep -- 'put-object' "$calls" | grep -c -- '/output/')" -eq 1 ]
}

@test "the output upload fails: no result.txt, exit 75, and the next start reports everything" {
  stage run.sh 'printf "m,lps,1\n" > benchmark-base-1.csv'
  upload_payload
  recording_aws
  touch "$AWS_FAIL_UPLOADS"
  export S3_ATTEMPTS=2

  boot

  [ "$status" -eq 75 ]
  [[ "$stderr" == *"failed after 2 attempts"* ]]
  run ! s3_exists output/i-0123456789abcdef0/result.txt
  run ! s3_exists output/i-0123456789abcdef0/stats.json

  rm "$AWS_FAIL_UPLOADS"
  boot

  [ "$status" -eq 0 ]
  [ "$(output_of result.txt)" = "SUCCESS" ]
  output_of benchmark-base-1.csv | grep -q '^m,lps,1$'
  s3_exists output/i-0123456789abcdef0/run-1-output.log
}
