#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# url-kernel-boot stage 1: download the job's kernel (KERNEL_URL or PULLAB_KERNEL_URL) and, when given, its modules
# (MODULES_URL or PULLAB_MODULES_URL), install them as a one-time boot entry and ask for a reboot (exit 194).
# See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "url-kernel-boot stage ${PULLAB_STAGE:-1}: install the kernel of the job's URL for the next boot only"
kci_load_params
log "job node ${PULLAB_JOB_NODE_ID:-?}, arch ${ARCH:-${PULLAB_ARCH:-$(uname -m)}}, tests ${PULL_LABS_TESTS:-<none>}"
if [ -z "${PULLAB_KERNEL_URL:-}" ]; then
  kci_error_exit boot 2 "no kernel URL: set KERNEL_URL (pullab_cloud's name) or PULLAB_KERNEL_URL to the job's kernel image (https)"
fi
[ -n "${PULLAB_MODULES_URL:-}" ] \
  || log "no modules URL (MODULES_URL / PULLAB_MODULES_URL): the kernel boots without modules, its drivers must be built in"
kci_install_dependencies boot
kci_install_kernel boot modules-optional
log "rebooting into $(cat expected-kernel.txt)"
exit 194
