#!/usr/bin/env bats
# pullab_cloud's kvm-unit-tests and simple-source-reboot, every stage run in simulation (PULLAB_SIMULATE=1) in a work
# directory laid out as on a VM: the KVM device, QEMU, rpm and rpmbuild are stand-ins (test/fixtures/seed), the
# kvm-unit-tests source tarball is really downloaded from a server on loopback (params.env opts into http and
# 127.0.0.1 as a lab config would), kernel installation and reboots are only logged.

bats_require_minimum_version 1.5.0

load seed_helpers
REF="$SEED_KVMUT_REF"

setup_file() {
  local tmp="$BATS_FILE_TMPDIR"
  kvm_unit_tests_tarball "$tmp"
  printf 'not a tarball\n' > "$tmp/www/not-a-tarball.tar.gz"
  printf 'fake kernel source rpm\n' > "$tmp/www/kernel-6.1.150-1.src.rpm"
  HTTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  python3 "$BATS_TEST_DIRNAME/fixtures/redirecting_server.py" "$tmp/www" "$HTTP_PORT" > "$tmp/http.log" 2>&1 &
  HTTP_PID=$!
  export HTTP_PID WWW="http://127.0.0.1:$HTTP_PORT"
  local tries=100
  until curl -s -o /dev/null "$WWW/not-a-tarball.tar.gz" || [ "$tries" = 0 ]; do
    tries=$((tries - 1))
    sleep 0.2
  done
}

teardown_file() {
  kill "${HTTP_PID:-}" 2>/dev/null || true
}

setup() {
  local var
  for var in "${!PULLAB_@}" "${!KVMUT_@}" "${!KERNEL_@}" QEMU FAKE_RPMBUILD_SLEEP FAKE_RPMBUILD_FAIL; do
    unset "$var"
  done
  VMT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
  export PULLAB_SIMULATE=1 PULLAB_INSTANCE_ID=i-0123456789abcdef0 PULLAB_INSTANCE_TYPE=c8i.4xlarge PULLAB_ARCH=x86_64
  # stand-ins: a KVM device node, a QEMU, rpm and rpmbuild
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  : > "$BATS_TEST_TMPDIR/kvm"
  printf '#!/bin/sh\necho "QEMU emulator version 9.2.0 (stand-in)"\n' > "$BATS_TEST_TMPDIR/bin/qemu-system-x86_64"
  chmod +x "$BATS_TEST_TMPDIR/bin/qemu-system-x86_64"
  cp "$BATS_TEST_DIRNAME/fixtures/seed/rpm" "$BATS_TEST_DIRNAME/fixtures/seed/rpmbuild" "$BATS_TEST_TMPDIR/bin/"
  export KVMUT_KVM_DEVICE="$BATS_TEST_TMPDIR/kvm" QEMU="$BATS_TEST_TMPDIR/bin/qemu-system-x86_64"
  export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

# vm_workdir TEST: $WORK/test is a copy of vm-tests/TEST with symlinks followed (as the orchestrator zips it), next to
# the run's $WORK/shared/; params.env opts into http and loopback; the current directory is $WORK/test.
vm_workdir() {
  WORK="$BATS_TEST_TMPDIR/work"
  mkdir -p "$WORK/shared/kernel-rpms/binary/x86_64" "$WORK/shared/kernel-rpms/src"
  cp -RL "$VMT/$1" "$WORK/test"
  export PULLAB_TEST_DIR="$WORK/test" PULLAB_SHARED_DIR="$WORK/shared"
  cd "$WORK/test" || return 1
  printf 'PULLAB_ALLOW_HTTP=1\nPULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32\nKVMUT_SOURCE_URL=%q\n' \
    "$WWW/kvm-unit-tests-$REF.tar.gz" > params.env
}

# stage N SCRIPT: one stage as the client runs it (bash, in the test directory, output and errors together).
stage() {
  PULLAB_STAGE="$1" run bash "$2"
}

status_of() {
  python3 -c 'import json, sys; print(json.load(open("results.json")).get(sys.argv[1], {}).get("status", "missing"))' "$1"
}

# --- layout --------------------------------------------------------------------------------------------------------

@test "the new seed tests have their README, dependencies.txt, external_requirements.json and stages" {
  local t
  for t in url-kernel-boot ltp kvm-unit-tests simple-source-reboot; do
    [ -f "$VMT/$t/README.md" ] && [ -f "$VMT/$t/dependencies.txt" ] && [ -f "$VMT/$t/common_lib.sh" ]
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d and all(isinstance(v, bool) for v in d.values()), d' \
      "$VMT/$t/external_requirements.json"
    compgen -G "$VMT/$t/run*.sh" > /dev/null
    grep -q "^- \`$t\`" "$VMT/README.md" || { echo "vm-tests/README.md does not list $t"; return 1; }
  done
  [ "$(python3 -c 'import json; print(json.load(open("'"$VMT"'/kvm-unit-tests/external_requirements.json"))["kernel-rpms/binary"])')" = True ]
  [ "$(python3 -c 'import json; print(json.load(open("'"$VMT"'/simple-source-reboot/external_requirements.json"))["kernel-rpms/src"])')" = True ]
}

# --- kvm-unit-tests -----------------------------------------------------------------------------------------------

@test "kvm-unit-tests without /dev/kvm: stage 1 fails at once, saying nested virtualization is needed and how to enable it" {
  vm_workdir kvm-unit-tests
  KVMUT_KVM_DEVICE="$BATS_TEST_TMPDIR/no-kvm" stage 1 run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$BATS_TEST_TMPDIR/no-kvm is missing on the VM's own kernel"*"needs KVM in this VM, that is nested virtualization"* ]]
  [[ "$output" == *"(c8i, m8i, r8i"* ]]
  [[ "$output" == *"\"nested_virtualization\": true in its test_config.vms[] entry"* ]]
  [[ "$output" == *"Instance type here: c8i.4xlarge"* ]]
  [ "$(status_of kvm-unit-tests)" = error ]
  [[ "$output" != *"SIMULATED: rpm -ivh"* ]]
}

@test "kvm-unit-tests stage 1: the kernel RPM of shared/kernel-rpms/binary/<arch>/ is installed (simulated), reboot 194" {
  vm_workdir kvm-unit-tests
  : > "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-174.273.amzn2023.x86_64.rpm"
  stage 1 run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"KVM available: $BATS_TEST_TMPDIR/kvm"* ]]
  [[ "$output" == *"SIMULATED: rpm -ivh $WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-174.273.amzn2023.x86_64.rpm"* ]]
  [ "$(cat expected-kernel.txt)" = 6.1.150-174.273.amzn2023.x86_64 ]
}

@test "kvm-unit-tests stage 1 without a job kernel or kernel RPM keeps the running kernel (exit 0, no expected kernel)" {
  vm_workdir kvm-unit-tests
  stage 1 run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"stage 2 tests the running kernel $(uname -r)"* ]]
  [ ! -e expected-kernel.txt ]
}

@test "kvm-unit-tests stage 2: the pinned source fetched and built, ACCEL=kvm on the stable subset, one result per test; a failure -> exit 1" {
  vm_workdir kvm-unit-tests
  stage 2 run-02-kvm-unit-tests.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"kvm-unit-tests source from $WWW/kvm-unit-tests-$REF.tar.gz"* ]]
  grep -qx "ACCEL=kvm QEMU=$QEMU args=-v debug intel_iommu lam vmx_init_signal_test vmx_sipi_signal_test hyperv_clock" \
    kvm-unit-tests/run_tests-invocation.txt
  [ "$(status_of kvm-unit-tests.debug)" = pass ]
  [ "$(status_of kvm-unit-tests.intel_iommu)" = pass ]
  [ "$(status_of kvm-unit-tests.lam)" = skip ]
  [ "$(status_of kvm-unit-tests.hyperv_clock)" = fail ]
  [ "$(status_of kvm-unit-tests)" = missing ]
  [ "$(python3 -c 'import json; print(len(json.load(open("results.json"))))')" -eq 6 ]
  [[ "$output" == *"FAIL: 1 kvm-unit-tests failed outside the ignore list: hyperv_clock"* ]]
  # pullab_cloud's files, colour codes stripped
  [ "$(head -n 1 results_kvm-unit-tests.csv)" = "test_name,status,kernel_version,arch" ]
  grep -qx "hyperv_clock,FAIL,$(uname -r),$(uname -m)" results_kvm-unit-tests.csv
  grep -qx "PASS=4 FAIL=1 SKIP=1 ERROR=0" results_kvm-unit-tests.txt
  if grep -q $'\033' results_kvm-unit-tests.csv; then false; fi
}

@test "kvm-unit-tests stage 2: the whole suite with a failure on the ignore list passes; KVMUT_OBSERVE_ONLY=true never fails" {
  vm_workdir kvm-unit-tests
  KVMUT_TESTS="debug vmx" stage 2 run-02-kvm-unit-tests.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_of kvm-unit-tests.vmx)" = fail ]
  [[ "$output" == *"PASS: no kvm-unit-tests failure outside the ignore list"* ]]

  rm -f results.json .pullab-results.tsv
  KVMUT_TESTS="" KVMUT_IGNORE_FAILURES="" KVMUT_OBSERVE_ONLY=true stage 2 run-02-kvm-unit-tests.sh
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qx "ACCEL=kvm QEMU=$QEMU args=-v" kvm-unit-tests/run_tests-invocation.txt
  [ "$(status_of kvm-unit-tests.hyperv_clock)" = fail ]
  [ "$(status_of kvm-unit-tests.vmx)" = fail ]
  [[ "$output" == *"KVMUT_OBSERVE_ONLY=true: not failing the run (2 failure(s) outside the ignore list)"* ]]
}

@test "kvm-unit-tests stage 2: a plain http source without the lab's opt-in, or a file that is no tarball, is an error" {
  vm_workdir kvm-unit-tests
  printf 'PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32\nKVMUT_SOURCE_URL=%q\n' "$WWW/kvm-unit-tests-$REF.tar.gz" > params.env
  stage 2 run-02-kvm-unit-tests.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"refused $WWW/kvm-unit-tests-$REF.tar.gz: plain http (https only; PULLAB_ALLOW_HTTP=1 allows http)"* ]]
  [ "$(status_of kvm-unit-tests)" = error ]

  rm -f results.json .pullab-results.tsv
  printf 'PULLAB_ALLOW_HTTP=1\nPULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32\nKVMUT_SOURCE_URL=%q\n' "$WWW/not-a-tarball.tar.gz" > params.env
  stage 2 run-02-kvm-unit-tests.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"$WWW/not-a-tarball.tar.gz is not a gzip tar archive"* ]]
  [ "$(status_of kvm-unit-tests)" = error ]
}

@test "kvm-unit-tests stage 2 on a kernel under test without KVM: exit 1 naming nested virtualization and the kernel" {
  vm_workdir kvm-unit-tests
  KVMUT_KVM_DEVICE="$BATS_TEST_TMPDIR/no-kvm" stage 2 run-02-kvm-unit-tests.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"is missing on the kernel under test $(uname -r)"* ]]
  [[ "$output" == *"may lack KVM (CONFIG_KVM, CONFIG_KVM_INTEL)"* ]]
  [ ! -e kvm-unit-tests ]
}

@test "kvm-unit-tests: a QEMU other than the pinned release needs its SHA-256" {
  vm_workdir kvm-unit-tests
  unset QEMU
  run bash -c 'source common_lib.sh; kvmut_qemu() { return 1; }; KVMUT_QEMU_VERSION=9.1.0 kvmut_build_qemu'
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"QEMU 9.1.0 needs its tarball's SHA-256 in KVMUT_QEMU_SHA256"* ]]
}

# --- simple-source-reboot -----------------------------------------------------------------------------------------

@test "simple-source-reboot: the oldest source RPM of shared/kernel-rpms/src is built, its kernel installed (simulated), 194; stage 2 pass" {
  vm_workdir simple-source-reboot
  : > "$WORK/shared/kernel-rpms/src/kernel-6.1.150-1.src.rpm"
  : > "$WORK/shared/kernel-rpms/src/kernel-6.1.99-1.src.rpm"
  stage 1 run-01-build-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"kernel source RPM: $WORK/shared/kernel-rpms/src/kernel-6.1.99-1.src.rpm"* ]]
  [[ "$output" == *"SIMULATED: dnf builddep -y --define _topdir $WORK/test/rpmbuild $WORK/test/rpmbuild/SPECS/kernel.spec"* ]]
  grep -qx -- "--define _topdir $WORK/test/rpmbuild -bb $WORK/test/rpmbuild/SPECS/kernel.spec --with baseonly --without debug --without debuginfo" \
    rpmbuild/rpmbuild-invocation.txt
  [[ "$output" == *"built $WORK/test/rpmbuild/RPMS/x86_64/kernel-6.1.150-1.x86_64.rpm (boots as 6.1.150-1.x86_64)"* ]]
  [[ "$output" == *"SIMULATED: rpm -ivh $WORK/test/rpmbuild/RPMS/x86_64/kernel-6.1.150-1.x86_64.rpm"* ]]
  [ "$(cat kernel-before.txt)" = "$(uname -r)" ]
  [ "$(status_of kernel-build)" = pass ]

  stage 2 run-02-check-kernel.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(status_of boot)" = pass ]
  [ "$(status_of kernel-build)" = pass ]
  grep -qx "status=pass" boot-result.txt
}

@test "simple-source-reboot: no source RPM -> exit 1 naming the folder to upload one to" {
  vm_workdir simple-source-reboot
  stage 1 run-01-build-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no kernel source RPM (kernel-*.src.rpm) in $WORK/shared/kernel-rpms/src: upload one to the storage bucket's kernel-rpms/src/, or set KERNEL_SRC_RPM_URL"* ]]
  [ "$(status_of kernel-build)" = error ]
  [ ! -e expected-kernel.txt ]
}

@test "simple-source-reboot: KERNEL_SRC_RPM_URL is downloaded under the URL policy; plain http only with the lab's opt-in" {
  vm_workdir simple-source-reboot
  echo "KERNEL_SRC_RPM_URL=$WWW/kernel-6.1.150-1.src.rpm" >> params.env
  stage 1 run-01-build-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"kernel source RPM: artifacts/kernel-6.1.150-1.src.rpm"* ]]

  rm -rf results.json .pullab-results.tsv
  grep -v '^PULLAB_ALLOW_HTTP=' params.env > p && mv p params.env
  stage 1 run-01-build-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"refused $WWW/kernel-6.1.150-1.src.rpm: plain http (https only; PULLAB_ALLOW_HTTP=1 allows http)"* ]]
  [ "$(status_of kernel-build)" = error ]
}

@test "simple-source-reboot: a build over KERNEL_BUILD_TIMEOUT_S is stopped: exit 1 naming the variable" {
  vm_workdir simple-source-reboot
  : > "$WORK/shared/kernel-rpms/src/kernel-6.1.150-1.src.rpm"
  FAKE_RPMBUILD_SLEEP=30 KERNEL_BUILD_TIMEOUT_S=1 stage 1 run-01-build-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the kernel build took more than 1s (KERNEL_BUILD_TIMEOUT_S)"* ]]
  [ "$(status_of kernel-build)" = error ]

  rm -f results.json .pullab-results.tsv
  FAKE_RPMBUILD_FAIL=1 stage 1 run-01-build-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"rpmbuild failed (status 1)"* ]]
  [[ "$output" == *"Bad exit status"* ]]
}

@test "simple-source-reboot stage 2, real run, another kernel booted: boot = fail, exit 1" {
  vm_workdir simple-source-reboot
  echo 0.0.1-not-running > expected-kernel.txt
  PULLAB_SIMULATE=0 stage 2 run-02-check-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [ "$(status_of boot)" = fail ]
  [[ "$output" == *"FAIL: the kernel built from source did not boot"* ]]
}
