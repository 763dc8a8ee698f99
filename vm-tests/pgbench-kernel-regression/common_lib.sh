#!/usr/bin/env bash
# Shared functions of this test's stages: the pgbench helpers of lib/pgbench.sh (server, runs, CSV) and the base/tip
# kernel helpers of lib/kernel_rpm.sh (choose, install, check the booted kernel), as unixbench-kernel-regression.
# shellcheck source=lib/pgbench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pgbench.sh"
# shellcheck source=lib/kernel_rpm.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/kernel_rpm.sh"

# bench ROLE: pgbench on the running kernel, which must be ROLE's (base or tip) -> benchmark-ROLE-1.csv.
bench() {
  local role="$1"
  expect_booted_kernel "$role"
  pgbench_run_suite "pgbench-$role" "$role"
  pgbench_write_csv "pgbench-$role" "benchmark-$role-1.csv"
}
