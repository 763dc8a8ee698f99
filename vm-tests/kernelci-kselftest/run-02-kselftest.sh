#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-kselftest stage 2: run the job's kselftest collection from PULLAB_KSELFTEST_URL (kselftest.tar.xz of the
# kbuild) with run_kselftest.sh under PULLAB_TEST_TIMEOUT_S and turn its TAP into results.json
# (kselftest.<collection>.<test>: pass/fail/skip; kselftest.<collection> = error on a timeout). Test failures are
# results (exit 0); exit 1/2 only when the run cannot be set up. See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kernelci-kselftest stage ${PULLAB_STAGE:-2}: kselftest"
kci_load_params
suite="$(kci_kselftest_suite)"
read -r -a collections <<< "$(kci_kselftest_collection)"
if [ "${#collections[@]}" = 0 ]; then
  kci_error_exit kselftest 2 "no kselftest collection: PULLAB_KSELFTEST_COLLECTION is empty and PULLAB_TEST_TYPE '${PULLAB_TEST_TYPE:-}' is not kselftest-<collection>"
fi
log "collection(s): ${collections[*]}"
kci_require "$suite" PULLAB_KSELFTEST_URL

rc=0
kci_check_kernel || rc=$?
if [ "$rc" = 1 ]; then
  kci_error_exit "$suite" 0 "the job's kernel $KCI_EXPECTED_KERNEL did not boot (running $KCI_RUNNING_KERNEL): kselftest not run"
fi

tarball="artifacts/$(kci_url_name "$PULLAB_KSELFTEST_URL" kselftest.tar.xz)"
kci_fetch "$suite" "$PULLAB_KSELFTEST_URL" "$tarball"
rm -rf kselftest
mkdir -p kselftest
tar -xf "$tarball" -C kselftest --no-same-owner || kci_error_exit "$suite" 1 "cannot unpack $tarball"
rm -f "$tarball"
mapfile -t runners < <(find kselftest -maxdepth 3 -name run_kselftest.sh -type f | sort)
[ "${#runners[@]}" -gt 0 ] || kci_error_exit "$suite" 1 "$PULLAB_KSELFTEST_URL has no run_kselftest.sh"
ksdir="$here/$(dirname "${runners[0]}")"
chmod +x "$ksdir/run_kselftest.sh"

args=()
for collection in "${collections[@]}"; do
  args+=(-c "$collection")
done
timeout_s="$(kci_test_timeout)"
tap="$here/kselftest-output.tap"

rc=0
cd "$ksdir"
kci_run_timeout "$timeout_s" "$tap" ./run_kselftest.sh "${args[@]}" || rc=$?
cd "$here"

kselftest_tap_to_results "$tap" "${collections[0]}" || true
if kci_timed_out "$rc"; then
  log "ERROR: kselftest did not finish within ${timeout_s}s (PULLAB_TEST_TIMEOUT_S): $KCI_RESULTS_COUNT result(s) kept"
  for collection in "${collections[@]}"; do
    result_add "kselftest.$(kci_component "$collection")" error
  done
elif [ "$KCI_RESULTS_COUNT" = 0 ]; then
  log "ERROR: run_kselftest.sh ended with status $rc and no results"
  for collection in "${collections[@]}"; do
    result_add "kselftest.$(kci_component "$collection")" error
  done
else
  log "run_kselftest.sh ended with status $rc, $KCI_RESULTS_COUNT result(s)"
fi
kci_quiet result_write results.json
exit 0
