#!/usr/bin/env bash
# Stage 2 of unixbench-kernel-regression: checks that the VM booted the tip kernel, then UnixBench on it ->
# benchmark-tip-1.csv.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

unixbench_load_config unixbench.conf

if [ ! -s tip-kernel-release.txt ]; then
  log "FAIL: tip-kernel-release.txt is missing: stage 1 did not install a tip kernel"
  exit 1
fi
expected="$(cat tip-kernel-release.txt)"
running="$(uname -r)"
if [ "$running" != "$expected" ]; then
  if simulated; then
    log "SIMULATED: the tip kernel $expected was not booted: measuring the running kernel $running"
  else
    log "FAIL: running kernel $running, expected the tip kernel $expected (the boot fell back to another entry?)"
    exit 1
  fi
fi
log "tip kernel: $running (base was $(cat base-kernel-release.txt 2>/dev/null || echo unknown))"

unixbench_build
unixbench_run unixbench-tip-report.txt
unixbench_write_csv unixbench-tip-report.txt benchmark-tip-1.csv
