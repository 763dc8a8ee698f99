#!/usr/bin/env bash
# Helpers of the kvm-unit-tests test: the KVM gate, QEMU, the suite's download, build and run, and its results.
# Source after lib/test_lib.sh, lib/results.sh and lib/kernelci.sh (kci_fetch, kci_error_exit, kci_root_run,
# kci_run_timeout, kci_quiet).
#
#   kvmut_require_kvm                  # exit 1 (kvm-unit-tests = error) when /dev/kvm is missing, saying how to get it
#   kvmut_qemu                         # the qemu-system-x86_64 to use (QEMU, PATH, /usr/libexec/qemu-kvm, /opt/qemu)
#   kvmut_build_qemu                   # QEMU from its pinned release tarball into /opt/qemu
#   kvmut_fetch_source DIR             # the suite's source tarball (KVMUT_SOURCE_URL, pinned) unpacked into DIR
#   kvmut_build_suite DIR              # ./configure && make, bounded in time
#   kvmut_run_suite DIR QEMU LOG       # ACCEL=kvm ./run_tests.sh -v <KVMUT_TESTS> as root, bounded in time
#   kvmut_output_to_results LOG        # run_tests.sh output -> result_add kvm-unit-tests.<test> pass/fail/skip
#   kvmut_real_failures                # the failed tests not in KVMUT_IGNORE_FAILURES, one a line

# The pinned revision of kvm-unit-tests (the one pullab_cloud validated on c8i) and where its source tarball is.
KVMUT_DEFAULT_REF=1da1819e49fc4938985edca67df669099b4c87a7
# Tests pullab_cloud found stable under EC2 nested virtualization: the default subset (KVMUT_TESTS).
KVMUT_DEFAULT_TESTS="debug intel_iommu lam vmx_init_signal_test vmx_sipi_signal_test hyperv_clock"
# Tests known to fail or time out under EC2 nested virtualization: reported, but not counted as failures of the run.
KVMUT_DEFAULT_IGNORE="xapic access vmx_apicv_test vmx_posted_intr_test vmx_pf_exception_test msr msr64 pmu vmx la57"

# kvmut_kvm_device: the KVM device node (KVMUT_KVM_DEVICE, for tests; default /dev/kvm).
kvmut_kvm_device() {
  printf '%s' "${KVMUT_KVM_DEVICE:-/dev/kvm}"
}

# kvmut_require_kvm [WHEN]: returns when the KVM device exists; else reports kvm-unit-tests = error (results.json) and
# exits 1, saying that nested virtualization is needed and how a lab config turns it on. WHEN is added to the message
# (e.g. "after booting the kernel under test").
kvmut_require_kvm() {
  local when="${1:-}" dev
  dev="$(kvmut_kvm_device)"
  if [ -e "$dev" ]; then
    log "KVM available: $dev"
    return 0
  fi
  log "ERROR: $dev is missing${when:+ $when}: kvm-unit-tests needs KVM in this VM, that is nested virtualization."
  log "  To enable it, run the test on an instance type whose family has nested virtualization on EC2 (c8i, m8i, r8i"
  log "  and their -flex sizes; Intel only) and keep \"nested_virtualization\": true in its test_config.vms[] entry of"
  log "  the lab config (the default on those families; pullab sets CpuOptions NestedVirtualization=enabled at launch),"
  log "  or use a bare-metal instance type (*.metal). Instance type here: ${PULLAB_INSTANCE_TYPE:-unknown}."
  log "  If it is enabled, the running kernel $(uname -r) may lack KVM (CONFIG_KVM, CONFIG_KVM_INTEL) or its module is not loaded."
  kci_error_exit kvm-unit-tests 1 "no $dev: nested virtualization is not enabled for this VM (config key nested_virtualization)"
}

# kvmut_qemu: prints the QEMU system emulator to use: $QEMU when executable, else qemu-system-x86_64 on PATH,
# /usr/libexec/qemu-kvm (RHEL-like distributions), /opt/qemu/bin/qemu-system-x86_64 (build-qemu.sh). Fails when none.
kvmut_qemu() {
  local candidate
  for candidate in "${QEMU:-}" "$(command -v qemu-system-x86_64 || true)" /usr/libexec/qemu-kvm \
      /opt/qemu/bin/qemu-system-x86_64; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# kvmut_source_url: KVMUT_SOURCE_URL, else the GitLab archive of KVMUT_REF (default: the pinned revision).
kvmut_source_url() {
  local ref="${KVMUT_REF:-$KVMUT_DEFAULT_REF}"
  if [ -n "${KVMUT_SOURCE_URL:-}" ]; then
    printf '%s' "$KVMUT_SOURCE_URL"
  else
    printf 'https://gitlab.com/kvm-unit-tests/kvm-unit-tests/-/archive/%s/kvm-unit-tests-%s.tar.gz' "$ref" "$ref"
  fi
}

# kvmut_fetch_source DIR: downloads the source tarball (kvmut_source_url; https only unless the lab allows http, at
# most 64 MiB, 10 minutes an attempt) and unpacks it into DIR (its one top-level directory stripped). A DIR that has
# run_tests.sh already (an earlier boot) is kept. Exit 1 (kvm-unit-tests = error) when it fails.
kvmut_fetch_source() {
  local dir="$1" url tarball top
  if [ -x "$dir/run_tests.sh" ]; then
    log "kvm-unit-tests source already in $dir"
    return 0
  fi
  url="$(kvmut_source_url)"
  tarball="artifacts/kvm-unit-tests.tar.gz"
  kci_fetch kvm-unit-tests "$url" "$tarball" 67108864 600
  # (head stops reading early: the listing's status is not the archive's, so it is ignored)
  top="$( { tar -tzf "$tarball" 2> /dev/null || true; } | head -n 1)"
  top="${top%%/*}"
  [ -n "$top" ] || kci_error_exit kvm-unit-tests 1 "$(kci_url_shown "$url") is not a gzip tar archive"
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$tarball" -C "$dir" --strip-components=1 --no-same-owner \
    || kci_error_exit kvm-unit-tests 1 "cannot unpack $tarball"
  rm -f "$tarball"
  [ -x "$dir/run_tests.sh" ] || kci_error_exit kvm-unit-tests 1 "$(kci_url_shown "$url") has no run_tests.sh: not kvm-unit-tests"
  log "kvm-unit-tests source from $(kci_url_shown "$url") in $dir"
}

# kvmut_output_to_results LOG: run_tests.sh output (ANSI colours stripped) -> result kvm-unit-tests.<test> for each
#   PASS apic-split (54 tests)                  -> pass
#   FAIL vmx (timeout; duration=90s)            -> fail
#   SKIP pmu_lbr (0 tests)                      -> skip
# <test> reduced to [A-Za-z0-9_-]. Sets KCI_RESULTS_COUNT.
kvmut_output_to_results() {
  kci_quiet _kvmut_output_to_results "$@"
}
_kvmut_output_to_results() {
  local file="$1" word name rest status
  KCI_RESULTS_COUNT=0
  if [ ! -f "$file" ]; then
    log "no kvm-unit-tests output $file"
    return 1
  fi
  while read -r word name rest; do
    case "$word" in
      PASS) status=pass ;;
      FAIL) status=fail ;;
      SKIP) status=skip ;;
      *) continue ;;
    esac
    [ -n "$name" ] || continue
    result_add "kvm-unit-tests.$(kci_component "$name")" "$status"
    KCI_RESULTS_COUNT=$((KCI_RESULTS_COUNT + 1))
  done < <(sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\r$//' "$file")
  log "$KCI_RESULTS_COUNT kvm-unit-tests results from $file"
}

# kvmut_failures LOG: the names of the tests LOG reports as FAIL, one a line.
kvmut_failures() {
  sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" | awk '$1 == "FAIL" && $2 != "" { print $2 }'
}

# kvmut_real_failures LOG: the failed tests not in KVMUT_IGNORE_FAILURES (space separated; default: the tests
# known to fail under EC2 nested virtualization; empty: none ignored), one a line.
kvmut_real_failures() {
  local name ignored
  local -a ignore
  read -r -a ignore <<< "${KVMUT_IGNORE_FAILURES-$KVMUT_DEFAULT_IGNORE}"
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    for ignored in "${ignore[@]}"; do
      [ "$name" != "$ignored" ] || continue 2
    done
    printf '%s\n' "$name"
  done < <(kvmut_failures "$1")
}

# The QEMU release kvmut_build_qemu builds by default and the SHA-256 of its tarball (download.qemu.org publishes
# only signatures, so the digest is pinned here; another KVMUT_QEMU_VERSION needs its KVMUT_QEMU_SHA256).
KVMUT_DEFAULT_QEMU_VERSION=9.2.0
KVMUT_DEFAULT_QEMU_SHA256=f859f0bc65e1f533d040bbe8c92bcfecee5af2c921a6687c652fb44d089bd894

# kvmut_build_qemu: builds qemu-system-x86_64 (x86_64-softmmu, KVM, no UI) from the release tarball into
# /opt/qemu, for distributions without a QEMU system emulator (Amazon Linux 2023). The tarball is fetched under the
# artifact URL policy (at most 256 MiB, 15 minutes an attempt) and checked against its pinned SHA-256; configure and
# make run under KVMUT_BUILD_TIMEOUT_S (default 3600). Exit 1 (kvm-unit-tests = error) when it fails.
kvmut_build_qemu() {
  local version="${KVMUT_QEMU_VERSION:-$KVMUT_DEFAULT_QEMU_VERSION}" sha="${KVMUT_QEMU_SHA256:-}" tarball src rc=0
  local limit="${KVMUT_BUILD_TIMEOUT_S:-3600}"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
    || kci_error_exit kvm-unit-tests 2 "KVMUT_QEMU_VERSION '$version' is not a release number such as 9.2.0"
  if [ -z "$sha" ]; then
    [ "$version" = "$KVMUT_DEFAULT_QEMU_VERSION" ] \
      || kci_error_exit kvm-unit-tests 2 "QEMU $version needs its tarball's SHA-256 in KVMUT_QEMU_SHA256 (only $KVMUT_DEFAULT_QEMU_VERSION's is known)"
    sha="$KVMUT_DEFAULT_QEMU_SHA256"
  fi
  log "building QEMU $version into /opt/qemu (no qemu-system-x86_64 on this VM)"
  privileged dnf install -y gcc gcc-c++ make ninja-build python3 python3-tomli glib2-devel pixman-devel zlib-devel \
      libfdt-devel libslirp-devel flex bison diffutils findutils tar xz \
    || log "WARNING: not every QEMU build dependency could be installed; trying the build anyway"
  tarball="artifacts/qemu-$version.tar.xz"
  kci_fetch kvm-unit-tests "${KVMUT_QEMU_URL:-https://download.qemu.org/qemu-$version.tar.xz}" "$tarball" 268435456 900
  if ! printf '%s  %s\n' "$sha" "$tarball" | sha256sum -c --quiet -; then
    rm -f "$tarball"
    kci_error_exit kvm-unit-tests 1 "qemu-$version.tar.xz does not have the SHA-256 $sha: refusing to build it"
  fi
  src="qemu-build"
  rm -rf "$src"
  mkdir -p "$src"
  tar -xJf "$tarball" -C "$src" --strip-components=1 --no-same-owner \
    || kci_error_exit kvm-unit-tests 1 "cannot unpack $tarball"
  rm -f "$tarball"
  # shellcheck disable=SC2016 # $(nproc) is for the inner shell
  (cd "$src" && timeout --kill-after=30 "$limit" bash -c '
      ./configure --prefix=/opt/qemu --target-list=x86_64-softmmu --enable-kvm --disable-docs --disable-user \
        --disable-gtk --disable-sdl --disable-opengl --disable-xen --disable-spice --disable-vnc --disable-curses \
      && make -j"$(nproc)"') || rc=$?
  if [ "$rc" != 0 ]; then
    ! kci_timed_out "$rc" || kci_error_exit kvm-unit-tests 1 "the QEMU build took more than ${limit}s (KVMUT_BUILD_TIMEOUT_S)"
    kci_error_exit kvm-unit-tests 1 "the QEMU build failed (status $rc): see the stage log"
  fi
  privileged make -C "$src" install || kci_error_exit kvm-unit-tests 1 "installing QEMU into /opt/qemu failed"
  rm -rf "$src"
}

# kvmut_build_suite DIR: ./configure && make in DIR under KVMUT_BUILD_TIMEOUT_S (default 3600); exit 1
# (kvm-unit-tests = error) when it fails.
kvmut_build_suite() {
  local dir="$1" limit="${KVMUT_BUILD_TIMEOUT_S:-3600}" rc=0
  log "building kvm-unit-tests in $dir"
  # shellcheck disable=SC2016 # $(nproc) is for the inner shell
  (cd "$dir" && timeout --kill-after=30 "$limit" bash -c './configure && make -j"$(nproc)"') || rc=$?
  if [ "$rc" != 0 ]; then
    ! kci_timed_out "$rc" || kci_error_exit kvm-unit-tests 1 "building kvm-unit-tests took more than ${limit}s (KVMUT_BUILD_TIMEOUT_S)"
    kci_error_exit kvm-unit-tests 1 "building kvm-unit-tests failed (status $rc): see the stage log"
  fi
}

# kvmut_run_suite DIR QEMU LOG: ACCEL=kvm ./run_tests.sh -v in DIR as root, the tests of KVMUT_TESTS (space separated;
# default the stable subset; empty: the whole suite), the group KVMUT_GROUP when set (-g), under KVMUT_TIMEOUT_S
# (default 1800), output on stdout and in LOG. Returns run_tests.sh's status (124/137: the timeout hit).
kvmut_run_suite() {
  local dir="$1" qemu="$2" logfile="$3" name rc=0
  local -a tests args=(-v)
  read -r -a tests <<< "${KVMUT_TESTS-$KVMUT_DEFAULT_TESTS}"
  for name in "${tests[@]}"; do
    [[ "$name" =~ ^[A-Za-z0-9_.-]{1,128}$ ]] || kci_error_exit kvm-unit-tests 2 "KVMUT_TESTS names '$name', not a test name"
  done
  if [ -n "${KVMUT_GROUP:-}" ]; then
    [[ "$KVMUT_GROUP" =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || kci_error_exit kvm-unit-tests 2 "KVMUT_GROUP '$KVMUT_GROUP' is not a group name"
    args+=(-g "$KVMUT_GROUP")
  fi
  log "kvm-unit-tests: ${tests[*]:-the whole suite}${KVMUT_GROUP:+ (group $KVMUT_GROUP)}, QEMU $qemu"
  (cd "$dir" && kci_run_timeout "${KVMUT_TIMEOUT_S:-1800}" "$logfile" \
    env ACCEL=kvm QEMU="$qemu" PATH="$(dirname "$qemu"):$PATH" ./run_tests.sh "${args[@]}" "${tests[@]}") || rc=$?
  return "$rc"
}
