#!/usr/bin/env bash
# Kernel RPM helpers for stage scripts: find the kernel packages of ../shared/kernel-rpms/binary/<arch>/, tell the
# `uname -r` a package will boot, install it and make it the default boot entry (Amazon Linux 2023: rpm + grubby).
# Needs lib/test_lib.sh (log, simulated, privileged). unixbench-kernel-regression links this file.

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

# select_kernel_rpm [DIR] [CHOICE_FILE]: the kernel RPM to install. When CHOICE_FILE exists, its first line that is not
# blank or a comment names it: a file name (kernel-6.1.150-174.273.amzn2023.x86_64.rpm) or a version that the file
# name starts with (6.1.150-174.273.amzn2023, 6.1.150), so one file serves x86_64 and aarch64 VMs; the newest match
# wins. Without CHOICE_FILE: the newest kernel RPM in DIR. Fails with a message naming what it looked for.
select_kernel_rpm() {
  local dir="${1:-$(kernel_rpm_dir)}" choice_file="${2:-}" choice="" rpm name chosen=""
  local -a rpms=()
  mapfile -t rpms < <(kernel_rpms "$dir")
  if [ "${#rpms[@]}" -eq 0 ]; then
    echo "select_kernel_rpm: no kernel RPM (kernel-<version>*.rpm) in $dir" >&2
    return 1
  fi
  if [ -n "$choice_file" ] && [ -f "$choice_file" ]; then
    choice="$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$choice_file" | head -n 1)"
  fi
  if [ -z "$choice" ]; then
    printf '%s\n' "${rpms[${#rpms[@]}-1]}"
    return 0
  fi
  choice="${choice##*/}"
  choice="${choice%.rpm}"
  choice="${choice#kernel-}"
  for rpm in "${rpms[@]}"; do
    name="${rpm##*/}"
    name="${name%.rpm}"
    name="${name#kernel-}"
    if [ "$name" = "$choice" ] || [[ "$name" == "$choice"[-.]* ]]; then
      chosen="$rpm"
    fi
  done
  if [ -z "$chosen" ]; then
    echo "select_kernel_rpm: $choice_file asks for '$choice', not among: ${rpms[*]##*/}" >&2
    return 1
  fi
  printf '%s\n' "$chosen"
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
