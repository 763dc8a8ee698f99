#!/usr/bin/env bash
# Stage 3 of pgbench-kernel-regression: checks that the VM booted the tip kernel, runs pgbench read-only and
# read-write on it -> benchmark-tip-1.csv.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

pgbench_load_config
bench tip
