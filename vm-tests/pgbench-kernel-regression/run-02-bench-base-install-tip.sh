#!/usr/bin/env bash
# Stage 2 of pgbench-kernel-regression: checks that the VM booted the base kernel, runs pgbench read-only and
# read-write on it -> benchmark-base-1.csv, then installs the tip kernel RPM as the default boot entry and asks for a
# reboot into it.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

pgbench_load_config
bench base
install_role_kernel tip
log "rebooting into the tip kernel $(cat tip-kernel-release.txt)"
exit 194
