#!/usr/bin/env bash
# Stage 1 of example-kernel-reboot-test: installs the kernel RPM of this machine's arch from
# ../shared/kernel-rpms/binary/<arch>/, makes it the default boot entry, records the `uname -r` it will boot and
# asks for a reboot.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

install_test_dependencies dependencies.txt

running="$(uname -r)"
log "running kernel: $running"
rpm="$(select_kernel_rpm "$(kernel_rpm_dir)" kernel.txt)"
release="$(kernel_release_of_rpm "$rpm")"
log "kernel RPM: $rpm (boots as $release)"
install_kernel_rpm "$rpm" "$release"

if simulated; then
  log "SIMULATED: the machine will not boot $release: stage 2 expects the running kernel $running"
  release="$running"
fi
printf '%s\n' "$release" > "$EXPECTED_KERNEL_FILE"
log "expected kernel after the reboot: $release"
exit 194
