#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# ltp: pullab_cloud's LTP test: the job's LTP command files on the running kernel, LTP from the VM (/opt/ltp) or from
# the job's rootfs (ROOTFS_URL / PULLAB_ROOTFS_URL), parameters from PULLAB_LTP_* or pullab_cloud's
# PULL_LABS_TESTS_JSON (default command file: smoketest). results.json ltp.<testcase>; exit 1 when a test failed.
# See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "ltp: LTP on the running kernel $(uname -r)"
kci_load_params
kci_ltp_params_from_tests
log "job node ${PULLAB_JOB_NODE_ID:-?}, arch ${ARCH:-${PULLAB_ARCH:-$(uname -m)}}, tests ${PULL_LABS_TESTS:-<none>}"
if [ -z "${PULLAB_LTP_CMDFILES:-}" ]; then
  export PULLAB_LTP_CMDFILES=smoketest
  log "no LTP command files (PULLAB_LTP_CMDFILES, PULL_LABS_TESTS_JSON tst_cmdfiles=): running smoketest"
fi
if [ -n "${PULLAB_KERNEL_URL:-}" ]; then
  log "the job names a kernel ($(kci_url_shown "$PULLAB_KERNEL_URL")): not installed, LTP runs on the VM's kernel (kernelci-ltp installs the job's kernel first)"
fi
# LTP of the job's rootfs runs chrooted into it (its binaries need the rootfs's C library), as in pullab_cloud
export KCI_LTP_CHROOT="${KCI_LTP_CHROOT:-1}"
kci_install_dependencies ltp
kci_run_ltp

# pullab_cloud's file names, which the client uploads with the run's outputs
[ ! -f ltp-results.log ] || cp ltp-results.log results_ltp.log
[ ! -f ltp-kirk-report.json ] || cp ltp-kirk-report.json results_ltp-kirk-report.json
[ ! -f ltp-output.log ] || cp ltp-output.log results_ltp-output.log
kci_quiet result_write results.json

failed="$(result_tally fail)"
errors="$(result_tally error)"
{
  printf 'kernel=%s\n' "$(uname -r)"
  printf 'command_files=%s\n' "$PULLAB_LTP_CMDFILES"
  printf 'pass=%s\nfail=%s\nskip=%s\nerror=%s\n' "$(result_tally pass)" "$failed" "$(result_tally skip)" "$errors"
} > results_ltp-summary.txt
log "LTP: $(tr '\n' ' ' < results_ltp-summary.txt)"
if [ "$failed" -gt 0 ] || [ "$errors" -gt 0 ]; then
  log "FAIL: $failed LTP test(s) failed, $errors in error (results.json has each)"
  exit 1
fi
log "PASS: no LTP test failed"
