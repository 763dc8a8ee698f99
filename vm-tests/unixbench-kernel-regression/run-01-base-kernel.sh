#!/usr/bin/env bash
# Stage 1 of unixbench-kernel-regression: UnixBench on the base kernel (the kernel the VM booted) ->
# benchmark-base-1.csv; then installs the tip kernel RPM, makes it the default boot entry and asks for a reboot.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

unixbench_load_config unixbench.conf

base="$(uname -r)"
log "base kernel: $base"
# Choose the tip kernel first, so that a run without one fails now rather than after the benchmark.
tip_rpm="$(select_kernel_rpm "$(kernel_rpm_dir)" tip-kernel.txt)"
tip="$(kernel_release_of_rpm "$tip_rpm")"
log "tip kernel: $tip ($tip_rpm)"
if [ "$tip" = "$base" ]; then
  log "WARNING: the tip kernel $tip is the running kernel: base and tip will measure the same kernel"
fi

install_test_dependencies dependencies.txt
unixbench_build
unixbench_run unixbench-base-report.txt
unixbench_write_csv unixbench-base-report.txt benchmark-base-1.csv

install_kernel_rpm "$tip_rpm" "$tip"
printf '%s\n' "$base" > base-kernel-release.txt
printf '%s\n' "$tip" > tip-kernel-release.txt
log "rebooting into the tip kernel $tip"
exit 194
