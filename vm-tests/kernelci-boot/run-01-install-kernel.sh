#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-boot stage 1: install the KernelCI job's kernel (PULLAB_KERNEL_URL + PULLAB_MODULES_URL) as a one-time
# boot entry and ask for a reboot (exit 194). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kernelci-boot stage ${PULLAB_STAGE:-1}: install the job's kernel for the next boot only"
kci_load_params
log "job ${PULLAB_JOB_NODE_ID:-?} (${PULLAB_JOB_NAME:-?}), platform ${PULLAB_PLATFORM:-?}, test ${PULLAB_TEST_ID:-?}"
kci_require boot PULLAB_KERNEL_URL PULLAB_MODULES_URL
kci_install_dependencies boot
kci_install_kernel boot
log "rebooting into $(cat expected-kernel.txt)"
exit 194
