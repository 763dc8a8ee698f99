# Shared by the bats files of the stage scripts (unixbench.bats, pgbench.bats): a work directory laid out as on a VM,
# running one stage as the client does, and the simulated kernel boots of the base/tip regression tests: a `uname`
# on PATH whose `uname -r` is the kernel the simulated machine booted, and a reboot that boots the default entry the
# last stage set (its "SIMULATED: grubby --set-default /boot/vmlinuz-<release>" line).

# vm_workdir TEST: $WORK/test is a copy of vm-tests/TEST with symlinks followed (as the orchestrator zips it), next to
# $WORK/shared/kernel-rpms/binary/{x86_64,aarch64}/; the current directory is $WORK/test.
vm_workdir() {
  WORK="$BATS_TEST_TMPDIR/work"
  mkdir -p "$WORK/shared/kernel-rpms/binary/x86_64" "$WORK/shared/kernel-rpms/binary/aarch64"
  cp -rL "$VMT_DIR/$1" "$WORK/test"
  export PULLAB_TEST_DIR="$WORK/test"
  cd "$WORK/test" || return 1
}

# walkthrough_rpms: the seed walkthrough's two x86_64 kernel RPMs (6.1.141, the base; 6.1.150, the tip) in the run's
# shared/kernel-rpms/binary/x86_64/ (empty files: installs are simulated).
walkthrough_rpms() {
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.141-1.x86_64.rpm" \
    "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-1.x86_64.rpm"
}

# stage N SCRIPT: runs one stage as the client does (bash, in the test directory, output and errors together).
stage() {
  PULLAB_STAGE="$1" run bash "$2"
}

# simulated_machine IMAGE_KERNEL: from now on `uname -r` is IMAGE_KERNEL (the AMI's kernel) until simulated_reboot;
# other uname calls go to the real one.
simulated_machine() {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  export SIMULATED_UNAME_R="$BATS_TEST_TMPDIR/uname-r"
  printf '%s\n' "$1" > "$SIMULATED_UNAME_R"
  cat > "$BATS_TEST_TMPDIR/bin/uname" <<'UNAME'
#!/usr/bin/env bash
if [ "$*" = -r ]; then cat "$SIMULATED_UNAME_R"; else exec /usr/bin/env -u SIMULATED_UNAME_R /bin/uname "$@"; fi
UNAME
  chmod +x "$BATS_TEST_TMPDIR/bin/uname"
  export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

# simulated_reboot: the machine boots the default entry the last stage's output set, else the kernel it ran.
simulated_reboot() {
  local release
  release="$(sed -n 's|.*SIMULATED: grubby --set-default /boot/vmlinuz-||p' <<< "$output" | tail -n 1)"
  [ -z "$release" ] || printf '%s\n' "$release" > "$SIMULATED_UNAME_R"
}
