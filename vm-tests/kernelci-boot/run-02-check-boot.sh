#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-boot stage 2: did the job's kernel boot? `uname -r` against expected-kernel.txt -> results.json "boot".
# A kernel that did not boot is a test result (boot = fail), not a failure of the stage (exit 0). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

uptime_ms="$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime 2>/dev/null || true)"
[[ "$uptime_ms" =~ ^[0-9]+$ ]] || uptime_ms=""
log "kernelci-boot stage ${PULLAB_STAGE:-2}: check the booted kernel (up ${uptime_ms:-?} ms)"
kci_load_params

rc=0
kci_check_kernel || rc=$?
case "$rc" in
  0)
    status=pass
    result_add boot pass ${uptime_ms:+"$uptime_ms"}
    ;;
  1)
    status=fail
    result_add boot fail
    log "kernel messages of the previous boot (if journald kept them):"
    privileged journalctl -k -b -1 --no-pager -n 300 || log "no kernel log of the previous boot"
    ;;
  *)
    kci_error_exit boot 1 "expected-kernel.txt is missing: stage 1 did not install a kernel"
    ;;
esac

{
  printf 'expected=%s\n' "$KCI_EXPECTED_KERNEL"
  printf 'running=%s\n' "$KCI_RUNNING_KERNEL"
  printf 'status=%s\n' "$status"
  printf 'simulated=%s\n' "$(simulated && echo yes || echo no)"
} > boot-result.txt
log "boot = $status (expected $KCI_EXPECTED_KERNEL, running $KCI_RUNNING_KERNEL)"
kci_quiet result_write results.json
exit 0
