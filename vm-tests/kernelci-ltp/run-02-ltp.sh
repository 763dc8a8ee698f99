#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-ltp stage 2: run the job's LTP command files with kirk or runltp under PULLAB_TEST_TIMEOUT_S and turn
# the results into results.json (ltp.<testcase>: pass/fail/skip/error). Test failures are results (exit 0); exit 1/2
# only when the run cannot be set up (missing parameter, no LTP, download failure). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kernelci-ltp stage ${PULLAB_STAGE:-2}: LTP"
kci_load_params
kci_require ltp PULLAB_LTP_CMDFILES

rc=0
kci_check_kernel || rc=$?
if [ "$rc" = 1 ]; then
  kci_error_exit ltp 0 "the job's kernel $KCI_EXPECTED_KERNEL did not boot (running $KCI_RUNNING_KERNEL): LTP not run"
fi

kci_run_ltp
kci_quiet result_write results.json
exit 0
