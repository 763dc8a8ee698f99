#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kvm-unit-tests stage 1: check that the VM has KVM (nested virtualization), then install the kernel under test so
# that stage 2 exercises its KVM: the KernelCI job's kernel (PULLAB_KERNEL_URL / KERNEL_URL, next boot only), else a
# kernel RPM of the run's shared/kernel-rpms/binary/<arch>/ (made the default), else the running kernel is kept.
# See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kvm-unit-tests stage ${PULLAB_STAGE:-1}: KVM check and the kernel under test"
kci_load_params
kvmut_require_kvm "on the VM's own kernel $(uname -r)"
rm -f expected-kernel.txt

if [ -n "${PULLAB_KERNEL_URL:-}" ]; then
  kci_install_dependencies kvm-unit-tests
  kci_install_kernel kvm-unit-tests
  log "rebooting into the job's kernel $(cat expected-kernel.txt)"
  exit 194
fi

if [ -n "$(kernel_rpms "$(kernel_rpm_dir)")" ]; then
  rpm="$(select_kernel_rpm "$(kernel_rpm_dir)" kernel.txt)" \
    || kci_error_exit kvm-unit-tests 1 "no kernel RPM to install from $(kernel_rpm_dir) (see kernel.txt)"
  release="$(kernel_release_of_rpm "$rpm")"
  log "kernel RPM: $rpm (boots as $release)"
  install_kernel_rpm "$rpm" "$release" || kci_error_exit kvm-unit-tests 1 "installing $rpm failed"
  printf '%s\n' "$release" > expected-kernel.txt
  log "rebooting into $release"
  exit 194
fi

log "no job kernel and no kernel RPM in $(kernel_rpm_dir): stage 2 tests the running kernel $(uname -r)"
exit 0
