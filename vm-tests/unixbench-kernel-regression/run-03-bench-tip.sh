#!/usr/bin/env bash
# Stage 3 of unixbench-kernel-regression: checks that the VM booted the tip kernel, runs UnixBench on it with the
# same binaries -> benchmark-tip-1.csv.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

unixbench_load_config unixbench.conf
expect_booted_kernel tip
unixbench_build
unixbench_run unixbench-tip-report.txt
unixbench_write_csv unixbench-tip-report.txt benchmark-tip-1.csv
