#!/usr/bin/env bash
# Stage 2 of unixbench-kernel-regression: checks that the VM booted the base kernel, runs UnixBench on it ->
# benchmark-base-1.csv, then installs the tip kernel RPM as the default boot entry and asks for a reboot into it.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

unixbench_load_config unixbench.conf
expect_booted_kernel base
unixbench_build
unixbench_run unixbench-base-report.txt
unixbench_write_csv unixbench-base-report.txt benchmark-base-1.csv
install_role_kernel tip
log "rebooting into the tip kernel $(cat tip-kernel-release.txt)"
exit 194
