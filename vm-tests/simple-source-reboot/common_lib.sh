#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Shared by the stages of simple-source-reboot: the vm-tests helpers, results.json, the KernelCI helpers (bounded
# downloads under the artifact URL policy, the boot check) and the kernel RPM helpers; then the source RPM helpers of
# this test. Makes the test directory (`here`, absolute) the working directory: the stages keep rpmbuild/,
# kernel-before.txt, expected-kernel.txt and results.json there.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here" || exit
# shellcheck source=lib/test_lib.sh
source "$here/lib/test_lib.sh"
# shellcheck source=lib/results.sh
source "$here/lib/results.sh"
# shellcheck source=lib/kernelci.sh
source "$here/lib/kernelci.sh"
# shellcheck source=lib/kernel_rpm.sh
source "$here/lib/kernel_rpm.sh"

# The largest source RPM accepted (bytes) and the rpmbuild topdir of the build.
SSR_MAX_SRPM_BYTES=1073741824
# shellcheck disable=SC2034 # used by the stage scripts
SSR_TOPDIR="$here/rpmbuild"

# ssr_source_rpm: prints the kernel source RPM to build: KERNEL_SRC_RPM_URL downloaded (https only unless the lab
# allows http; at most 1 GiB, 30 minutes an attempt), else the file KERNEL_SRC_RPM names in the run's
# shared/kernel-rpms/src/, else the oldest kernel-*.src.rpm there (sort -V, as pullab_cloud). Exit 1 (kernel-build =
# error) when there is none, it is not a kernel source RPM, or it is too large.
ssr_source_rpm() {
  local dir="${PULLAB_SHARED_DIR:-../shared}/kernel-rpms/src" srpm="" name size
  if [ -n "${KERNEL_SRC_RPM_URL:-}" ]; then
    name="$(kci_url_name "$KERNEL_SRC_RPM_URL" kernel.src.rpm)"
    srpm="artifacts/$name"
    kci_fetch kernel-build "$KERNEL_SRC_RPM_URL" "$srpm" "$SSR_MAX_SRPM_BYTES" 1800 >&2
  elif [ -n "${KERNEL_SRC_RPM:-}" ]; then
    name="${KERNEL_SRC_RPM##*/}"
    srpm="$dir/$name"
    [ -f "$srpm" ] || kci_error_exit kernel-build 1 "KERNEL_SRC_RPM names $name, not in $dir: $(ssr_list "$dir")" >&2
  else
    srpm="$(find "$dir" -maxdepth 1 \( -type f -o -type l \) -name 'kernel-*.src.rpm' -printf '%f\n' 2> /dev/null \
      | sort -V | head -n 1 || true)"
    [ -n "$srpm" ] || kci_error_exit kernel-build 1 "no kernel source RPM (kernel-*.src.rpm) in $dir: upload one to the storage bucket's kernel-rpms/src/, or set KERNEL_SRC_RPM_URL" >&2
    srpm="$dir/$srpm"
  fi
  case "${srpm##*/}" in
    kernel-*.src.rpm) ;;
    *) kci_error_exit kernel-build 1 "${srpm##*/} is not a kernel source RPM (kernel-<version>.src.rpm)" >&2 ;;
  esac
  size="$(wc -c < "$srpm")"
  [ "$size" -le "$SSR_MAX_SRPM_BYTES" ] \
    || kci_error_exit kernel-build 1 "$srpm is $size bytes, over the $SSR_MAX_SRPM_BYTES bytes a source RPM may have" >&2
  printf '%s\n' "$srpm"
}

# ssr_list DIR: the source RPMs in DIR, for messages.
ssr_list() {
  local names
  names="$(find "$1" -maxdepth 1 -name '*.src.rpm' -printf '%f ' 2> /dev/null)"
  printf '%s' "${names:-none}"
}

# ssr_check_disk: the build needs KERNEL_BUILD_MIN_FREE_GIB (default 20) GiB free where it runs; exit 1 saying so
# (and that the config's root_volume_size sets the disk) when there is less. Only a warning when simulating.
ssr_check_disk() {
  local need="${KERNEL_BUILD_MIN_FREE_GIB:-20}" free
  free="$(df -Pk "$here" | awk 'NR == 2 { print int($4 / 1048576) }')"
  if [ "${free:-0}" -ge "$need" ]; then
    log "disk: $free GiB free, $need GiB needed"
    return 0
  fi
  if simulated; then
    log "WARNING: $free GiB free, a kernel build needs $need GiB (simulated run: continuing)"
    return 0
  fi
  kci_error_exit kernel-build 1 "$free GiB free in $here, a kernel build needs $need GiB: give the VM a larger root volume (\"root_volume_size\" in the config's test_config.vms[] entry, e.g. 40)"
}
