#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The QEMU runner (vm-tests/qemu-runner/qemu-runner.sh) against real S3 (moto_server), artifacts served over http on
# loopback (PULLAB_ALLOW_HTTP=1) and a fake QEMU (fixtures/qemu/fake-qemu) that unpacks the initrd as Linux does and
# runs the hook the runner appended, so the boot marker only appears when the runner really injected it.
# Run: cd vm-tests && test/run-tests.sh test/qemu-runner.bats

load helpers

RUNNER_DIR="$VMT_DIR/qemu-runner"
RUNNER="$RUNNER_DIR/qemu-runner.sh"
KFIX="$VMT_DIR/test/fixtures/kernelci"
TASK_ARN_ID=8f3a2c1e9b7d4f0a8c6e5d4b3a2f1e0d

setup_file() {
  start_services
  local tmp="$BATS_FILE_TMPDIR" www="$BATS_FILE_TMPDIR/www" r k
  mkdir -p "$www" "$tmp/bin"

  # fake kernel images (the fake QEMU does not look inside)
  { printf 'MZ fake bzImage\n'; head -c 4096 /dev/zero; } > "$www/bzImage"
  { printf 'fake arm64 Image\n'; head -c 4096 /dev/zero; } > "$www/Image"
  head -c 1100000 /dev/zero > "$www/big-bzImage"

  # a ramdisk as KernelCI's buildroot ones: gzip-compressed newc cpio
  r="$tmp/ramdisk"
  mkdir -p "$r/bin" "$r/etc"
  printf '#!/bin/sh\n' > "$r/bin/sh"
  printf 'ID=buildroot\n' > "$r/etc/os-release"
  python3 "$RUNNER_DIR/initramfs.py" build "$tmp/ramdisk.cpio" --dir "$r" ""
  gzip -9 -c "$tmp/ramdisk.cpio" > "$www/rootfs.cpio.gz"

  # an LTP rootfs tarball (runltp stub in opt/ltp, the LKFT skip file beside it) and one with kirk too
  r="$tmp/ltp-rootfs"
  mkdir -p "$r/opt/ltp/runtest" "$r/etc" "$r/bin"
  cp "$KFIX/stubs/runltp" "$r/opt/ltp/runltp"
  cp "$KFIX/runtest-smoketest" "$r/opt/ltp/runtest/smoketest"
  cp "$KFIX/runtest-syscalls-mini" "$r/opt/ltp/runtest/syscalls-mini"
  cp "$KFIX/stub-outcomes.txt" "$r/opt/ltp/stub-outcomes.txt"
  cp "$KFIX/skipfile-lkft.yaml" "$r/opt/ltp/skipfile-lkft.yaml"
  printf 'ID=debian\n' > "$r/etc/os-release"
  ln -s ../usr/bin/env "$r/bin/env-link"
  tar -C "$r" -cJf "$www/ltp.rootfs.tar.xz" .
  mkdir -p "$r/opt/kirk"
  cp "$KFIX/stubs/kirk" "$r/opt/kirk/kirk"
  tar -C "$r" -cJf "$www/kirk.rootfs.tar.xz" .

  # kselftest.tar.xz with run_kselftest.sh (stub) at the top, as a kbuild makes it
  k="$tmp/kselftest_install"
  mkdir -p "$k/timers"
  cp "$KFIX/stubs/run_kselftest.sh" "$k/run_kselftest.sh"
  cp "$KFIX/kselftest-timers.tap" "$k/timers.tap"
  tar -C "$k" -cJf "$www/kselftest.tar.xz" .

  # a modules tarball
  mkdir -p "$tmp/mod/lib/modules/6.15.0-fake/kernel"
  printf 'fake module\n' > "$tmp/mod/lib/modules/6.15.0-fake/kernel/dummy.ko"
  tar -C "$tmp/mod" -cJf "$www/modules.tar.xz" .

  # the ECS task metadata endpoint v4 (GET ${ECS_CONTAINER_METADATA_URI_V4}/task)
  mkdir -p "$www/v4/meta"
  printf '{"Cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/pullab", "TaskARN": "arn:aws:ecs:eu-west-1:123456789012:task/pullab/%s",\n "Family": "pullab-qemu-runner", "Limits": {"CPU": 2, "Memory": 4096}}\n' \
    "$TASK_ARN_ID" > "$www/v4/meta/task"

  HTTP_PORT="$(free_port)"
  python3 "$VMT_DIR/test/fixtures/redirecting_server.py" "$www" "$HTTP_PORT" > "$tmp/http.log" 2>&1 &
  HTTP_PID=$!
  export HTTP_PORT HTTP_PID WWW="http://127.0.0.1:$HTTP_PORT"
  wait_for_http "$WWW/bzImage"

  # the fake QEMU under both names, and an aws CLI that records what it is asked (then runs the real one)
  ln -s "$VMT_DIR/test/fixtures/qemu/fake-qemu" "$tmp/bin/qemu-system-x86_64"
  ln -s "$VMT_DIR/test/fixtures/qemu/fake-qemu" "$tmp/bin/qemu-system-aarch64"
  printf '#!/bin/sh\nprintf "%%s\\n" "$*" >> "${AWS_CALLS:-/dev/null}"\nexec %s "$@"\n' "$(command -v aws)" > "$tmp/bin/aws"
  chmod +x "$tmp/bin/aws"
}

teardown_file() {
  kill "${HTTP_PID:-}" 2>/dev/null || true
  stop_services
}

setup() {
  local var
  for var in "${!PULLAB_@}" ECS_CONTAINER_METADATA_URI_V4 QEMU_BIN_DIR FAKE_QEMU_MODE; do
    unset "$var"
  done
  export PATH="$BATS_FILE_TMPDIR/bin:$PATH"
  export RESULTS_BUCKET="$BUCKET" RUN_PREFIX="run_t${BATS_TEST_NUMBER}_$RANDOM" TEST_NAME=kernelci-boot TASK_INDEX=3
  export MAX_RUNTIME=600 S3_ATTEMPTS=3 S3_BACKOFF_MAX=1
  export PULLAB_WORK_DIR="$BATS_TEST_TMPDIR/work" PULLAB_KVM_DEVICE="$BATS_TEST_TMPDIR/no-kvm"
  # the artifacts are served over http on loopback: the lab's artifact_urls opt-ins, as params.env carries them
  export PULLAB_ALLOW_HTTP=1 PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32
  export PULLAB_GUEST_BUSYBOX_DIR="$BATS_TEST_TMPDIR/no-busybox" PULLAB_POLL_S=0.2
  export PULLAB_DOWNLOAD_RETRIES=1 PULLAB_DOWNLOAD_RETRY_DELAY_S=0
  export FAKE_QEMU_ARGS="$BATS_TEST_TMPDIR/qemu-args" AWS_CALLS="$BATS_TEST_TMPDIR/aws-calls"
  export PULLAB_JOB_NODE_ID=6825f9c0b4e0b1c9d2a7e0a1 PULLAB_JOB_NAME=baseline-x86-pull-labs PULLAB_PLATFORM=qemu-x86_64
  export PULLAB_TEST_ID=boot-test-6825f9c0 PULLAB_TEST_TYPE=boot PULLAB_TEST_TIMEOUT_S=60
  export PULLAB_KERNEL_URL="$WWW/bzImage" PULLAB_ROOTFS_URL="$WWW/rootfs.cpio.gz" PULLAB_MODULES_URL="$WWW/modules.tar.xz"
  TASK=qemu-3
}

# runner: runs the QEMU runner (bats' run), then fetches what it uploaded under output/$TASK/ into $OUT.
runner() {
  run --separate-stderr "$RUNNER"
  OUT="$BATS_TEST_TMPDIR/out"
  rm -rf "$OUT"
  mkdir -p "$OUT"
  AWS_CALLS=/dev/null AWS_REGION=us-east-1 aws --endpoint-url "$S3_ENDPOINT_URL" s3 cp --recursive --only-show-errors \
    "s3://$BUCKET/$RUN_PREFIX/test_$TEST_NAME/output/$TASK/" "$OUT/" 2>/dev/null || true
}

# out_of NAME: an uploaded output file of the task (fails when there is none).
out_of() {
  cat "$OUT/$1"
}

# last_put: the key of the last object the runner uploaded.
last_put() {
  grep -E 'put-object|s3 cp' "$AWS_CALLS" | tail -n 1 | sed 's/.*--key \([^ ]*\).*/\1/'
}

# rstatus PATH: the status of PATH in the uploaded results.json ("missing" when absent).
rstatus() {
  out_of results.json | python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], {}).get("status", "missing"))' "$1"
}

# stat_field KEY: a top-level field of the uploaded stats.json.
stat_field() {
  out_of stats.json | python3 -c 'import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# qemu_args: the arguments of the (last) fake QEMU call, one per line.
qemu_args() {
  awk 'BEGIN { n = 0 } /^--$/ { n++; next } { a[n] = a[n] $0 "\n" } END { printf "%s", a[n - 1] }' "$FAKE_QEMU_ARGS"
}

# has_args A B: A and B are consecutive arguments of the QEMU call.
has_args() {
  qemu_args | grep -xF -A1 -- "$1" | tail -n 1 | grep -qxF -- "$2"
}

# ------------------------------------------------------------------------------------------------------------ boot

@test "boot pass: hook appended to the ramdisk, marker seen, results/stats/logs uploaded, result.txt last" {
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = pass ]
  # the duration is the guest's uptime when the hook ran (the fake's /proc/uptime says 1.50 s)
  out_of results.json | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d == {"boot": {"status": "pass", "duration_ms": 1500}}, d'
  out_of console.log | grep -q '^PULLAB-BOOT-OK [0-9a-f]\{16\} uptime_ms=1500$'
  out_of console.log | grep -q '^PULLAB-DONE [0-9a-f]\{16\}$'
  out_of run-1-output.log | grep -q 'Run /pullab/init as init process'
  out_of runner.log | grep -q 'boot pass: the guest reached userspace after 1500 ms'
  [ "$(stat_field instance_id)" = qemu-3 ]
  [ "$(stat_field arch)" = x86_64 ]
  [ "$(stat_field result)" = SUCCESS ]
  [ "$(stat_field boot)" = pass ]
  out_of stats.json | python3 -c 'import json, sys; s = json.load(sys.stdin); assert s["stages"][0]["exit_code"] == 0 and s["qemu"]["accel"] == "tcg" and s["qemu"]["timeout_s"] == 60, s'
  # QEMU: x86_64, q35, TCG without /dev/kvm, headless, no reboot, serial console, the hook as rdinit
  qemu_args | head -n 1 | grep -qx qemu-system-x86_64
  has_args -M q35
  has_args -accel tcg
  has_args -cpu max
  has_args -m 1024
  qemu_args | grep -qx -- -nographic
  qemu_args | grep -qx -- -no-reboot
  qemu_args | grep -xF -A1 -- -append | tail -n 1 | grep -qx 'console=ttyS0,115200 panic=-1 rdinit=/pullab/init'
  # every upload under output/<task id>/, result.txt the last one
  [ "$(find "$OUT" -type f -printf '%f\n' | sort | tr '\n' ' ')" = "console.log result.txt results.json run-1-output.log runner.log stats.json " ]
  [ "$(last_put)" = "$RUN_PREFIX/test_kernelci-boot/output/qemu-3/result.txt" ]
  [ "$(grep -c 'put-object' "$AWS_CALLS")" -eq 1 ]
}

@test "the fake kernel is honest: without the runner's hook in the initrd there is no marker" {
  local tmp="$BATS_TEST_TMPDIR"
  # the bare ramdisk: no /pullab/init -> no working init, no marker
  curl -fsS -o "$tmp/rootfs.cpio.gz" "$WWW/rootfs.cpio.gz"
  run qemu-system-x86_64 -kernel "$tmp/k" -initrd "$tmp/rootfs.cpio.gz" -append 'console=ttyS0 rdinit=/pullab/init'
  [ "$status" -eq 0 ]
  [[ "$output" == *"No working init found"* ]]
  [[ "$output" != *PULLAB-BOOT-OK* ]]
  # an appended archive that is not 4-byte aligned is junk to the kernel
  printf 'x' >> "$tmp/rootfs.cpio.gz"
  python3 "$RUNNER_DIR/initramfs.py" build "$tmp/extra.cpio" --dir "$BATS_TEST_DIRNAME/fixtures/qemu" pullab
  cat "$tmp/extra.cpio" >> "$tmp/rootfs.cpio.gz"
  run qemu-system-x86_64 -kernel "$tmp/k" -initrd "$tmp/rootfs.cpio.gz" -append 'console=ttyS0'
  [[ "$output" == *"Initramfs unpacking failed"* ]]
  # the wrong serial console: nothing on it
  FAKE_QEMU_SILENT_S=0 run qemu-system-aarch64 -kernel "$tmp/k" -append 'console=ttyS0 rdinit=/pullab/init'
  [ -z "$output" ]
}

@test "kernel panic before userspace: boot = fail, result.txt SUCCESS (a test result, not a runner failure)" {
  export FAKE_QEMU_MODE=panic
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = fail ]
  [[ "$(stat_field verdict)" == "boot fail: kernel panic before userspace: Kernel panic - not syncing: VFS: Unable to mount root fs"* ]]
  out_of console.log | grep -q 'Kernel panic - not syncing'
}

@test "QEMU that hangs is stopped at PULLAB_TEST_TIMEOUT_S: boot = fail with the timeout as the reason" {
  export FAKE_QEMU_MODE=hang PULLAB_TEST_TIMEOUT_S=3
  SECONDS=0
  runner
  [ "$status" -eq 0 ]
  [ "$SECONDS" -lt 40 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = fail ]
  [ "$(stat_field verdict)" = "boot fail: no PULLAB-BOOT-OK from the guest within 3s: QEMU stopped at the timeout" ]
  out_of stats.json | python3 -c 'import json, sys; s = json.load(sys.stdin); assert s["stages"][0]["exit_code"] == 124, s'
  out_of runner.log | grep -q 'QEMU ended with status 124 after [0-9]*s (timeout)'
}

@test "the QEMU time is capped by MAX_RUNTIME minus the upload reserve" {
  export FAKE_QEMU_MODE=hang PULLAB_TEST_TIMEOUT_S=3600 MAX_RUNTIME=64 PULLAB_UPLOAD_RESERVE_S=60
  runner
  [ "$status" -eq 0 ]
  [ "$(rstatus boot)" = fail ]
  [[ "$(stat_field verdict)" =~ ^"boot fail: no PULLAB-BOOT-OK from the guest within "[1-4]"s" ]]
}

@test "QEMU itself failing is a runner failure: FAILED with its message, boot = error" {
  export FAKE_QEMU_MODE=fail
  runner
  [ "$status" -eq 0 ]
  [[ "$(out_of result.txt)" == "FAILED: QEMU exited with status 1 before the guest reached userspace: qemu-system-x86_64: could not load kernel"* ]]
  [ "$(rstatus boot)" = error ]
}

# ---------------------------------------------------------------------------------------------- infrastructure

@test "kernel URL 404: FAILED naming the URL, boot = error, QEMU not started; a download over the size cap" {
  export PULLAB_KERNEL_URL="$WWW/no-such/bzImage"
  runner
  [ "$status" -eq 0 ]
  [[ "$(out_of result.txt)" == "FAILED: download of the kernel $WWW/no-such/bzImage failed: "*"404"* ]]
  [ "$(rstatus boot)" = error ]
  [ ! -e "$FAKE_QEMU_ARGS" ]
  # no console: the runner's log is the run log the analyzer links
  out_of run-1-output.log | grep -q 'download of the kernel'
  [ ! -e "$OUT/console.log" ]
  [ "$(last_put)" = "$RUN_PREFIX/test_kernelci-boot/output/qemu-3/result.txt" ]
  # the size cap
  export PULLAB_KERNEL_URL="$WWW/big-bzImage" PULLAB_DOWNLOAD_MAX_MB=1
  runner
  [ "$(out_of result.txt)" = "FAILED: download of the kernel $WWW/big-bzImage failed: larger than PULLAB_DOWNLOAD_MAX_MB (1 MiB)" ]
}

@test "plain http is refused without PULLAB_ALLOW_HTTP=1" {
  unset PULLAB_ALLOW_HTTP
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = "FAILED: refusing to download the kernel over plain http: $WWW/bzImage (https only; PULLAB_ALLOW_HTTP=1 allows http)" ]
  [ ! -e "$FAKE_QEMU_ARGS" ]
  export PULLAB_KERNEL_URL="ftp://example.invalid/bzImage" PULLAB_ALLOW_HTTP=1
  runner
  [ "$(out_of result.txt)" = "FAILED: the kernel URL 'ftp://example.invalid/bzImage' is not an https URL" ]
}

@test "the artifact URL policy: loopback not opted in, and a redirect to the task metadata endpoint, are refused" {
  unset PULLAB_ALLOW_PRIVATE_URLS
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = "FAILED: refusing to download the kernel from $WWW/bzImage: host 127.0.0.1 is a loopback address (not in PULLAB_ALLOW_PRIVATE_URLS)" ]
  [ ! -e "$FAKE_QEMU_ARGS" ]
  # an accepted URL redirecting to the ECS task metadata endpoint (link-local): the hop is checked, not followed
  export PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32 PULLAB_KERNEL_URL="$WWW/redirect?http://169.254.170.2/v2/credentials/x"
  runner
  [[ "$(out_of result.txt)" == "FAILED: download of the kernel $WWW/redirect?http://169.254.170.2/v2/credentials/x failed: download: refused http://169.254.170.2/v2/credentials/x: host 169.254.170.2 is a link-local address"* ]]
  [ ! -e "$FAKE_QEMU_ARGS" ]
}

@test "missing configuration: exit 2 naming every missing variable, nothing uploaded" {
  unset RESULTS_BUCKET TEST_NAME
  runner
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"missing configuration: RESULTS_BUCKET TEST_NAME"* ]]
  [ ! -e "$AWS_CALLS" ]
  export RESULTS_BUCKET="$BUCKET" TEST_NAME=kernelci-boot MAX_RUNTIME=soon
  runner
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"MAX_RUNTIME must be a positive whole number, got 'soon'"* ]]
  run "$RUNNER" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"RESULTS_BUCKET, RUN_PREFIX, TEST_NAME"* ]]
}

@test "no rootfs: the image's static busybox is the guest's userspace; without one the run FAILS clearly" {
  unset PULLAB_ROOTFS_URL
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = "FAILED: no userspace for the guest: the job has no rootfs or ramdisk (PULLAB_ROOTFS_URL) and there is no static busybox for x86_64 ($PULLAB_GUEST_BUSYBOX_DIR/busybox-x86_64)" ]
  [ "$(rstatus boot)" = error ]
  # with a busybox for the arch it becomes the hook's interpreter (here a stand-in: the fake runs the hook with sh)
  mkdir -p "$BATS_TEST_TMPDIR/guest"
  printf '#!/bin/sh\n' > "$BATS_TEST_TMPDIR/guest/busybox-x86_64"
  export PULLAB_GUEST_BUSYBOX_DIR="$BATS_TEST_TMPDIR/guest" FAKE_QEMU_KEEP="$BATS_TEST_TMPDIR/guest-root"
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = pass ]
  [ "$(head -n 1 "$FAKE_QEMU_KEEP/pullab/init")" = '#!/pullab/bin/busybox sh' ]
  [ -x "$FAKE_QEMU_KEEP/pullab/bin/busybox" ]
  # only the hook: no ramdisk was given
  [ "$(find "$FAKE_QEMU_KEEP" -mindepth 1 -maxdepth 1 | sort | xargs -n1 basename | tr '\n' ' ')" = "dev proc pullab " ]
}

# ------------------------------------------------------------------------------------------- platforms, identity

@test "qemu-arm64: qemu-system-aarch64 -M virt -cpu max, console ttyAMA0, arch arm64" {
  export PULLAB_PLATFORM=qemu-arm64 PULLAB_KERNEL_URL="$WWW/Image"
  runner
  [ "$status" -eq 0 ]
  [ "$(rstatus boot)" = pass ]
  qemu_args | head -n 1 | grep -qx qemu-system-aarch64
  has_args -M virt
  has_args -cpu max
  has_args -accel tcg
  qemu_args | grep -xF -A1 -- -append | tail -n 1 | grep -q '^console=ttyAMA0,115200 panic=-1 rdinit=/pullab/init$'
  [ "$(stat_field arch)" = arm64 ]
  # PULLAB_ARCH wins over the platform name
  export PULLAB_ARCH=aarch64 PULLAB_PLATFORM=some-board
  runner
  [ "$(rstatus boot)" = pass ]
  qemu_args | head -n 1 | grep -qx qemu-system-aarch64
  export PULLAB_ARCH="" PULLAB_PLATFORM=riscv-board
  runner
  [[ "$(out_of result.txt)" == "FAILED: cannot tell the guest architecture"* ]]
}

@test "task id from the ECS metadata endpoint (TaskARN) and its region; /dev/kvm used when there is one" {
  export ECS_CONTAINER_METADATA_URI_V4="$WWW/v4/meta"
  unset AWS_REGION AWS_DEFAULT_REGION
  : > "$BATS_TEST_TMPDIR/kvm"
  export PULLAB_KVM_DEVICE="$BATS_TEST_TMPDIR/kvm"
  TASK="$TASK_ARN_ID"
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(stat_field instance_id)" = "$TASK_ARN_ID" ]
  [ "$(stat_field task_arn)" = "arn:aws:ecs:eu-west-1:123456789012:task/pullab/$TASK_ARN_ID" ]
  [ "$(stat_field region)" = eu-west-1 ]
  export AWS_REGION=us-east-1
  run ! s3_exists output/qemu-3/result.txt
  [ -s "$OUT/console.log" ]
  if [ "$(uname -m)" = x86_64 ]; then
    has_args -accel kvm
    has_args -cpu host
  fi
  # a metadata endpoint that does not answer: the fallback qemu-<index>
  export ECS_CONTAINER_METADATA_URI_V4="$WWW/v4/nowhere" TASK_INDEX=7 AWS_REGION=us-east-1
  TASK=qemu-7
  runner
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(stat_field instance_id)" = qemu-7 ]
  out_of runner.log | grep -q 'WARNING: no task metadata'
}

# ------------------------------------------------------------------------------------------------- ltp, kselftest

@test "ltp: rootfs tarball converted to an initramfs, runltp in the guest, LKFT skip file from the rootfs" {
  export TEST_NAME=kernelci-ltp PULLAB_TEST_TYPE=ltp PULLAB_LTP_CMDFILES="smoketest,syscalls-mini" \
    PULLAB_LTP_SKIPFILE=skipfile-lkft.yaml PULLAB_LTP_WORKERS=max PULLAB_ROOTFS_URL="$WWW/ltp.rootfs.tar.xz" \
    FAKE_QEMU_KEEP="$BATS_TEST_TMPDIR/guest-root"
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = pass ]
  [ "$(rstatus ltp.access01)" = pass ]
  [ "$(rstatus ltp.rename01A)" = pass ]
  [ "$(rstatus ltp.splice02)" = fail ]
  [ "$(rstatus ltp.df01_sh)" = error ]
  [ "$(rstatus ltp.utime07)" = skip ]
  [ "$(rstatus ltp.ping602)" = skip ]
  [ "$(rstatus ltp.shell_test01)" = skip ]
  [ "$(rstatus ltp.mmap01)" = fail ]
  [ "$(rstatus ltp)" = missing ]
  out_of console.log | grep -q '^PULLAB-INFO LTP root .*/opt/ltp, runner runltp, command files smoketest syscalls-mini$'
  out_of console.log | grep -q '^PULLAB-SUITE-EXIT 1 timed_out=no$'
  # what the guest saw: the rootfs, the modules, the hook and the converted skip list
  grep -q -- '-f smoketest,syscalls-mini -l .*/tmp/pullab/ltp-results.log -S .*/pullab/ltp-skiplist.txt' \
    "$FAKE_QEMU_KEEP/opt/ltp/stub-invocation.txt"
  [ "$(cat "$FAKE_QEMU_KEEP/pullab/ltp-skiplist.txt" | tr '\n' ' ')" = "ping602 ping601 shell_test01 utime07 " ]
  [ -f "$FAKE_QEMU_KEEP/lib/modules/6.15.0-fake/kernel/dummy.ko" ]
  [ -f "$FAKE_QEMU_KEEP/etc/os-release" ]
  [ -L "$FAKE_QEMU_KEEP/bin/env-link" ]
  [ "$(stat_field verdict)" = "boot pass: the guest reached userspace after 1500 ms; ltp: 17 result(s)" ]
}

@test "ltp: kirk from the rootfs's opt/kirk, workers and skip file passed on" {
  export TEST_NAME=kernelci-ltp PULLAB_TEST_TYPE=ltp PULLAB_LTP_CMDFILES=smoketest PULLAB_LTP_SKIPFILE=skipfile-lkft.yaml \
    PULLAB_LTP_WORKERS=3 PULLAB_ROOTFS_URL="$WWW/kirk.rootfs.tar.xz" FAKE_QEMU_KEEP="$BATS_TEST_TMPDIR/guest-root"
  runner
  [ "$status" -eq 0 ]
  [ "$(rstatus boot)" = pass ]
  [ "$(rstatus ltp.access01)" = pass ]
  [ "$(rstatus ltp.splice02)" = fail ]
  [ "$(rstatus ltp.ping602)" = missing ]
  out_of console.log | grep -q '^PULLAB-OUT kirk-report '
  grep -q -- '--run-suite smoketest --json-report .*/tmp/pullab/kirk-report.json --suite-timeout [0-9]* --workers 3 --skip-file .*/pullab/ltp-skiplist.txt' \
    "$FAKE_QEMU_KEEP/opt/kirk/stub-invocation.txt"
}

@test "ltp: a kernel that does not boot -> boot = fail, ltp = error; no LTP in the rootfs -> ltp = error" {
  export TEST_NAME=kernelci-ltp PULLAB_TEST_TYPE=ltp PULLAB_LTP_CMDFILES=smoketest PULLAB_ROOTFS_URL="$WWW/ltp.rootfs.tar.xz"
  FAKE_QEMU_MODE=panic runner
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = fail ]
  [ "$(rstatus ltp)" = error ]
  export PULLAB_ROOTFS_URL="$WWW/rootfs.cpio.gz"
  runner
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = pass ]
  [ "$(rstatus ltp)" = error ]
  out_of console.log | grep -q '^PULLAB-INFO error: no LTP runner in the rootfs'
  [[ "$(stat_field verdict)" == *"ltp error: ltp gave no results (PULLAB-SUITE-EXIT 127 timed_out=no)" ]]
  # missing parameters are runner failures, as exit 2 is on EC2
  export PULLAB_LTP_CMDFILES=""
  runner
  [ "$(out_of result.txt)" = "FAILED: required job parameter empty: PULLAB_LTP_CMDFILES" ]
  [ "$(rstatus ltp)" = error ]
}

@test "kselftest: kselftest.tar.xz under /opt/kselftest, run_kselftest.sh -c <collection from the test type>" {
  export TEST_NAME=kernelci-kselftest PULLAB_TEST_TYPE=kselftest-timers PULLAB_KSELFTEST_URL="$WWW/kselftest.tar.xz"
  runner
  [ "$status" -eq 0 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = pass ]
  [ "$(rstatus kselftest.timers.posix_timers)" = pass ]
  [ "$(rstatus kselftest.timers.nanosleep)" = fail ]
  [ "$(rstatus kselftest.timers.rtcpie)" = skip ]
  [ "$(rstatus kselftest.timers)" = missing ]
  out_of console.log | grep -q '^PULLAB-OUT kselftest-tap ok 1 selftests: timers: posix_timers$'
}

@test "kselftest: over its time -> kselftest.<collection> = error plus what completed; no rootfs -> FAILED" {
  export TEST_NAME=kernelci-kselftest PULLAB_TEST_TYPE=kselftest-hang PULLAB_KSELFTEST_URL="$WWW/kselftest.tar.xz" \
    PULLAB_TEST_TIMEOUT_S=15
  SECONDS=0
  runner
  [ "$status" -eq 0 ]
  [ "$SECONDS" -lt 50 ]
  [ "$(out_of result.txt)" = SUCCESS ]
  [ "$(rstatus boot)" = pass ]
  [ "$(rstatus kselftest.hang.quick)" = pass ]
  [ "$(rstatus kselftest.hang.sleeper)" = error ]
  [ "$(rstatus kselftest.hang)" = error ]
  out_of console.log | grep -q '^PULLAB-SUITE-EXIT 124 timed_out=yes$'
  # kselftest needs the job's rootfs (a C library) under QEMU
  unset PULLAB_ROOTFS_URL
  runner
  [ "$(out_of result.txt)" = "FAILED: kselftest under QEMU needs the job's rootfs (PULLAB_ROOTFS_URL is empty): map platform qemu-x86_64 to an ec2 executor in the lab config for this test" ]
  [ "$(rstatus kselftest.hang)" = error ]
}
