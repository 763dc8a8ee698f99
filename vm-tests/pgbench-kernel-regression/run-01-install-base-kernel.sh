#!/usr/bin/env bash
# Stage 1 of pgbench-kernel-regression: chooses the base and tip kernels (fails at once without two, see README.md),
# checks the CPUs and settings, installs PostgreSQL (dependencies.txt), installs the base kernel RPM as the default
# boot entry and asks for a reboot into it.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

pgbench_load_config
simulated || pgbench_cpu_split > /dev/null
log "kernel of the image: $(uname -r)"
prepare_base_tip
install_test_dependencies dependencies.txt
install_role_kernel base
log "rebooting into the base kernel $(cat base-kernel-release.txt)"
exit 194
