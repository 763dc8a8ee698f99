#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-boot stage 2: did the job's kernel boot? `uname -r` against expected-kernel.txt -> results.json "boot".
# A kernel that did not boot is a test result (boot = fail), not a failure of the stage (exit 0). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

uptime_ms="$(kci_uptime_ms)"
log "kernelci-boot stage ${PULLAB_STAGE:-2}: check the booted kernel (up ${uptime_ms:-?} ms)"
kci_load_params
kci_report_boot "$uptime_ms" || true
exit 0
