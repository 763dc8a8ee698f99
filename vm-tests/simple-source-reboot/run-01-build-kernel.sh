#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# simple-source-reboot stage 1: build a kernel from its source RPM (rpmbuild -bb, bounded in time), install the built
# kernel RPM as the default boot entry and ask for a reboot (exit 194). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "simple-source-reboot stage ${PULLAB_STAGE:-1}: build the kernel of a source RPM and install it"
kci_load_params
kci_install_dependencies kernel-build
uname -r > kernel-before.txt
log "running kernel: $(cat kernel-before.txt)"
ssr_check_disk

srpm="$(ssr_source_rpm)" || exit 1
log "kernel source RPM: $srpm ($(wc -c < "$srpm") bytes)"

rm -rf "$SSR_TOPDIR"
mkdir -p "$SSR_TOPDIR"
rpm --define "_topdir $SSR_TOPDIR" -i "$srpm" || kci_error_exit kernel-build 1 "cannot unpack $srpm (rpm -i)"
spec="$(find "$SSR_TOPDIR/SPECS" -maxdepth 1 -name '*.spec' | sort | head -n 1)"
[ -n "$spec" ] || kci_error_exit kernel-build 1 "$srpm holds no .spec file"
log "spec: $spec"
privileged dnf builddep -y --define "_topdir $SSR_TOPDIR" "$spec" \
  || log "WARNING: dnf builddep could not install every build dependency of $spec; trying the build anyway"

limit="${KERNEL_BUILD_TIMEOUT_S:-3000}"
if ! [[ "$limit" =~ ^[1-9][0-9]*$ ]]; then
  kci_error_exit kernel-build 2 "KERNEL_BUILD_TIMEOUT_S '$limit' is not a positive number of seconds"
fi
start=$SECONDS
rc=0
log "rpmbuild -bb (base kernel only, no debug kernel or debuginfo), at most ${limit}s"
timeout --kill-after=60 "$limit" rpmbuild --define "_topdir $SSR_TOPDIR" -bb "$spec" \
  --with baseonly --without debug --without debuginfo < /dev/null > rpmbuild.log 2>&1 || rc=$?
tail -n 50 rpmbuild.log
if [ "$rc" != 0 ]; then
  if kci_timed_out "$rc"; then
    kci_error_exit kernel-build 1 "the kernel build took more than ${limit}s (KERNEL_BUILD_TIMEOUT_S); a larger instance type builds faster"
  fi
  kci_error_exit kernel-build 1 "rpmbuild failed (status $rc): see rpmbuild.log in the stage log above"
fi
result_add kernel-build pass $(( (SECONDS - start) * 1000 ))

built="$(kernel_rpms "$SSR_TOPDIR/RPMS/$(kernel_rpm_arch)" | tail -n 1)"
[ -n "$built" ] || kci_error_exit kernel-build 1 "rpmbuild built no kernel-<version>.rpm in $SSR_TOPDIR/RPMS/$(kernel_rpm_arch)"
release="$(kernel_release_of_rpm "$built")"
log "built $built (boots as $release)"
install_kernel_rpm "$built" "$release" || kci_error_exit boot 1 "installing the built kernel $built failed"

if simulated; then
  log "SIMULATED: the machine will not boot $release: stage 2 expects the running kernel $(uname -r)"
  release="$(uname -r)"
fi
printf '%s\n' "$release" > expected-kernel.txt
rm -rf "$SSR_TOPDIR/BUILD" "$SSR_TOPDIR/BUILDROOT" artifacts
kci_quiet result_write results.json
log "rebooting into $release"
exit 194
