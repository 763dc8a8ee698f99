#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# simple-source-reboot stage 2: did the kernel built in stage 1 boot? `uname -r` against expected-kernel.txt ->
# results.json "boot", boot-result.txt. Exit 0 when it booted, 1 otherwise. See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

uptime_ms="$(kci_uptime_ms)"
log "simple-source-reboot stage ${PULLAB_STAGE:-2}: check the booted kernel (before the build: $(cat kernel-before.txt 2> /dev/null || echo unknown))"
kci_load_params
if kci_report_boot "$uptime_ms"; then
  log "PASS: running the kernel built from source, $(uname -r)"
  exit 0
fi
log "FAIL: the kernel built from source did not boot"
exit 1
