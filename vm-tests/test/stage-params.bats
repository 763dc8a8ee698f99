#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# What a stage's environment holds besides the client's PULLAB_* names (issue 19, item 2): the variables of
# params.env (a KernelCI job's KERNEL_URL, ..., a config's test_params) and, in pullab_cloud's SSM call, what the
# caller exported. Against real S3 (moto_server) and an IMDSv2 stub, as test/client.bats.

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

# A stage that writes the variables named in its arguments (NAME=value, or NAME unset) to $HOME/seen.
seen_stage() {
  local names="$*"
  stage run.sh "for n in $names; do if [ -n \"\${!n+x}\" ]; then printf '%s=%s\\n' \"\$n\" \"\${!n}\"; else printf '%s unset\\n' \"\$n\"; fi; done > \"\$HOME/seen\""
}

@test "a stage sees KERNEL_URL and a test_params key of params.env, quoted values kept verbatim" {
  seen_stage KERNEL_URL BOOT_RETRIES NOTE PULLAB_KERNEL_URL
  # as PayloadBuilder writes it: sorted, single-quoted
  cat > "$TEST_SRC/params.env" <<'ENV'
BOOT_RETRIES='2'
KERNEL_URL='https://files.kernelci.org/kbuild/bzImage'
NOTE='it'\''s $(not run) `either`'
PULLAB_KERNEL_URL='https://files.kernelci.org/kbuild/bzImage'
ENV
  upload_payload

  boot

  [ "$(output_of result.txt)" = "SUCCESS" ]
  run cat "$HOME/seen"
  [ "${lines[0]}" = "KERNEL_URL=https://files.kernelci.org/kbuild/bzImage" ]
  [ "${lines[1]}" = "BOOT_RETRIES=2" ]
  [ "${lines[2]}" = "NOTE=it's \$(not run) \`either\`" ]
  [ "${lines[3]}" = "PULLAB_KERNEL_URL=https://files.kernelci.org/kbuild/bzImage" ]
}

@test "a multi-line value (PULL_LABS_TESTS_JSON may hold newlines) reaches the stage whole" {
  seen_stage PULL_LABS_TESTS_JSON EVIL
  printf "PULL_LABS_TESTS_JSON='[{\"id\":\"a\",\n\"parameters\":\"x\"}]\nEVIL=1'\n" > "$TEST_SRC/params.env"
  upload_payload

  boot

  [ "$(output_of result.txt)" = "SUCCESS" ]
  run cat "$HOME/seen"
  [ "${lines[0]}" = 'PULL_LABS_TESTS_JSON=[{"id":"a",' ]
  [ "${lines[1]}" = '"parameters":"x"}]' ]
  [ "${lines[2]}" = "EVIL=1" ]
  [ "${lines[3]}" = "EVIL unset" ]
}

@test "params.env setting a reserved name (PATH, LD_PRELOAD, AWS_*) fails the run naming it; the stage never runs" {
  stage run.sh 'touch "$HOME/ran"'
  printf "LD_PRELOAD='/tmp/evil.so'\n" > "$TEST_SRC/params.env"
  upload_payload

  boot

  [ "$(output_of result.txt)" = "FAILED: params.env sets LD_PRELOAD, a reserved name (see vm-tests/README.md)" ]
  [ ! -e "$HOME/ran" ]
}

@test "params.env that does not source fails the run" {
  stage run.sh 'touch "$HOME/ran"'
  printf "KERNEL_URL='unterminated\n" > "$TEST_SRC/params.env"
  upload_payload

  boot

  [[ "$(output_of result.txt)" == "FAILED: params.env cannot be sourced (rc="* ]]
  [ ! -e "$HOME/ran" ]
}

@test "started by SSM as pullab_cloud did: the exported KERNEL_URL and test_params reach the stage, reserved ones do not" {
  seen_stage KERNEL_URL MY_PARAM LD_PRELOAD AWS_SECRET_ACCESS_KEY PULLAB_SIMULATE
  upload_payload
  rm "$PULLAB_CLIENT_CONFIG"

  run --separate-stderr env S3_ENDPOINT_URL="$S3_ENDPOINT_URL" KERNEL_URL=https://example.org/bzImage \
    MY_PARAM='a b' LD_PRELOAD=/nonexistent.so "$CLIENT" "$BUCKET" "$RUN_PREFIX" demo

  [ "$(output_of result.txt)" = "SUCCESS" ]
  run cat "$HOME/seen"
  [ "${lines[0]}" = "KERNEL_URL=https://example.org/bzImage" ]
  [ "${lines[1]}" = "MY_PARAM=a b" ]
  [ "${lines[2]}" = "LD_PRELOAD unset" ]
  [ "${lines[3]}" = "AWS_SECRET_ACCESS_KEY unset" ]
  # the client's own value, not the caller's
  [ "${lines[4]}" = "PULLAB_SIMULATE=1" ]
}

@test "started by systemd, the caller's environment stays out of the stage" {
  seen_stage KERNEL_URL
  upload_payload

  KERNEL_URL=https://example.org/bzImage boot

  [ "$(output_of result.txt)" = "SUCCESS" ]
  [ "$(cat "$HOME/seen")" = "KERNEL_URL unset" ]
}
