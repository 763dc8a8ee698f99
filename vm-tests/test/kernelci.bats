#!/usr/bin/env bats
# The KernelCI tests (kernelci-boot, kernelci-ltp, kernelci-kselftest, and pullab_cloud's url-kernel-boot and ltp,
# which share their code) and lib/kernelci.sh, run for real on fake
# artifacts built here (tar -cJf) and served over http on loopback (params.env opts into both, as a lab config with
# artifact_urls.allow_http and allow_private [127.0.0.1/32] makes it); kernel installation is simulated
# (PULLAB_SIMULATE=1).
# Run: cd /work/main && bats vm-tests/test/kernelci.bats

load helpers

KVERSION=6.15.0-rc7-kci

setup_file() {
  local fix="$BATS_TEST_DIRNAME/fixtures/kernelci" tmp="$BATS_FILE_TMPDIR" m r k
  local art="$tmp/artifacts"
  mkdir -p "$art"

  # modules.tar.xz as a kbuild makes it: ./lib/modules/<version>/...
  m="$tmp/modroot/lib/modules/$KVERSION"
  mkdir -p "$m/kernel/drivers/net" "$m/kernel/fs/xfs"
  printf 'fake module\n' > "$m/kernel/drivers/net/dummy.ko"
  printf 'fake module\n' > "$m/kernel/fs/xfs/xfs.ko"
  printf 'kernel/drivers/net/dummy.ko:\nkernel/fs/xfs/xfs.ko:\n' > "$m/modules.dep"
  printf 'kernel/drivers/net/dummy.ko\nkernel/fs/xfs/xfs.ko\n' > "$m/modules.order"
  ln -s /tmp/kci/linux "$m/build"
  tar -C "$tmp/modroot" -cJf "$art/modules.tar.xz" .

  # a "kernel image"
  { printf 'MZ fake bzImage of Linux version %s\n' "$KVERSION"; head -c 2048 /dev/zero; } > "$art/bzImage"

  # rootfs with opt/ltp (runltp stub) and some other rootfs content
  r="$tmp/rootfs"
  mkdir -p "$r/opt/ltp/runtest" "$r/opt/ltp/testcases/bin" "$r/etc" "$r/usr/bin"
  cp "$fix/stubs/runltp" "$r/opt/ltp/runltp"
  cp "$fix/runtest-smoketest" "$r/opt/ltp/runtest/smoketest"
  cp "$fix/runtest-syscalls-mini" "$r/opt/ltp/runtest/syscalls-mini"
  cp "$fix/stub-outcomes.txt" "$r/opt/ltp/stub-outcomes.txt"
  printf 'ID=debian\nVERSION_ID="13"\n' > "$r/etc/os-release"
  printf '#!/bin/sh\n' > "$r/usr/bin/hello"
  tar -C "$r" -cJf "$art/full.rootfs.tar.xz" .

  # the same rootfs with kirk in opt/kirk (as KernelCI's RUNNER /opt/kirk/kirk)
  cp -R "$r" "$tmp/rootfs-kirk"
  mkdir -p "$tmp/rootfs-kirk/opt/kirk"
  cp "$fix/stubs/kirk" "$tmp/rootfs-kirk/opt/kirk/kirk"
  tar -C "$tmp/rootfs-kirk" -cJf "$art/kirk.rootfs.tar.xz" .

  # the same with a python3 (an absolute link, as in a Debian rootfs): kirk can run inside a chroot into it
  cp -R "$tmp/rootfs-kirk" "$tmp/rootfs-kirk-py"
  ln -s /usr/bin/python3.13 "$tmp/rootfs-kirk-py/usr/bin/python3"
  tar -C "$tmp/rootfs-kirk-py" -cJf "$art/kirk-py.rootfs.tar.xz" .

  # a rootfs without LTP
  mkdir -p "$tmp/rootfs-empty/etc"
  printf 'ID=debian\n' > "$tmp/rootfs-empty/etc/os-release"
  tar -C "$tmp/rootfs-empty" -cJf "$art/empty.rootfs.tar.xz" .

  # kselftest.tar.xz: run_kselftest.sh (stub) at the top
  k="$tmp/kselftest_install"
  mkdir -p "$k/timers" "$k/kselftest"
  cp "$fix/stubs/run_kselftest.sh" "$k/run_kselftest.sh"
  cp "$fix/kselftest-timers.tap" "$k/timers.tap"
  printf 'timers:posix_timers\ntimers:nanosleep\n' > "$k/kselftest-list.txt"
  tar -C "$k" -cJf "$art/kselftest.tar.xz" .

  # an x86 bzImage whose setup header names its version ("HdrS" at 0x202, version string offset - 0x200 at 0x20e),
  # a gzip-compressed arm64 Image.gz with its "Linux version" banner, and an image naming no version
  python3 -c 'import sys
b = bytearray(4096); b[0x202:0x206] = b"HdrS"; b[0x20e:0x210] = (0x400 - 0x200).to_bytes(2, "little")
v = b"6.16.0-hdr-kci (builder@ci) #1 SMP PREEMPT_DYNAMIC"; b[0x400:0x400 + len(v)] = v
open(sys.argv[1], "wb").write(b)' "$art/bzImage-hdr"
  { head -c 512 /dev/zero; printf 'Linux version 6.17.0-arm64-kci (gcc) #1 SMP\n'; } | gzip > "$art/Image.gz"
  head -c 4096 /dev/zero > "$art/Image-anonymous"

  # a tarball without lib/modules
  tar -C "$k" -cJf "$art/no-modules.tar.xz" timers

  HTTP_PORT="$(free_port)"
  python3 "$BATS_TEST_DIRNAME/fixtures/redirecting_server.py" "$art" "$HTTP_PORT" > "$tmp/http.log" 2>&1 &
  HTTP_PID=$!
  export HTTP_PID WWW="http://127.0.0.1:$HTTP_PORT"
  wait_for_http "$WWW/bzImage"
}

teardown_file() {
  kill "${HTTP_PID:-}" 2>/dev/null || true
}

setup() {
  local var
  for var in "${!PULLAB_@}" KCI_SYSTEM_LTPROOT KCI_LTP_RUNNER; do
    unset "$var"
  done
  VMT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
  FIX="$BATS_TEST_DIRNAME/fixtures/kernelci"
  ART="$BATS_FILE_TMPDIR/artifacts"
  export PULLAB_SIMULATE=1
  export KCI_SYSTEM_LTPROOT="$BATS_TEST_TMPDIR/no-ltp-installed"
}

# test_dir NAME: a copy of vm-tests/NAME with its symlinks followed, as the orchestrator zips it; cd into it.
test_dir() {
  TD="$BATS_TEST_TMPDIR/$1"
  cp -RL "$VMT/$1" "$TD"
  cd "$TD" || return 1
}

# params VAR=VALUE...: params.env as the orchestrator writes it (shell-quoted).
params() {
  local kv
  for kv in "$@"; do
    printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"
  done > params.env
}

# kci DIR FUNCTION ARGS...: a lib/kernelci.sh function in DIR.
kci() {
  local dir="$1"
  shift
  (cd "$dir" && source "$VMT/lib/test_lib.sh" && source "$VMT/lib/results.sh" && source "$VMT/lib/kernelci.sh" && "$@")
}

# status PATH [FILE]: the status of PATH in results.json; "missing" when absent.
status() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[2])); print(d.get(sys.argv[1], {}).get("status", "missing"))' \
    "$1" "${2:-results.json}"
}

# field PATH KEY [FILE]
field() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[3]))[sys.argv[1]].get(sys.argv[2], "missing"))' \
    "$1" "$2" "${3:-results.json}"
}

valid_json() {
  python3 -m json.tool results.json > /dev/null
}

result_count() {
  python3 -c 'import json; print(len(json.load(open("results.json"))))'
}

boot_params() {
  params PULLAB_ALLOW_HTTP=1 PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32 \
    PULLAB_JOB_NODE_ID=6825f9c0b4e0b1c9d2a7e0a1 PULLAB_JOB_NAME=baseline-x86-pull-labs \
    PULLAB_PLATFORM=qemu-x86_64 PULLAB_TEST_ID=boot-test-6825f9c0 PULLAB_TEST_TYPE=boot PULLAB_TEST_TIMEOUT_S=600 \
    "PULLAB_KERNEL_URL=$WWW/bzImage" "PULLAB_MODULES_URL=$WWW/modules.tar.xz" \
    PULLAB_ROOTFS_URL= PULLAB_DTB_URL= PULLAB_KSELFTEST_URL= "$@"
}

ltp_params() {
  params PULLAB_ALLOW_HTTP=1 PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32 \
    PULLAB_JOB_NODE_ID=6825f9c0b4e0b1c9d2a7e0a2 PULLAB_JOB_NAME=ltp-smoketest-pull-labs \
    PULLAB_PLATFORM=qemu-x86_64 PULLAB_TEST_ID=ltp-smoketest PULLAB_TEST_TYPE=ltp PULLAB_TEST_TIMEOUT_S=600 \
    "PULLAB_KERNEL_URL=$WWW/bzImage" "PULLAB_MODULES_URL=$WWW/modules.tar.xz" \
    "PULLAB_ROOTFS_URL=$WWW/full.rootfs.tar.xz" PULLAB_DTB_URL= PULLAB_KSELFTEST_URL= \
    "PULLAB_LTP_CMDFILES=smoketest,syscalls-mini" PULLAB_LTP_SKIPFILE=skipfile-lkft.yaml PULLAB_LTP_WORKERS=max \
    "$@"
}

kselftest_params() {
  params PULLAB_ALLOW_HTTP=1 PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32 \
    PULLAB_JOB_NODE_ID=6825f9c0b4e0b1c9d2a7e0a3 PULLAB_JOB_NAME=kselftest-timers-pull-labs \
    PULLAB_PLATFORM=qemu-x86_64 PULLAB_TEST_ID=kselftest-timers PULLAB_TEST_TYPE=kselftest-timers \
    PULLAB_TEST_TIMEOUT_S=600 "PULLAB_KERNEL_URL=$WWW/bzImage" "PULLAB_MODULES_URL=$WWW/modules.tar.xz" \
    PULLAB_ROOTFS_URL= PULLAB_DTB_URL= "PULLAB_KSELFTEST_URL=$WWW/kselftest.tar.xz" \
    PULLAB_KSELFTEST_COLLECTION=timers "$@"
}

# --- layout ------------------------------------------------------------------------------------------------------

@test "each KernelCI test directory follows the vm-tests layout" {
  local t f
  for t in kernelci-boot kernelci-ltp kernelci-kselftest; do
    [ -L "$VMT/$t/lib" ]
    [ "$(readlink "$VMT/$t/lib")" = ../lib ]
    [ -f "$VMT/$t/README.md" ]
    [ -f "$VMT/$t/dependencies.txt" ]
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d and not any(d.values()), d' \
      "$VMT/$t/external_requirements.json"
    for f in "$VMT/$t"/run-*.sh; do
      [ -x "$f" ]
      [ "$(head -n 1 "$f")" = "#!/usr/bin/env bash" ]
      grep -qx 'set -euo pipefail' "$f"
    done
    [ "$(find "$VMT/$t" -maxdepth 1 -name 'run-*.sh' | wc -l)" -eq 2 ]
  done
}

@test "every script passes shellcheck -x" {
  run shellcheck -x "$VMT"/kernelci-*/run-*.sh "$VMT/lib/kernelci.sh" "$FIX"/stubs/*
  echo "$output"
  [ "$status" -eq 0 ]
}

# --- kernel version of a modules tarball ------------------------------------------------------------------------

@test "kci_modules_version: ./lib/modules/<version>/ of a kbuild modules.tar.xz" {
  run kci "$BATS_TEST_TMPDIR" kci_modules_version "$ART/modules.tar.xz"
  [ "$status" -eq 0 ]
  [ "$output" = "$KVERSION" ]
}

@test "kci_modules_version: lib/modules/ and usr/lib/modules/ without ./; none or two versions fail" {
  local d="$BATS_TEST_TMPDIR"
  mkdir -p "$d/a/lib/modules/6.1.0-kci+/kernel" "$d/b/usr/lib/modules/6.2.0/kernel" "$d/c/lib/modules/6.3.0/x" \
    "$d/c/lib/modules/6.4.0/x" "$d/e/lib/modules"
  tar -C "$d/a" -cJf "$d/a.tar.xz" lib
  tar -C "$d/b" -cJf "$d/b.tar.xz" usr
  tar -C "$d/c" -cJf "$d/c.tar.xz" lib
  tar -C "$d/e" -cJf "$d/e.tar.xz" lib
  run kci "$d" kci_modules_version "$d/a.tar.xz"
  [ "$status" -eq 0 ] && [ "$output" = "6.1.0-kci+" ]
  run kci "$d" kci_modules_version "$d/b.tar.xz"
  [ "$status" -eq 0 ] && [ "$output" = "6.2.0" ]
  run kci "$d" kci_modules_version "$d/c.tar.xz"
  [ "$status" -ne 0 ]
  [[ "$output" == *"more than one kernel version"*"6.3.0 6.4.0"* ]]
  run kci "$d" kci_modules_version "$d/e.tar.xz"
  [ "$status" -ne 0 ]
  [[ "$output" == *"no lib/modules/<version>/"* ]]
}

# --- kernelci-boot -----------------------------------------------------------------------------------------------

@test "boot stage 1: real downloads and version detection, simulated install, one-time entry, exit 194" {
  test_dir kernelci-boot
  boot_params
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [ "$(cat expected-kernel.txt)" = "$KVERSION" ]
  [[ "$output" == *"downloading $WWW/bzImage"* ]]
  [[ "$output" == *"job kernel version: $KVERSION"* ]]
  [[ "$output" == *"SIMULATED: cp -R modules-staging/lib/modules/$KVERSION /lib/modules/"* ]]
  [[ "$output" == *"SIMULATED: install -m 0755 artifacts/bzImage /boot/vmlinuz-$KVERSION"* ]]
  [[ "$output" == *"SIMULATED: dracut --force --kver $KVERSION /boot/initramfs-$KVERSION.img"* ]]
  [[ "$output" == *"SIMULATED: grubby --add-kernel=/boot/vmlinuz-$KVERSION --initrd=/boot/initramfs-$KVERSION.img --title=KernelCI $KVERSION --copy-default --args=panic=10"* ]]
  [[ "$output" == *"SIMULATED: grub2-reboot KernelCI $KVERSION"* ]]
  # nothing really installed, no leftovers, no result yet
  [ ! -e "/boot/vmlinuz-$KVERSION" ]
  [ ! -e "/lib/modules/$KVERSION" ]
  [ ! -e modules-staging ]
  [ ! -e artifacts ]
  [ ! -e results.json ]
}

@test "kci_install_kernel, real path with a recording privileged: old default kept, grub2-reboot to the BLS id" {
  cd "$BATS_TEST_TMPDIR"
  boot_params
  # shellcheck disable=SC2016
  run bash -c '
    set -euo pipefail
    source "$1/lib/test_lib.sh"; source "$1/lib/results.sh"; source "$1/lib/kernelci.sh"
    simulated() { false; }
    privileged() {
      echo "$*" >> calls.txt
      case "$*" in
        "grubby --default-kernel") echo /boot/vmlinuz-6.1.132-147.221.amzn2023.x86_64 ;;
        "grubby --info="*) v="${2#--info=/boot/vmlinuz-}"; printf "index=1\nkernel=\"/boot/vmlinuz-%s\"\ntitle=\"KernelCI %s\"\nid=\"ec2abc-%s\"\n" "$v" "$v" "$v" ;;
      esac
    }
    kci_load_params
    kci_install_kernel boot' _ "$VMT" "$KVERSION"
  echo "$output"
  cat calls.txt
  [ "$status" -eq 0 ]
  [ "$(cat expected-kernel.txt)" = "$KVERSION" ]
  grep -qx "cp -R modules-staging/lib/modules/$KVERSION /lib/modules/" calls.txt
  grep -qx "depmod -a $KVERSION" calls.txt
  grep -qx "grubby --add-kernel=/boot/vmlinuz-$KVERSION --initrd=/boot/initramfs-$KVERSION.img --title=KernelCI $KVERSION --copy-default --args=panic=10 rd.shell=0 rd.emergency=reboot" calls.txt
  grep -qx "grubby --set-default=/boot/vmlinuz-6.1.132-147.221.amzn2023.x86_64" calls.txt
  grep -qx "grub2-reboot ec2abc-$KVERSION" calls.txt
  # order: modules and image before dracut, the entry added before the one-time reboot is set
  [ "$(grep -n '^dracut' calls.txt | cut -d: -f1)" -gt "$(grep -n '^install ' calls.txt | cut -d: -f1)" ]
  [ "$(grep -n '^grub2-reboot' calls.txt | cut -d: -f1)" -gt "$(grep -n '^grubby --set-default' calls.txt | cut -d: -f1)" ]
}

@test "boot stage 2: the running kernel counts as booted when simulating, results.json boot = pass" {
  test_dir kernelci-boot
  boot_params
  run ./run-01-install-kernel.sh
  [ "$status" -eq 194 ]
  run ./run-02-check-boot.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"expected kernel: $KVERSION, running kernel: $(uname -r)"* ]]
  [[ "$output" == *"SIMULATED: expected kernel $KVERSION, running $(uname -r): counted as booted"* ]]
  valid_json
  [ "$(status boot)" = pass ]
  [[ "$(field boot duration_ms)" =~ ^[0-9]+$ ]]
  [ "$(result_count)" -eq 1 ]
  grep -qx "expected=$KVERSION" boot-result.txt
  grep -qx "simulated=yes" boot-result.txt
}

@test "boot stage 2, real run, another kernel booted (the fallback entry): boot = fail, exit 0" {
  test_dir kernelci-boot
  boot_params
  echo "0.0.1-not-running" > expected-kernel.txt
  PULLAB_SIMULATE=0 run ./run-02-check-boot.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"the job's kernel 0.0.1-not-running did NOT boot: running $(uname -r)"* ]]
  valid_json
  [ "$(status boot)" = fail ]
  grep -qx "status=fail" boot-result.txt
  grep -qx "simulated=no" boot-result.txt
}

@test "boot stage 2 without stage 1 (no expected-kernel.txt): exit 1, boot = error" {
  test_dir kernelci-boot
  boot_params
  run ./run-02-check-boot.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"expected-kernel.txt is missing"* ]]
  valid_json
  [ "$(status boot)" = error ]
}

@test "boot: missing PULLAB_KERNEL_URL -> exit 2, results.json boot = error" {
  test_dir kernelci-boot
  boot_params PULLAB_KERNEL_URL=
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"required job parameter(s) empty: PULLAB_KERNEL_URL"* ]]
  valid_json
  [ "$(status boot)" = error ]
  [ ! -e expected-kernel.txt ]
}

@test "boot: a download that fails and a modules tarball without lib/modules -> exit 1, boot = error" {
  test_dir kernelci-boot
  boot_params "PULLAB_MODULES_URL=$WWW/does-not-exist.tar.xz"
  run ./run-01-install-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"download of $WWW/does-not-exist.tar.xz failed"* ]]
  valid_json
  [ "$(status boot)" = error ]

  rm -f results.json .pullab-results.tsv
  boot_params "PULLAB_MODULES_URL=$WWW/no-modules.tar.xz"
  run ./run-01-install-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot tell the kernel version"* ]]
  [ "$(status boot)" = error ]
}

# --- the artifact URL policy (kci_download) -----------------------------------------------------------------------

@test "boot: a file:// kernel URL is refused before any read: exit 1, boot = error" {
  test_dir kernelci-boot
  boot_params "PULLAB_KERNEL_URL=file://$ART/bzImage"
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"download: refused file://$ART/bzImage: not an https URL"* ]]
  [ ! -e artifacts/bzImage ]
  [ "$(status boot)" = error ]
}

@test "boot: plain http without PULLAB_ALLOW_HTTP=1, and loopback without PULLAB_ALLOW_PRIVATE_URLS, are refused" {
  test_dir kernelci-boot
  boot_params PULLAB_ALLOW_HTTP=0
  run ./run-01-install-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"download: refused $WWW/bzImage: plain http (https only; PULLAB_ALLOW_HTTP=1 allows http)"* ]]

  boot_params PULLAB_ALLOW_PRIVATE_URLS=
  run ./run-01-install-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"download: refused $WWW/bzImage: host 127.0.0.1 is a loopback address (not in PULLAB_ALLOW_PRIVATE_URLS)"* ]]
  [ ! -e artifacts/bzImage ]
}

@test "boot: a redirect is followed only to a URL the policy accepts (the metadata service, file://, loopback refused)" {
  test_dir kernelci-boot
  local target
  for target in "http://169.254.169.254/latest/meta-data/iam/security-credentials/" "file://$ART/bzImage" \
      "http://127.0.0.2:${WWW##*:}/bzImage"; do
    rm -f results.json .pullab-results.tsv
    boot_params "PULLAB_KERNEL_URL=$WWW/redirect?$target"
    run ./run-01-install-kernel.sh
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"download: refused $target: "* ]]
    [ "$(status boot)" = error ]
  done
  # an accepted target is followed
  rm -f results.json .pullab-results.tsv
  boot_params "PULLAB_KERNEL_URL=$WWW/redirect?$WWW/bzImage"
  run ./run-01-install-kernel.sh
  [ "$status" -eq 194 ]
}

@test "boot: a public-looking name that resolves to loopback is refused on the VM (DNS is not checked at translation)" {
  test_dir kernelci-boot
  # getent as the VM's resolver would answer for a name pointing at loopback (e.g. a rebinding or wildcard domain)
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\necho "127.0.0.1       STREAM $2"\n' > "$BATS_TEST_TMPDIR/bin/getent"
  chmod +x "$BATS_TEST_TMPDIR/bin/getent"
  boot_params PULLAB_ALLOW_PRIVATE_URLS= "PULLAB_KERNEL_URL=http://artifacts.evil.example:${WWW##*:}/bzImage"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"host artifacts.evil.example resolves to 127.0.0.1, a loopback address"* ]]
  # allowed, the transfer goes to the address checked (--resolve), not to a second lookup
  boot_params "PULLAB_KERNEL_URL=http://artifacts.evil.example:${WWW##*:}/bzImage"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run ./run-01-install-kernel.sh
  [ "$status" -eq 194 ]
}

@test "credentials in an artifact URL are refused and never written to the stage log" {
  test_dir kernelci-boot
  boot_params "PULLAB_MODULES_URL=http://ci-bot:s3cr3t@127.0.0.1:${WWW##*:}/modules.tar.xz"
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"refused http://<user info>@127.0.0.1:${WWW##*:}/modules.tar.xz: user info (credentials) in the URL"* ]]
  [[ "$output" != *s3cr3t* ]]
  [[ "$output" != *ci-bot* ]]
}

@test "kci_url_check: non-public addresses in every spelling and internal names are refused; public ones pass" {
  local url
  for url in "https://169.254.169.254/" "https://2852039166/" "https://0x7f.1/" "https://0177.0.0.1/" \
      "https://127.1/" "https://[::1]/" "https://[::ffff:127.0.0.1]/" "https://[::ffff:a9fe:a9fe]/" \
      "https://[fe80::1]/" "https://[fd00:ec2::254]/" "https://[64:ff9b::a9fe:a9fe]/" "https://0.0.0.0/" \
      "https://10.1.2.3/" "https://172.16.0.1/" "https://192.168.1.1/" "https://100.64.0.1/" "https://localhost/" \
      "https://a.localhost/" "https://metadata.google.internal/" "https://metadata/" "s3://bucket/key" \
      "ftp://files.kernelci.org/x" "https://u@files.kernelci.org/x"; do
    run kci "$BATS_TEST_TMPDIR" kci_url_check "$url"
    [ "$status" -eq 1 ] || { echo "accepted: $url"; return 1; }
  done
  for url in "https://93.184.215.14/bzImage" "https://[2606:4700::6810:84e5]:8443/bzImage"; do
    run kci "$BATS_TEST_TMPDIR" kci_url_check "$url"
    [ "$status" -eq 0 ] || { echo "refused: $url"; return 1; }
  done
  PULLAB_ALLOW_PRIVATE_URLS="10.20.0.0/16,fd00::/8" run kci "$BATS_TEST_TMPDIR" kci_url_check "https://10.20.9.9/"
  [ "$status" -eq 0 ]
  PULLAB_ALLOW_PRIVATE_URLS="10.20.0.0/16,fd00::/8" run kci "$BATS_TEST_TMPDIR" kci_url_check "https://[fd00:ec2::254]/"
  [ "$status" -eq 0 ]
  PULLAB_ALLOW_PRIVATE_URLS="10.20.0.0/16,fd00::/8" run kci "$BATS_TEST_TMPDIR" kci_url_check "https://10.21.0.1/"
  [ "$status" -eq 1 ]
}

@test "ltp: a skip file URL on the metadata service is refused: a warning, LTP runs without a skip list" {
  test_dir kernelci-ltp
  ltp_params PULLAB_LTP_SKIPFILE="http://169.254.169.254/latest/meta-data/skipfile.yaml" PULLAB_KERNEL_URL=
  run ./run-01-install-kernel.sh
  [ "$status" -eq 0 ]
  run ./run-02-ltp.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"download: refused http://169.254.169.254/latest/meta-data/skipfile.yaml: host 169.254.169.254 is a link-local address"* ]]
  [[ "$output" == *"WARNING: download of http://169.254.169.254/latest/meta-data/skipfile.yaml failed"* ]]
}

# --- LTP -----------------------------------------------------------------------------------------------------------

@test "ltp_results_to_results: runltp -p log with header and footer, PASS/FAIL/CONF/BROK/WARN mapping" {
  kci "$BATS_TEST_TMPDIR" ltp_results_to_results "$FIX/runltp-results.log" > "$BATS_TEST_TMPDIR/log"
  kci "$BATS_TEST_TMPDIR" result_write results.json
  cd "$BATS_TEST_TMPDIR"
  grep -q "15 LTP results from" log
  valid_json
  [ "$(result_count)" -eq 15 ]
  [ "$(status ltp.access01)" = pass ]
  [ "$(status ltp.rename01A)" = pass ]
  [ "$(status ltp.splice02)" = fail ]
  [ "$(status ltp.utime07)" = skip ]
  [ "$(status ltp.ping602)" = skip ]
  [ "$(status ltp.df01_sh)" = error ]
  [ "$(status ltp.fcntl36_64)" = fail ]
  # header and footer lines are no results
  [ "$(status ltp.Testcase)" = missing ]
  [ "$(status ltp.Total)" = missing ]
  [ "$(status ltp.Kernel)" = missing ]
}

@test "ltp_results_to_results: raw ltp-pan log (tag= stat= dur=) with durations" {
  kci "$BATS_TEST_TMPDIR" ltp_results_to_results "$FIX/ltp-pan-raw.log" > /dev/null
  kci "$BATS_TEST_TMPDIR" result_write results.json
  cd "$BATS_TEST_TMPDIR"
  valid_json
  [ "$(status ltp.abort01)" = pass ]
  [ "$(status ltp.accept01)" = skip ]
  [ "$(status ltp.fcntl14)" = fail ]
  [ "$(field ltp.fcntl14 duration_ms)" = 3000 ]
  [ "$(status ltp.mmap01)" = fail ]
  [ "$(status ltp.open01)" = error ]
}

@test "ltp_results_to_results: a missing log is an error, not a crash" {
  run kci "$BATS_TEST_TMPDIR" ltp_results_to_results "$BATS_TEST_TMPDIR/none.log"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no LTP results log"* ]]
}

@test "kirk_report_to_results: kirk JSON report statuses and durations" {
  kci "$BATS_TEST_TMPDIR" kirk_report_to_results "$FIX/kirk-report.json" > /dev/null
  kci "$BATS_TEST_TMPDIR" result_write results.json
  cd "$BATS_TEST_TMPDIR"
  valid_json
  [ "$(status ltp.abort01)" = pass ]
  [ "$(field ltp.abort01 duration_ms)" = 21 ]
  [ "$(status ltp.fcntl14)" = fail ]
  [ "$(status ltp.accept01)" = skip ]
  [ "$(status ltp.shmctl05)" = error ]
  [ "$(status ltp.cve-2017-17052)" = fail ]
}

@test "ltp_skipfile_to_list: LKFT YAML skipfile and plain list" {
  kci "$BATS_TEST_TMPDIR" ltp_skipfile_to_list "$FIX/skipfile-lkft.yaml" "$BATS_TEST_TMPDIR/list"
  [ "$(cat "$BATS_TEST_TMPDIR/list")" = "$(printf 'ping602\nping601\nshell_test01\nutime07')" ]
  printf '# comment\nabort01 needs something\n\n  fork01\n' > "$BATS_TEST_TMPDIR/plain"
  kci "$BATS_TEST_TMPDIR" ltp_skipfile_to_list "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/list2"
  [ "$(cat "$BATS_TEST_TMPDIR/list2")" = "$(printf 'abort01\nfork01')" ]
}

@test "ltp: stage 1 installs the job's kernel (simulated), stage 2 runs runltp from the rootfs's opt/ltp" {
  test_dir kernelci-ltp
  ltp_params
  cp "$FIX/skipfile-lkft.yaml" .
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [ "$(cat expected-kernel.txt)" = "$KVERSION" ]
  run ./run-02-ltp.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"SIMULATED: expected kernel $KVERSION"* ]]
  [[ "$output" == *"LTP root $TD/ltp-root/opt/ltp, runner runltp"* ]]
  [[ "$output" == *"workers=$(nproc) is only used by kirk"* ]]
  # only opt/ltp was unpacked, and the rootfs tarball is gone
  [ -d ltp-root/opt/ltp ] && [ ! -e ltp-root/etc ] && [ ! -e ltp-root/usr ]
  [ ! -e artifacts/full.rootfs.tar.xz ]
  # runltp got the command files, the skip list and an absolute results log
  grep -q -- "-p -f smoketest,syscalls-mini -l $TD/ltp-results.log -S $TD/ltp-skiplist.txt" ltp-root/opt/ltp/stub-invocation.txt
  valid_json
  [ "$(result_count)" -eq 17 ]
  [ "$(status ltp.access01)" = pass ]
  [ "$(status ltp.abort01)" = pass ]
  [ "$(status ltp.splice02)" = fail ]
  [ "$(status ltp.mmap01)" = fail ]
  [ "$(status ltp.df01_sh)" = error ]
  [ "$(status ltp.utime07)" = skip ]
  [ "$(status ltp.shell_test01)" = skip ]   # from the skip file
  [ "$(status ltp)" = missing ]
  [ -s ltp-output.log ]
}

@test "ltp: kirk from the rootfs's opt/kirk is preferred, with workers and skip file" {
  test_dir kernelci-ltp
  ltp_params "PULLAB_ROOTFS_URL=$WWW/kirk.rootfs.tar.xz" PULLAB_KERNEL_URL= PULLAB_LTP_WORKERS=3
  cp "$FIX/skipfile-lkft.yaml" .
  run ./run-01-install-kernel.sh
  [ "$status" -eq 0 ]
  [[ "$output" == *"the job has no kernel"* ]]
  run ./run-02-ltp.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"runner kirk ($TD/ltp-root/opt/kirk/kirk)"* ]]
  grep -q -- "--framework ltp:root=$TD/ltp-root/opt/ltp --run-suite smoketest syscalls-mini --json-report $TD/ltp-kirk-report.json --suite-timeout 540 --workers 3 --skip-file $TD/ltp-skiplist.txt" \
    ltp-root/opt/kirk/stub-invocation.txt
  valid_json
  [ "$(status ltp.access01)" = pass ]
  [ "$(field ltp.access01 duration_ms)" = 125 ]
  [ "$(status ltp.df01_sh)" = error ]
  [ "$(status ltp.fcntl36_64)" = fail ]
  [ "$(status ltp.shell_test01)" = missing ]   # kirk does not run skipped tests
}

@test "ltp: an LTP already installed on the VM is used without a rootfs" {
  mkdir -p "$BATS_TEST_TMPDIR/system/ltp/runtest"
  cp "$FIX/stubs/runltp" "$FIX/stub-outcomes.txt" "$BATS_TEST_TMPDIR/system/ltp/"
  cp "$FIX/runtest-smoketest" "$BATS_TEST_TMPDIR/system/ltp/runtest/smoketest"
  export KCI_SYSTEM_LTPROOT="$BATS_TEST_TMPDIR/system/ltp"
  test_dir kernelci-ltp
  ltp_params PULLAB_ROOTFS_URL= PULLAB_LTP_CMDFILES=smoketest PULLAB_LTP_SKIPFILE=missing-skipfile.yaml \
    PULLAB_LTP_WORKERS=
  run ./run-02-ltp.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"using the LTP installed in $KCI_SYSTEM_LTPROOT"* ]]
  [[ "$output" == *"WARNING: skip file 'missing-skipfile.yaml' not found"* ]]
  [ ! -e ltp-root ]
  [ "$(result_count)" -eq 14 ]
  [ "$(status ltp.shell_test01)" = pass ]
}

@test "ltp stage 2, real run, the job's kernel did not boot: ltp = error, LTP not run, exit 0" {
  test_dir kernelci-ltp
  ltp_params
  echo "0.0.1-not-running" > expected-kernel.txt
  PULLAB_SIMULATE=0 run ./run-02-ltp.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"the job's kernel 0.0.1-not-running did not boot (running $(uname -r)): LTP not run"* ]]
  valid_json
  [ "$(status ltp)" = error ]
  [ "$(result_count)" -eq 1 ]
  [ ! -e ltp-root ]
}

@test "ltp: missing PULLAB_LTP_CMDFILES -> exit 2, ltp = error; no LTP anywhere -> exit 1, ltp = error" {
  test_dir kernelci-ltp
  ltp_params PULLAB_LTP_CMDFILES=
  run ./run-02-ltp.sh
  [ "$status" -eq 2 ]
  [[ "$output" == *"PULLAB_LTP_CMDFILES"* ]]
  valid_json
  [ "$(status ltp)" = error ]

  rm -f results.json .pullab-results.tsv
  ltp_params "PULLAB_ROOTFS_URL=$WWW/empty.rootfs.tar.xz"
  run ./run-02-ltp.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"has no opt/ltp with runltp or kirk"* ]]
  [ "$(status ltp)" = error ]
}

# --- kselftest -----------------------------------------------------------------------------------------------------

@test "kselftest_tap_to_results: ok / not ok / SKIP / TIMEOUT, nested results ignored" {
  kci "$BATS_TEST_TMPDIR" kselftest_tap_to_results "$FIX/kselftest-timers.tap" timers > "$BATS_TEST_TMPDIR/log"
  kci "$BATS_TEST_TMPDIR" result_write results.json
  cd "$BATS_TEST_TMPDIR"
  grep -q "6 kselftest results from" log
  valid_json
  [ "$(result_count)" -eq 6 ]
  [ "$(status kselftest.timers.posix_timers)" = pass ]
  [ "$(status kselftest.timers.nanosleep)" = fail ]
  [ "$(status kselftest.timers.rtcpie)" = skip ]
  [ "$(status kselftest.timers.nsleep-lat)" = pass ]
  [ "$(status kselftest.timers.set-timer-lat)" = fail ]
  [ "$(status kselftest.timers.valid-adjtimex_c)" = pass ]
}

@test "kselftest_tap_to_results: names with dots and slashes, bare TAP names, an unfinished test is error" {
  cd "$BATS_TEST_TMPDIR"
  cat > out.tap <<'EOF'
TAP version 13
1..4
# selftests: net: fib_tests.sh
not ok 1 selftests: net: fib_tests.sh # exit=1
ok 2 selftests: drivers/net/bonding: bond-lladdr-target.sh
ok 3 tags_test # skip not supported
# selftests: net: so_txtime.sh
# TAP version 13
# ok 1 so_txtime
EOF
  kci "$BATS_TEST_TMPDIR" kselftest_tap_to_results out.tap arm64 > log
  kci "$BATS_TEST_TMPDIR" result_write results.json
  valid_json
  [ "$(status kselftest.net.fib_tests_sh)" = fail ]
  [ "$(status kselftest.drivers_net_bonding.bond-lladdr-target_sh)" = pass ]
  [ "$(status kselftest.arm64.tags_test)" = skip ]
  [ "$(status kselftest.net.so_txtime_sh)" = error ]
  [ "$(result_count)" -eq 4 ]
}

@test "kselftest: stage 1 installs the job's kernel, stage 2 runs run_kselftest.sh -c timers" {
  test_dir kernelci-kselftest
  kselftest_params
  run ./run-01-install-kernel.sh
  [ "$status" -eq 194 ]
  [ "$(cat expected-kernel.txt)" = "$KVERSION" ]
  run ./run-02-kselftest.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"SIMULATED: expected kernel $KVERSION"* ]]
  [[ "$output" == *"./run_kselftest.sh -c timers"* ]]
  valid_json
  [ "$(result_count)" -eq 6 ]
  [ "$(status kselftest.timers.posix_timers)" = pass ]
  [ "$(status kselftest.timers.nanosleep)" = fail ]
  [ "$(status kselftest.timers.rtcpie)" = skip ]
  [ "$(status kselftest.timers)" = missing ]
  grep -q '^ok 1 selftests: timers: posix_timers$' kselftest-output.tap
  [ ! -e artifacts/kselftest.tar.xz ]
}

@test "kselftest: a run over PULLAB_TEST_TIMEOUT_S -> kselftest.<collection> = error plus what completed" {
  test_dir kernelci-kselftest
  kselftest_params PULLAB_KSELFTEST_COLLECTION=hang PULLAB_TEST_TIMEOUT_S=1 PULLAB_KERNEL_URL=
  run ./run-01-install-kernel.sh
  [ "$status" -eq 0 ]
  SECONDS=0
  run ./run-02-kselftest.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$SECONDS" -lt 20 ]
  [[ "$output" == *"did not finish within 1s"* ]]
  valid_json
  [ "$(status kselftest.hang)" = error ]
  [ "$(status kselftest.hang.quick)" = pass ]
  [ "$(status kselftest.hang.sleeper)" = error ]
}

@test "kselftest: the collection comes from PULLAB_TEST_TYPE when PULLAB_KSELFTEST_COLLECTION is empty" {
  test_dir kernelci-kselftest
  kselftest_params PULLAB_KSELFTEST_COLLECTION= PULLAB_TEST_TYPE=kselftest-timers PULLAB_KERNEL_URL=
  run ./run-02-kselftest.sh
  [ "$status" -eq 0 ]
  [[ "$output" == *"collection(s): timers"* ]]
  [ "$(status kselftest.timers.posix_timers)" = pass ]
}

@test "kselftest: missing PULLAB_KSELFTEST_URL -> exit 2, kselftest.<collection> = error; no collection -> exit 2" {
  test_dir kernelci-kselftest
  kselftest_params PULLAB_KSELFTEST_URL=
  run ./run-02-kselftest.sh
  [ "$status" -eq 2 ]
  [[ "$output" == *"PULLAB_KSELFTEST_URL"* ]]
  valid_json
  [ "$(status kselftest.timers)" = error ]

  rm -f results.json .pullab-results.tsv
  kselftest_params PULLAB_KSELFTEST_COLLECTION= PULLAB_TEST_TYPE=kselftest
  run ./run-02-kselftest.sh
  [ "$status" -eq 2 ]
  [ "$(status kselftest)" = error ]
}

# --- url-kernel-boot (pullab_cloud's test: its parameter names, modules optional) --------------------------------

# url_env VAR=VALUE...: pullab_cloud-style parameters: in the environment of the stages, params.env only with the
# lab's URL opt-ins (loopback over http, as the artifacts here are served).
url_env() {
  params PULLAB_ALLOW_HTTP=1 PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32
  local kv
  export KERNELCI_NODE_ID=6825f9c0b4e0b1c9d2a7e0b1 ARCH=x86_64 PULL_LABS_TESTS=baseline-x86:baseline
  for kv in "$@"; do
    export "${kv%%=*}=${kv#*=}"
  done
}

@test "url-kernel-boot: KERNEL_URL and MODULES_URL as pullab_cloud passes them: stage 1 installs (simulated), 194; stage 2 boot = pass" {
  test_dir url-kernel-boot
  url_env "KERNEL_URL=$WWW/bzImage" "MODULES_URL=$WWW/modules.tar.xz"
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"PULLAB_KERNEL_URL from KERNEL_URL: $WWW/bzImage"* ]]
  [[ "$output" == *"PULLAB_JOB_NODE_ID from KERNELCI_NODE_ID: 6825f9c0b4e0b1c9d2a7e0b1"* ]]
  [[ "$output" == *"job kernel version: $KVERSION (from $WWW/modules.tar.xz)"* ]]
  [[ "$output" == *"SIMULATED: cp -R modules-staging/lib/modules/$KVERSION /lib/modules/"* ]]
  [[ "$output" == *"SIMULATED: grub2-reboot KernelCI $KVERSION"* ]]
  [ "$(cat expected-kernel.txt)" = "$KVERSION" ]
  [ ! -e results.json ]
  run ./run-02-check-boot.sh
  echo "$output"
  [ "$status" -eq 0 ]
  valid_json
  [ "$(status boot)" = pass ]
  [ "$(result_count)" -eq 1 ]
  grep -qx "expected=$KVERSION" boot-result.txt
}

@test "url-kernel-boot: without MODULES_URL the version is the bzImage header's and the initramfs carries no modules" {
  test_dir url-kernel-boot
  url_env "KERNEL_URL=$WWW/bzImage-hdr"
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"no modules URL (MODULES_URL / PULLAB_MODULES_URL)"* ]]
  [[ "$output" == *"job kernel version: 6.16.0-hdr-kci (from the image"* ]]
  [[ "$output" == *"SIMULATED: dracut --force --no-kernel --kver 6.16.0-hdr-kci /boot/initramfs-6.16.0-hdr-kci.img"* ]]
  [[ "$output" != *"SIMULATED: cp -R"* ]]
  [[ "$output" != *"SIMULATED: depmod"* ]]
  [ "$(cat expected-kernel.txt)" = 6.16.0-hdr-kci ]
}

@test "url-kernel-boot: an image naming no version and no modules -> exit 1 saying what is missing, boot = error" {
  test_dir url-kernel-boot
  url_env "KERNEL_URL=$WWW/Image-anonymous"
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot tell the kernel version of $WWW/Image-anonymous and the job has no modules tarball (MODULES_URL / PULLAB_MODULES_URL)"* ]]
  [ "$(status boot)" = error ]
  [ ! -e expected-kernel.txt ]
}

@test "url-kernel-boot: no kernel URL -> exit 2 naming KERNEL_URL and PULLAB_KERNEL_URL, boot = error" {
  test_dir url-kernel-boot
  url_env
  run ./run-01-install-kernel.sh
  [ "$status" -eq 2 ]
  [[ "$output" == *"no kernel URL: set KERNEL_URL (pullab_cloud's name) or PULLAB_KERNEL_URL"* ]]
  valid_json
  [ "$(status boot)" = error ]
}

@test "url-kernel-boot: a plain http KERNEL_URL is refused unless the lab opted in (PULLAB_ALLOW_HTTP=1)" {
  test_dir url-kernel-boot
  url_env "KERNEL_URL=$WWW/bzImage" "MODULES_URL=$WWW/modules.tar.xz"
  params PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32
  run ./run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"download: refused $WWW/bzImage: plain http (https only; PULLAB_ALLOW_HTTP=1 allows http)"* ]]
  [ "$(status boot)" = error ]
  [ ! -e artifacts/bzImage ]
}

@test "url-kernel-boot stage 2, real run, another kernel booted: boot = fail and exit 1 (result.txt FAILED)" {
  test_dir url-kernel-boot
  url_env
  echo "0.0.1-not-running" > expected-kernel.txt
  PULLAB_SIMULATE=0 run ./run-02-check-boot.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the job's kernel 0.0.1-not-running did NOT boot"* ]]
  valid_json
  [ "$(status boot)" = fail ]
  grep -qx "status=fail" boot-result.txt
}

@test "kci_image_version: bzImage setup header, gzip Image banner, uncompressed banner; none fails" {
  run kci "$BATS_TEST_TMPDIR" kci_image_version "$ART/bzImage-hdr"
  [ "$status" -eq 0 ] && [ "$output" = 6.16.0-hdr-kci ]
  run kci "$BATS_TEST_TMPDIR" kci_image_version "$ART/Image.gz"
  [ "$status" -eq 0 ] && [ "$output" = 6.17.0-arm64-kci ]
  run kci "$BATS_TEST_TMPDIR" kci_image_version "$ART/bzImage"
  [ "$status" -eq 0 ] && [ "$output" = "$KVERSION" ]
  run kci "$BATS_TEST_TMPDIR" kci_image_version "$ART/Image-anonymous"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no kernel version in $ART/Image-anonymous"* ]]
}

@test "kci_fetch: an artifact larger than the bound is refused and not kept" {
  cd "$BATS_TEST_TMPDIR"
  run kci "$BATS_TEST_TMPDIR" env PULLAB_ALLOW_HTTP=1 PULLAB_ALLOW_PRIVATE_URLS=127.0.0.1/32 \
    bash -c 'source "$1/lib/test_lib.sh"; source "$1/lib/results.sh"; source "$1/lib/kernelci.sh"
             kci_fetch boot "$2" artifacts/bzImage 1000' _ "$VMT" "$WWW/bzImage"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"download of $WWW/bzImage failed: larger than 1000 bytes"* ]]
  [ ! -e artifacts/bzImage ]
  [ "$(status boot)" = error ]
}

@test "kci_load_params: a PULLAB_* name wins over pullab_cloud's name when both are set, with a warning" {
  cd "$BATS_TEST_TMPDIR"
  params "PULLAB_KERNEL_URL=https://storage.kernelci.org/a/bzImage"
  KERNEL_URL=https://storage.kernelci.org/b/bzImage run kci "$BATS_TEST_TMPDIR" \
    bash -c 'source "$1/lib/test_lib.sh"; source "$1/lib/results.sh"; source "$1/lib/kernelci.sh"
             kci_load_params; echo "kernel=$PULLAB_KERNEL_URL"' _ "$VMT"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"WARNING: PULLAB_KERNEL_URL and KERNEL_URL differ: using PULLAB_KERNEL_URL (https://storage.kernelci.org/a/bzImage)"* ]]
  [[ "$output" == *"kernel=https://storage.kernelci.org/a/bzImage"* ]]
}

# --- ltp (pullab_cloud's test: LTP on the running kernel) -----------------------------------------------------------

# chroot_stub: a directory with the chroot stand-in (fixtures/kernelci/stubs/chroot), for PATH.
chroot_stub() {
  mkdir -p "$BATS_TEST_TMPDIR/chroot-bin"
  cp "$FIX/stubs/chroot" "$BATS_TEST_TMPDIR/chroot-bin/chroot"
  printf '%s' "$BATS_TEST_TMPDIR/chroot-bin"
}

# TESTS_JSON: PULL_LABS_TESTS_JSON as pullab_cloud's translation writes it for an ltp job with a baseline test.
TESTS_JSON='[{"id":"ltp-smoketest","type":"ltp","parameters":"tst_cmdfiles=smoketest,syscalls-mini skip_install=true","timeout_s":900},{"id":"baseline-x86","type":"baseline","parameters":"","timeout_s":null}]'

@test "ltp: command files from PULL_LABS_TESTS_JSON, LTP chrooted into ROOTFS_URL; failed tests -> exit 1, each in results.json" {
  test_dir ltp
  url_env "ROOTFS_URL=$WWW/full.rootfs.tar.xz" "PULL_LABS_TESTS_JSON=$TESTS_JSON" "KERNEL_URL=$WWW/bzImage"
  PATH="$(chroot_stub):$PATH" run ./run.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"LTP parameters from PULL_LABS_TESTS_JSON: command files 'smoketest,syscalls-mini'"* ]]
  [[ "$output" == *"not installed, LTP runs on the VM's kernel"* ]]
  [[ "$output" == *"running (timeout 900s)"* ]]
  # the whole rootfs unpacked, /proc, /sys, /dev mounted (simulated) and unmounted, runltp run inside the chroot
  [ -f ltp-root/etc/os-release ] && [ -f ltp-root/usr/bin/hello ]
  [[ "$output" == *"SIMULATED: mount -t proc proc $TD/ltp-root/proc"* ]]
  [[ "$output" == *"SIMULATED: mount --bind /dev/pts $TD/ltp-root/dev/pts"* ]]
  [[ "$output" == *"SIMULATED: umount $TD/ltp-root/proc"* ]]
  grep -qx "env LTPROOT=/opt/ltp /opt/ltp/runltp -p -f smoketest,syscalls-mini -l /ltp-results.log" ltp-root/chroot-invocation.txt
  valid_json
  [ "$(status ltp.access01)" = pass ]
  [ "$(status ltp.splice02)" = fail ]
  [ "$(status ltp.df01_sh)" = error ]
  [ "$(status ltp.utime07)" = skip ]
  [[ "$output" == *"FAIL: 3 LTP test(s) failed, 1 in error"* ]]
  # pullab_cloud's uploaded names
  [ -s results_ltp.log ] && [ -s results_ltp-output.log ]
  grep -qx "fail=3" results_ltp-summary.txt
  grep -qx "command_files=smoketest,syscalls-mini" results_ltp-summary.txt
  # the kernel was not touched
  [ ! -e expected-kernel.txt ]
  [[ "$output" != *"SIMULATED: grub2-reboot"* ]]
}

@test "ltp: kirk of a rootfs with python3 runs inside the chroot, with the skip file and workers of the job" {
  test_dir ltp
  cp "$FIX/skipfile-lkft.yaml" .
  url_env "ROOTFS_URL=$WWW/kirk-py.rootfs.tar.xz" PULLAB_LTP_CMDFILES=smoketest PULLAB_LTP_SKIPFILE=skipfile-lkft.yaml \
    PULLAB_LTP_WORKERS=3
  PATH="$(chroot_stub):$PATH" run ./run.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"runner kirk ($TD/ltp-root/opt/kirk/kirk)"* ]]
  grep -qx "env LTPROOT=/opt/ltp /opt/kirk/kirk --framework ltp:root=/opt/ltp --run-suite smoketest --json-report /ltp-kirk-report.json --suite-timeout 540 --workers 3 --skip-file /ltp-skiplist.txt" \
    ltp-root/chroot-invocation.txt
  [ -s results_ltp-kirk-report.json ]
  [ "$(status ltp.access01)" = pass ]
  [ "$(status ltp.splice02)" = fail ]
  [ "$(status ltp.shell_test01)" = missing ]   # skipped by the skip file
}

@test "ltp with KCI_LTP_CHROOT=0: only opt/ltp of the rootfs is unpacked and run on the VM, as kernelci-ltp does" {
  test_dir ltp
  url_env "ROOTFS_URL=$WWW/full.rootfs.tar.xz" PULLAB_LTP_CMDFILES=smoketest KCI_LTP_CHROOT=0
  run ./run.sh
  echo "$output"
  [ "$status" -eq 1 ]
  [ -d ltp-root/opt/ltp ] && [ ! -e ltp-root/etc ]
  [[ "$output" != *"SIMULATED: mount"* ]]
  grep -q -- "-p -f smoketest -l $TD/ltp-results.log" ltp-root/opt/ltp/stub-invocation.txt
}

@test "ltp: no command files anywhere runs smoketest; every test passing -> exit 0" {
  test_dir ltp
  local sys="$BATS_TEST_TMPDIR/sys-ltp"
  mkdir -p "$sys/runtest"
  cp "$FIX/stubs/runltp" "$sys/runltp"
  printf 'access01 access01\nfork01 fork01\n' > "$sys/runtest/smoketest"
  : > "$sys/stub-outcomes.txt"
  url_env
  KCI_SYSTEM_LTPROOT="$sys" run ./run.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"no LTP command files (PULLAB_LTP_CMDFILES, PULL_LABS_TESTS_JSON tst_cmdfiles=): running smoketest"* ]]
  [[ "$output" == *"using the LTP installed in $sys"* ]]
  [[ "$output" == *"PASS: no LTP test failed"* ]]
  [ "$(status ltp.access01)" = pass ]
  [ "$(status ltp.fork01)" = pass ]
  [ "$(result_count)" -eq 2 ]
}

@test "ltp: no LTP on the VM and no ROOTFS_URL -> exit 2, ltp = error" {
  test_dir ltp
  url_env
  run ./run.sh
  [ "$status" -eq 2 ]
  [[ "$output" == *"no LTP in $BATS_TEST_TMPDIR/no-ltp-installed and the job has no rootfs (PULLAB_ROOTFS_URL empty)"* ]]
  [ "$(status ltp)" = error ]
}

@test "kci_ltp_params_from_tests: tst_cmdfiles of every ltp test once, skipfile, workers, timeout; bad input ignored" {
  local out
  # shellcheck disable=SC2016
  local show='source "$1/lib/test_lib.sh"; source "$1/lib/results.sh"; source "$1/lib/kernelci.sh"
    kci_ltp_params_from_tests; echo "cmd=${PULLAB_LTP_CMDFILES:-} skip=${PULLAB_LTP_SKIPFILE:-} workers=${PULLAB_LTP_WORKERS:-} timeout=${PULLAB_TEST_TIMEOUT_S:-}"'
  PULL_LABS_TESTS_JSON='[{"type":"ltp","parameters":"tst_cmdfiles=syscalls,mm skipfile=skipfile-lkft.yaml workers=max","timeout_s":1200},{"type":"ltp","parameters":{"tst_cmdfiles":"mm,fs"}},{"type":"kselftest","parameters":"tst_cmdfiles=bad"}]' \
    run bash -c "$show" _ "$VMT"
  [ "$status" -eq 0 ]
  [[ "$output" == *"cmd=syscalls,mm,fs skip=skipfile-lkft.yaml workers=max timeout=1200"* ]]
  # an explicit PULLAB_LTP_CMDFILES wins; not JSON and oversized lists are ignored with a warning
  PULLAB_LTP_CMDFILES=math PULL_LABS_TESTS_JSON='[{"type":"ltp","parameters":"tst_cmdfiles=mm"}]' run bash -c "$show" _ "$VMT"
  [[ "$output" == *"cmd=math "* ]]
  PULL_LABS_TESTS_JSON='not json' run bash -c "$show" _ "$VMT"
  [ "$status" -eq 0 ]
  [[ "$output" == *"WARNING: PULL_LABS_TESTS_JSON cannot be used: ignored"* ]]
  [[ "$output" == *"cmd= "* ]]
  out="[$(printf '{"type":"ltp","parameters":"tst_cmdfiles=x"},%.0s' $(seq 1 2000)){}]"
  PULL_LABS_TESTS_JSON="$out" run bash -c "$show" _ "$VMT"
  [[ "$output" == *"WARNING: PULL_LABS_TESTS_JSON is over 64 KiB"* ]]
  # command file names that could reach outside runtest/ are dropped
  PULL_LABS_TESTS_JSON='[{"type":"ltp","parameters":"tst_cmdfiles=../../etc/passwd,syscalls"}]' run bash -c "$show" _ "$VMT"
  [[ "$output" == *"cmd=syscalls "* ]]
}
