#!/usr/bin/env bash
# simple-unixbench: builds UnixBench, runs it with 1 copy and with one copy per CPU on the running kernel, keeps the
# report in unixbench-report.txt and prints it into the stage log (which the client uploads).
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

unixbench_load_config unixbench.conf
log "kernel: $(uname -r), $(nproc) CPUs"

install_test_dependencies dependencies.txt
unixbench_build
unixbench_run unixbench-report.txt

echo "----- unixbench-report.txt -----"
cat unixbench-report.txt
echo "----- end of unixbench-report.txt -----"
# The metrics as the regression test names them (unixbench-kernel-regression/README.md), for reading the log.
unixbench_to_csv unixbench-report.txt "$(uname -r)" "${PULLAB_INSTANCE_ID:-unknown}" \
  "${PULLAB_INSTANCE_TYPE:-unknown}" "${PULLAB_ARCH:-$(uname -m)}" > unixbench-metrics.csv
cat unixbench-metrics.csv
log "PASS: $(($(wc -l < unixbench-metrics.csv) - 1)) UnixBench metrics on $(uname -r)"
