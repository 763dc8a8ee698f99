#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-ltp stage 1: install the KernelCI job's kernel as a one-time boot entry (as kernelci-boot does) so
# that stage 2 tests that kernel, then reboot (exit 194). A job without a kernel (PULLAB_KERNEL_URL empty) runs
# on the VM's own kernel (exit 0). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kernelci-ltp stage ${PULLAB_STAGE:-1}: install the job's kernel for the next boot only"
kci_load_params
suite=ltp
log "job ${PULLAB_JOB_NODE_ID:-?} (${PULLAB_JOB_NAME:-?}), platform ${PULLAB_PLATFORM:-?}, test ${PULLAB_TEST_ID:-?}"
kci_install_dependencies "$suite"
if [ -z "${PULLAB_KERNEL_URL:-}" ]; then
  rm -f expected-kernel.txt
  log "the job has no kernel (PULLAB_KERNEL_URL empty): stage 2 tests the VM's kernel $(uname -r)"
  exit 0
fi
kci_install_kernel "$suite"
log "rebooting into $(cat expected-kernel.txt)"
exit 194
