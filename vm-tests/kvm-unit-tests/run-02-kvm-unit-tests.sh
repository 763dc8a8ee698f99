#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kvm-unit-tests stage 2: on the kernel under test, build kvm-unit-tests (and QEMU when the VM has none), run them
# with ACCEL=kvm and report each test (results.json kvm-unit-tests.<test>: pass/fail/skip). Exit 1 when a test failed
# that is not in KVMUT_IGNORE_FAILURES (unless KVMUT_OBSERVE_ONLY=true). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kvm-unit-tests stage ${PULLAB_STAGE:-2}: run kvm-unit-tests"
kci_load_params
rc=0
kci_check_kernel || rc=$?
if [ "$rc" = 1 ]; then
  kci_error_exit kvm-unit-tests 1 "the kernel under test $KCI_EXPECTED_KERNEL did not boot (running $KCI_RUNNING_KERNEL): kvm-unit-tests not run"
fi
kvmut_require_kvm "on the kernel under test $(uname -r)"

kci_install_dependencies kvm-unit-tests
if ! qemu="$(kvmut_qemu)"; then
  kvmut_build_qemu
  qemu="$(kvmut_qemu)" || kci_error_exit kvm-unit-tests 1 "no qemu-system-x86_64 after building QEMU"
fi
log "QEMU: $qemu ($("$qemu" --version 2>&1 | head -n 1 || true))"

src="$here/kvm-unit-tests"
kvmut_fetch_source "$src"
kvmut_build_suite "$src"

run_rc=0
kvmut_run_suite "$src" "$qemu" "$here/kvm-unit-tests.log" || run_rc=$?
kvmut_output_to_results "$here/kvm-unit-tests.log" || true
if kci_timed_out "$run_rc"; then
  log "ERROR: kvm-unit-tests did not finish within ${KVMUT_TIMEOUT_S:-1800}s (KVMUT_TIMEOUT_S): kvm-unit-tests = error"
  result_add kvm-unit-tests error
elif [ "$KCI_RESULTS_COUNT" = 0 ]; then
  log "ERROR: run_tests.sh ended with status $run_rc and no results: kvm-unit-tests = error"
  result_add kvm-unit-tests error
fi
kci_quiet result_write results.json

# pullab_cloud's outputs (uploaded by the client as results_*)
kernel="$(uname -r)"
arch="$(uname -m)"
{
  echo "test_name,status,kernel_version,arch"
  sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' kvm-unit-tests.log | awk -v k="$kernel" -v a="$arch" \
    '($1 == "PASS" || $1 == "FAIL" || $1 == "SKIP") && $2 != "" { print $2 "," $1 "," k "," a }'
} > results_kvm-unit-tests.csv
mapfile -t real < <(kvmut_real_failures kvm-unit-tests.log)
{
  echo "kvm-unit-tests result"
  echo "kernel: $kernel  arch: $arch"
  echo "PASS=$(result_tally pass) FAIL=$(result_tally fail) SKIP=$(result_tally skip) ERROR=$(result_tally error)"
  echo "real_failures=${#real[@]} ${real[*]} (ignore list: ${KVMUT_IGNORE_FAILURES-$KVMUT_DEFAULT_IGNORE})"
  echo "run_tests.sh exit code: $run_rc"
} > results_kvm-unit-tests.txt
cat results_kvm-unit-tests.txt

if [ "${KVMUT_OBSERVE_ONLY:-false}" = true ]; then
  log "KVMUT_OBSERVE_ONLY=true: not failing the run (${#real[@]} failure(s) outside the ignore list)"
  exit 0
fi
if [ "${#real[@]}" -gt 0 ] || [ "$(result_tally error)" -gt 0 ]; then
  log "FAIL: ${#real[@]} kvm-unit-tests failed outside the ignore list: ${real[*]}"
  exit 1
fi
log "PASS: no kvm-unit-tests failure outside the ignore list"
