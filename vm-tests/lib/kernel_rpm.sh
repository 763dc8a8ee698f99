#!/usr/bin/env bash
# Kernel RPM helpers for stage scripts: find the kernel packages of ../shared/kernel-rpms/binary/<arch>/, tell the
# `uname -r` a package will boot, install it and make it the default boot entry (Amazon Linux 2023: rpm + grubby).
# Needs lib/test_lib.sh (log, simulated, privileged, test_param). Used by example-kernel-reboot-test and by the
# base/tip regression tests (unixbench-kernel-regression, pgbench-kernel-regression: select_base_tip_rpms,
# prepare_base_tip, install_role_kernel, expect_booted_kernel).

# kernel_rpm_arch: the directory name under kernel-rpms/binary/ for this machine, x86_64 or aarch64. IMDS (and so
# PULLAB_ARCH) says arm64 where the RPM directories say aarch64.
kernel_rpm_arch() {
  local arch="${PULLAB_ARCH:-$(uname -m)}"
  case "$arch" in
    x86_64|amd64) echo x86_64 ;;
    aarch64|arm64) echo aarch64 ;;
    *) echo "$arch" ;;
  esac
}

# kernel_rpm_dir: the run's kernel RPM directory for this machine's arch.
kernel_rpm_dir() {
  printf '%s/kernel-rpms/binary/%s\n' "${PULLAB_SHARED_DIR:-../shared}" "$(kernel_rpm_arch)"
}

# kernel_rpms [DIR]: the kernel packages in DIR (kernel-<version>….rpm; not kernel-headers, -devel, -tools, …), one
# path a line, oldest first (sort -V). Nothing when DIR does not exist.
kernel_rpms() {
  local dir="${1:-$(kernel_rpm_dir)}"
  [ -d "$dir" ] || return 0
  find "$dir" -maxdepth 1 \( -type f -o -type l \) -name 'kernel-[0-9]*.rpm' ! -name '*.src.rpm' -printf '%f\n' \
    | sort -V | while IFS= read -r name; do printf '%s/%s\n' "$dir" "$name"; done
}

# match_kernel_rpm CHOICE RPM...: the RPM among RPM... (oldest first) that CHOICE names: a file name
# (kernel-6.1.150-174.273.amzn2023.x86_64.rpm, a path is cut to its name) or a version that the file name starts
# with after kernel- (6.1.150-174.273.amzn2023, 6.1.150), so one choice serves x86_64 and aarch64 VMs; the newest
# match wins. Nothing printed and status 1 when none matches.
match_kernel_rpm() {
  local choice="$1" rpm name chosen=""
  shift
  choice="${choice##*/}"
  choice="${choice%.rpm}"
  choice="${choice#kernel-}"
  for rpm in "$@"; do
    name="${rpm##*/}"
    name="${name%.rpm}"
    name="${name#kernel-}"
    if [ "$name" = "$choice" ] || [[ "$name" == "$choice"[-.]* ]]; then
      chosen="$rpm"
    fi
  done
  [ -n "$chosen" ] || return 1
  printf '%s\n' "$chosen"
}

# first_setting FILE: the first line of FILE that is not blank or a comment, trimmed; nothing when FILE is absent.
first_setting() {
  [ -f "$1" ] || return 0
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1" | head -n 1
}

# select_kernel_rpm [DIR] [CHOICE_FILE]: the kernel RPM to install. When CHOICE_FILE exists, its first line that is not
# blank or a comment names it (see match_kernel_rpm). Without CHOICE_FILE: the newest kernel RPM in DIR. Fails with a
# message naming what it looked for.
select_kernel_rpm() {
  local dir="${1:-$(kernel_rpm_dir)}" choice_file="${2:-}" choice=""
  local -a rpms=()
  mapfile -t rpms < <(kernel_rpms "$dir")
  if [ "${#rpms[@]}" -eq 0 ]; then
    echo "select_kernel_rpm: no kernel RPM (kernel-<version>*.rpm) in $dir" >&2
    return 1
  fi
  [ -z "$choice_file" ] || choice="$(first_setting "$choice_file")"
  if [ -z "$choice" ]; then
    printf '%s\n' "${rpms[${#rpms[@]}-1]}"
    return 0
  fi
  if ! match_kernel_rpm "$choice" "${rpms[@]}"; then
    echo "select_kernel_rpm: $choice_file asks for '$choice', not among: ${rpms[*]##*/}" >&2
    return 1
  fi
}

# select_base_tip_rpms [DIR]: the two kernels of a base/tip regression test, two lines: the base RPM (or "ami": the
# kernel the VM booted) and the tip RPM. Each may be named, first found wins:
#   base: BASE_KERNEL=ami (test parameter or environment); BASE_KERNEL_VERSION; base-kernel.txt in the test directory
#   tip:  TIP_KERNEL_VERSION; tip-kernel.txt
# (a file name or a version prefix, see match_kernel_rpm). Unnamed: base = the oldest kernel RPM of DIR by sort -V of
# the kernel version, tip = the newest, as the seed's walkthrough uploads v6.1.141 and v6.1.150. Fails naming what is
# wrong: no RPM, a name matching none, fewer than two RPMs without BASE_KERNEL=ami, base and tip the same RPM.
select_base_tip_rpms() {
  local dir="${1:-$(kernel_rpm_dir)}" base_mode base_choice tip_choice base tip base_from tip_from
  local -a rpms=()
  mapfile -t rpms < <(kernel_rpms "$dir")
  base_mode="$(test_param BASE_KERNEL)"
  base_choice="$(test_param BASE_KERNEL_VERSION)"
  base_from=BASE_KERNEL_VERSION
  if [ -z "$base_choice" ]; then base_choice="$(first_setting base-kernel.txt)"; base_from="base-kernel.txt"; fi
  tip_choice="$(test_param TIP_KERNEL_VERSION)"
  tip_from=TIP_KERNEL_VERSION
  if [ -z "$tip_choice" ]; then tip_choice="$(first_setting tip-kernel.txt)"; tip_from="tip-kernel.txt"; fi
  case "$base_mode" in
    ""|rpm) ;;
    ami) base=ami ;;
    *) echo "select_base_tip_rpms: BASE_KERNEL='$base_mode': use ami (the VM's own kernel as base) or rpm (default)" >&2
       return 2 ;;
  esac
  if [ "${#rpms[@]}" -eq 0 ]; then
    echo "select_base_tip_rpms: no kernel RPM (kernel-<version>*.rpm) in $dir: upload the base and tip kernels" \
      "(kernel-rpms/binary/$(kernel_rpm_arch)/ of the storage bucket)" >&2
    return 1
  fi
  if [ -n "$tip_choice" ]; then
    tip="$(match_kernel_rpm "$tip_choice" "${rpms[@]}")" || {
      echo "select_base_tip_rpms: $tip_from asks for tip '$tip_choice', not among: ${rpms[*]##*/}" >&2; return 1; }
  else
    tip="${rpms[${#rpms[@]}-1]}"
  fi
  if [ -z "${base:-}" ]; then
    if [ -n "$base_choice" ]; then
      base="$(match_kernel_rpm "$base_choice" "${rpms[@]}")" || {
        echo "select_base_tip_rpms: $base_from asks for base '$base_choice', not among: ${rpms[*]##*/}" >&2; return 1; }
    elif [ "${#rpms[@]}" -lt 2 ]; then
      echo "select_base_tip_rpms: a base and a tip kernel RPM are needed in $dir, found only ${rpms[0]##*/};" \
        "upload both (the older is the base, the newer the tip), or set BASE_KERNEL=ami to use the VM's own kernel" \
        "as the base" >&2
      return 1
    else
      base="${rpms[0]}"
    fi
    if [ "$base" = "$tip" ]; then
      echo "select_base_tip_rpms: base and tip are the same RPM ${tip##*/}: name two different kernels" \
        "(BASE_KERNEL_VERSION, TIP_KERNEL_VERSION, base-kernel.txt, tip-kernel.txt)" >&2
      return 1
    fi
  fi
  printf '%s\n%s\n' "$base" "$tip"
}

# prepare_base_tip: stage 1 of a base/tip regression test. Chooses the kernels (select_base_tip_rpms) and records
# them for the later stages (base-kernel-rpm.txt, tip-kernel-rpm.txt: the RPM path or "ami";
# base-kernel-release.txt, tip-kernel-release.txt: the `uname -r` each boots). Returns 1 with the reason on stderr.
prepare_base_tip() {
  local chosen base tip base_release tip_release
  chosen="$(select_base_tip_rpms "$(kernel_rpm_dir)")" || return $?
  base="$(sed -n 1p <<< "$chosen")"
  tip="$(sed -n 2p <<< "$chosen")"
  if [ "$base" = ami ]; then
    base_release="$(uname -r)"
  else
    base_release="$(kernel_release_of_rpm "$base")"
  fi
  tip_release="$(kernel_release_of_rpm "$tip")"
  if [ "$base_release" = "$tip_release" ]; then
    log "WARNING: base and tip both boot as $tip_release: the booted-kernel checks cannot tell them apart"
  fi
  printf '%s\n' "$base" > base-kernel-rpm.txt
  printf '%s\n' "$tip" > tip-kernel-rpm.txt
  printf '%s\n' "$base_release" > base-kernel-release.txt
  printf '%s\n' "$tip_release" > tip-kernel-release.txt
  log "base kernel: $base_release (${base##*/}); tip kernel: $tip_release (${tip##*/})"
}

# install_role_kernel ROLE: installs the kernel stage 1 chose for ROLE (base or tip) and makes it the default boot
# entry; nothing to install for an "ami" base.
install_role_kernel() {
  local role="$1" rpm release
  rpm="$(cat "$role-kernel-rpm.txt" 2>/dev/null)" || true
  release="$(cat "$role-kernel-release.txt" 2>/dev/null)" || true
  if [ -z "$rpm" ] || [ -z "$release" ]; then
    log "FAIL: $role-kernel-rpm.txt or $role-kernel-release.txt is missing: stage 1 did not choose the kernels"
    return 1
  fi
  if [ "$rpm" = ami ]; then
    log "$role kernel: the VM's own kernel $release, nothing to install"
    return 0
  fi
  log "installing the $role kernel $release (${rpm##*/})"
  install_kernel_rpm "$rpm" "$release"
}

# expect_booted_kernel ROLE: checks that `uname -r` is the release stage 1 recorded for ROLE (base or tip); fails with
# both names otherwise (the boot fell back to another entry: measuring it would compare the wrong kernels). Under
# simulation, where no kernel is really installed, a mismatch is only logged, and PULLAB_MEASURED_KERNEL is set to the
# recorded release so that the CSVs name the kernel the simulated stage stands for.
expect_booted_kernel() {
  local role="$1" recorded running
  recorded="$(cat "$role-kernel-release.txt" 2>/dev/null)" || true
  if [ -z "$recorded" ]; then
    log "FAIL: $role-kernel-release.txt is missing: stage 1 did not choose the kernels"
    return 1
  fi
  running="$(uname -r)"
  if [ "$running" = "$recorded" ]; then
    log "running the $role kernel $running, as expected"
    return 0
  fi
  if simulated; then
    log "SIMULATED: the $role kernel $recorded was not booted: measuring the running kernel $running, recorded as $recorded"
    # exported: lib/unixbench.sh's unixbench_write_csv, later in the same stage, names the CSVs' kernel by it
    export PULLAB_MEASURED_KERNEL="$recorded"
    return 0
  fi
  log "FAIL: running kernel $running, expected the $role kernel $recorded (the boot fell back to another entry?)"
  return 1
}

# kernel_release_of_rpm RPM: the `uname -r` the kernel in RPM boots: the /lib/modules/<release>/ (or
# /boot/vmlinuz-<release>) it installs, else %{VERSION}-%{RELEASE}.%{ARCH}, else the file name without kernel- and
# .rpm (no rpm tool, or not a readable package, as in simulation).
kernel_release_of_rpm() {
  local rpm="$1" release=""
  if command -v rpm >/dev/null 2>&1; then
    release="$(rpm -qlp "$rpm" 2>/dev/null | awk '
      { path = $0; sub(/^\/usr/, "", path) }
      modules == "" && path ~ /^\/lib\/modules\/[^\/]+\// { split(path, p, "/"); modules = p[4] }
      image == "" && path ~ /^\/boot\/vmlinuz-/ { image = substr(path, length("/boot/vmlinuz-") + 1) }
      END { if (modules != "") print modules; else if (image != "") print image }')" || release=""
    if [ -z "$release" ]; then
      release="$(rpm -qp --qf '%{VERSION}-%{RELEASE}.%{ARCH}' "$rpm" 2>/dev/null)" || release=""
    fi
  fi
  if [ -z "$release" ]; then
    release="${rpm##*/}"
    release="${release%.rpm}"
    release="${release#kernel-}"
  fi
  printf '%s\n' "$release"
}

# install_kernel_rpm RPM RELEASE: installs the kernel package (unless that package is installed already) and makes
# /boot/vmlinuz-RELEASE the default boot entry, checked with grubby. Under simulation it only logs.
install_kernel_rpm() {
  local rpm="$1" release="$2" package default
  if simulated; then
    log "SIMULATED: rpm -ivh $rpm"
    log "SIMULATED: grubby --set-default /boot/vmlinuz-$release"
    return 0
  fi
  command -v rpm >/dev/null || { log "ERROR: no rpm command: kernel RPMs need an RPM-based image (Amazon Linux 2023)"; return 1; }
  command -v grubby >/dev/null || { log "ERROR: no grubby: install it (dependencies.txt) to set the default kernel"; return 1; }
  package="$(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}' "$rpm")"
  if rpm -q --quiet "$package"; then
    log "$package is installed already"
  else
    log "installing $rpm ($package, kernel $release)"
    privileged rpm -ivh "$rpm"
  fi
  if [ ! -e "/boot/vmlinuz-$release" ]; then
    log "ERROR: $rpm installed no /boot/vmlinuz-$release"
    return 1
  fi
  privileged grubby --set-default "/boot/vmlinuz-$release"
  default="$(privileged grubby --default-kernel)"
  if [ "$default" != "/boot/vmlinuz-$release" ]; then
    log "ERROR: default kernel is $default after grubby --set-default /boot/vmlinuz-$release"
    return 1
  fi
  log "default kernel: $default"
}
