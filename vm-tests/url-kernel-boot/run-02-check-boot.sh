#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# url-kernel-boot stage 2: did the job's kernel boot? `uname -r` against expected-kernel.txt -> results.json "boot"
# and boot-result.txt. Exit 0 when it booted, 1 when another kernel runs (so result.txt says FAILED too). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

uptime_ms="$(kci_uptime_ms)"
log "url-kernel-boot stage ${PULLAB_STAGE:-2}: check the booted kernel (up ${uptime_ms:-?} ms)"
kci_load_params
if kci_report_boot "$uptime_ms"; then
  exit 0
fi
log "FAIL: the job's kernel did not boot"
exit 1
