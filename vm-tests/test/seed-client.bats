#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# pullab_cloud's seed tests run by the VM client as on a VM: payload and shared artifacts in S3 (moto_server),
# reboots simulated by re-running the client (exit 194), kernel installation simulated (PULLAB_SIMULATE=1); the
# artifacts and the kvm-unit-tests source are served over http on loopback (params.env opts in as a lab would).

load helpers

load seed_helpers
REF="$SEED_KVMUT_REF"

setup_file() {
  local tmp="$BATS_FILE_TMPDIR"
  start_services
  kvm_unit_tests_tarball "$tmp"
  # a bzImage whose setup header names its version, no modules
  python3 -c 'import sys
b = bytearray(4096); b[0x202:0x206] = b"HdrS"; b[0x20e:0x210] = (0x400 - 0x200).to_bytes(2, "little")
v = b"6.16.0-url-kci (builder@ci) #1 SMP"; b[0x400:0x400 + len(v)] = v
open(sys.argv[1], "wb").write(b)' "$tmp/www/bzImage"
  HTTP_PORT="$(free_port)"
  python3 "$BATS_TEST_DIRNAME/fixtures/redirecting_server.py" "$tmp/www" "$HTTP_PORT" > "$tmp/http.log" 2>&1 &
  HTTP_PID=$!
  export HTTP_PID WWW="http://127.0.0.1:$HTTP_PORT"
  wait_for_http "$WWW/bzImage"
}

teardown_file() {
  kill "${HTTP_PID:-}" 2>/dev/null || true
  stop_services
}

# payload_of TEST PARAM...: the payload is vm-tests/TEST (symlinks followed, as the orchestrator zips it) with a
# params.env of the lab's URL opt-ins and PARAM lines (VAR=VALUE, shell-quoted).
payload_of() {
  local t="$1" kv
  shift
  new_run "$t"
  rm -rf "$TEST_SRC"
  cp -RL "$VMT_DIR/$t" "$TEST_SRC"
  {
    printf 'PULLAB_ALLOW_HTTP=1\nPULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32\n'
    for kv in "$@"; do printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"; done
  } > "$TEST_SRC/params.env"
  upload_payload
}

@test "url-kernel-boot through the client: KERNEL_URL installed (simulated), reboot, boot = pass, SUCCESS" {
  payload_of url-kernel-boot "KERNEL_URL=$WWW/bzImage" KERNELCI_NODE_ID=6825f9c0b4e0b1c9d2a7e0c1
  boot_until_done 4
  [ "$status" -eq 0 ]
  [ "$BOOTS" -eq 2 ]
  [ "$(output_of result.txt)" = SUCCESS ]
  output_of run-1-output.log | grep -q "job kernel version: 6.16.0-url-kci (from the image"
  output_of run-1-output.log | grep -q "SIMULATED: grub2-reboot"
  output_of results.json | python3 -c 'import json, sys; assert json.load(sys.stdin)["boot"]["status"] == "pass"'
}

@test "kvm-unit-tests through the client without KVM: FAILED at run 1, the log says nested virtualization is needed" {
  payload_of kvm-unit-tests "KVMUT_KVM_DEVICE=$BATS_TEST_TMPDIR/no-kvm"
  boot_until_done 4
  [ "$(output_of result.txt)" = "FAILED: Exit code 1 at run 1" ]
  output_of run-1-output.log | grep -q "needs KVM in this VM, that is nested virtualization"
  output_of run-1-output.log | grep -q '"nested_virtualization": true'
  output_of results.json | python3 -c 'import json, sys; assert json.load(sys.stdin)["kvm-unit-tests"]["status"] == "error"'
}

@test "kvm-unit-tests through the client with KVM: the running kernel kept, the suite built and run, SUCCESS, results per test" {
  local qemu="$BATS_TEST_TMPDIR/qemu-system-x86_64"
  : > "$BATS_TEST_TMPDIR/kvm"
  printf '#!/bin/sh\necho "QEMU emulator version 9.2.0 (stand-in)"\n' > "$qemu"
  chmod +x "$qemu"
  payload_of kvm-unit-tests "KVMUT_KVM_DEVICE=$BATS_TEST_TMPDIR/kvm" "QEMU=$qemu" "KVMUT_TESTS=debug lam" \
    "KVMUT_SOURCE_URL=$WWW/kvm-unit-tests-$REF.tar.gz"
  boot_until_done 4
  [ "$BOOTS" -eq 2 ]
  [ "$(output_of result.txt)" = SUCCESS ]
  output_of results.json | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert d["kvm-unit-tests.debug"]["status"] == "pass", d
assert d["kvm-unit-tests.lam"]["status"] == "skip", d'
}
