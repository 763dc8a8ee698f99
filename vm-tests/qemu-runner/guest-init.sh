#!/bin/sh
# pullab QEMU guest hook. The QEMU runner appends it to the job's initramfs as /pullab/init, with /pullab/config
# (its settings, shell-quoted) and, when the image has one for the guest's arch, a static busybox as
# /pullab/bin/busybox; the kernel starts it as PID 1 (rdinit=/pullab/init). POSIX sh: it runs under the rootfs's
# /bin/sh, or under that busybox.
#
# It prints on the console, which the runner reads (see README.md):
#   PULLAB-BOOT-OK <nonce> uptime_ms=<ms>     userspace reached (the kernel's uptime then)
#   PULLAB-INFO <text>                        what it does
#   PULLAB-OUT <name> <line>                  a result file, line by line (ltp-results, kirk-report, kselftest-tap)
#   PULLAB-OUT-END <name> <lines>
#   PULLAB-SUITE-EXIT <status> timed_out=<yes|no>
#   PULLAB-DONE <nonce>
# and powers the machine off (QEMU runs with -no-reboot and panic=-1, so even a failed power-off ends QEMU).
#
# PULLAB_GUEST_ROOT and PULLAB_GUEST_SIMULATE=1 exist for the tests' fake QEMU only: the initramfs unpacked on the
# host, nothing mounted, no power-off. A real kernel passes neither.

R="${PULLAB_GUEST_ROOT:-}"
SIM="${PULLAB_GUEST_SIMULATE:-0}"
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
export PATH HOME

PULLAB_NONCE=""
PULLAB_SUITE=boot
PULLAB_SUITE_SECONDS=600
PULLAB_LTP_CMDFILES=""
PULLAB_LTP_RUNNER=auto
PULLAB_LTP_WORKERS=""
PULLAB_LTP_SKIPLIST=""
PULLAB_KSELFTEST_DIR=""
PULLAB_KSELFTEST_COLLECTIONS=""
# shellcheck source=/dev/null
. "$R/pullab/config"

info() {
  printf 'PULLAB-INFO %s\n' "$*"
}

# uptime_s / uptime_ms: the kernel's uptime (whole seconds / milliseconds); 0 when /proc is not there.
uptime_raw() {
  up=0.00
  [ -r "$R/proc/uptime" ] && read -r up _ < "$R/proc/uptime"
  printf '%s' "$up"
}
uptime_s() {
  up="$(uptime_raw)"
  printf '%s' "${up%%.*}"
}
uptime_ms() {
  up="$(uptime_raw)"
  s="${up%%.*}"
  case "$up" in
    *.*) f="${up#*.}000"; f="${f%"${f#???}"}" ;;
    *) f=0 ;;
  esac
  while [ "${f#0}" != "$f" ]; do f="${f#0}"; done
  printf '%s' "$((s * 1000 + ${f:-0}))"
}

setup() {
  if [ -x "$R/pullab/bin/busybox" ]; then
    # the rootfs's tools first, busybox's applets for what it lacks
    [ "$SIM" = 1 ] || "$R/pullab/bin/busybox" --install -s "$R/pullab/bin" 2>/dev/null
    PATH="$PATH:/pullab/bin"
  fi
  [ "$SIM" = 1 ] && return 0
  mkdir -p /proc /sys /dev /tmp /run /root
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev 2>/dev/null
  mkdir -p /dev/pts /dev/shm
  mount -t devpts devpts /dev/pts 2>/dev/null
  mount -t tmpfs tmpfs /dev/shm 2>/dev/null
  mount -t tmpfs tmpfs /run 2>/dev/null
  chmod 1777 /tmp
  [ -c /dev/console ] && exec < /dev/console > /dev/console 2>&1
  hostname pullab-qemu 2>/dev/null
  ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null
}

power_off() {
  [ "$SIM" = 1 ] && exit 0
  sync
  echo o 2> /dev/null > /proc/sysrq-trigger
  sleep 5
  poweroff -f 2>/dev/null
  sleep 5
  # PID 1 exits: the kernel panics, panic=-1 reboots at once, and -no-reboot ends QEMU
  exit 0
}

# send_file NAME FILE: the file on the console, each line as "PULLAB-OUT NAME <line>".
send_file() {
  if [ ! -f "$2" ]; then
    info "no $1 file ($2)"
    return 0
  fi
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    printf 'PULLAB-OUT %s %s\n' "$1" "$line"
    n=$((n + 1))
  done < "$2"
  printf 'PULLAB-OUT-END %s %s\n' "$1" "$n"
}

# run_limited COMMAND...: runs COMMAND, stopped when the suite's time is up (timeout(1) when there is one).
# Sets SUITE_STATUS and SUITE_TIMED_OUT.
run_limited() {
  left=$((PULLAB_SUITE_SECONDS - $(uptime_s)))
  [ "$left" -ge 10 ] || left=10
  info "running (at most ${left}s): $*"
  if timeout -k 10 5 true > /dev/null 2>&1; then
    timeout -k 10 "$left" "$@"
  else
    info "no usable timeout(1): running without a time limit"
    "$@"
  fi
  SUITE_STATUS=$?
  SUITE_TIMED_OUT=no
  if [ "$SUITE_STATUS" = 124 ] || [ "$SUITE_STATUS" = 137 ] || [ "$(uptime_s)" -ge "$PULLAB_SUITE_SECONDS" ]; then
    SUITE_TIMED_OUT=yes
  fi
}

cpus() {
  nproc 2> /dev/null || getconf _NPROCESSORS_ONLN 2> /dev/null || grep -c '^processor' /proc/cpuinfo
}

run_ltp() {
  ltproot="$R/opt/ltp"
  kirk=""
  for candidate in "$R/opt/kirk/kirk" "$ltproot/kirk"; do
    if [ -f "$candidate" ]; then
      kirk="$candidate"
      break
    fi
  done
  runner="$PULLAB_LTP_RUNNER"
  if [ "$runner" = auto ]; then
    if [ -n "$kirk" ] && command -v python3 > /dev/null; then runner=kirk; else runner=runltp; fi
  fi
  if { [ "$runner" = kirk ] && [ -z "$kirk" ]; } || { [ "$runner" = runltp ] && [ ! -f "$ltproot/runltp" ]; }; then
    info "error: no LTP runner in the rootfs ($ltproot/runltp, /opt/kirk/kirk, $ltproot/kirk)"
    printf 'PULLAB-SUITE-EXIT 127 timed_out=no\n'
    return 0
  fi
  workers="$PULLAB_LTP_WORKERS"
  [ "$workers" != max ] || workers="$(cpus)"
  out="$R/tmp/pullab"
  mkdir -p "$out"
  skiplist=""
  [ -z "$PULLAB_LTP_SKIPLIST" ] || skiplist="$R$PULLAB_LTP_SKIPLIST"
  info "LTP root $ltproot, runner $runner, command files $PULLAB_LTP_CMDFILES"
  if [ "$runner" = kirk ]; then
    left=$((PULLAB_SUITE_SECONDS - $(uptime_s)))
    # kirk stops the suite a little before the hard limit so that it still writes its report
    suite_timeout="$left"
    [ "$left" -le 120 ] || suite_timeout=$((left - 60))
    set -f
    # shellcheck disable=SC2086
    set -- "$kirk" --framework "ltp:root=$ltproot" --run-suite $PULLAB_LTP_CMDFILES \
      --json-report "$out/kirk-report.json" --suite-timeout "$suite_timeout"
    set +f
    [ -z "$workers" ] || set -- "$@" --workers "$workers"
    [ -z "$skiplist" ] || set -- "$@" --skip-file "$skiplist"
    run_limited env LTPROOT="$ltproot" "$@"
    send_file kirk-report "$out/kirk-report.json"
  else
    cmdfiles="$(printf '%s' "$PULLAB_LTP_CMDFILES" | tr ' ' ',')"
    set -- "$ltproot/runltp" -p -f "$cmdfiles" -l "$out/ltp-results.log"
    [ -z "$skiplist" ] || set -- "$@" -S "$skiplist"
    run_limited env LTPROOT="$ltproot" "$@"
    send_file ltp-results "$out/ltp-results.log"
  fi
  printf 'PULLAB-SUITE-EXIT %s timed_out=%s\n' "$SUITE_STATUS" "$SUITE_TIMED_OUT"
}

run_kselftest() {
  dir="$R$PULLAB_KSELFTEST_DIR"
  out="$R/tmp/pullab"
  mkdir -p "$out"
  if [ ! -f "$dir/run_kselftest.sh" ]; then
    info "error: no $dir/run_kselftest.sh"
    printf 'PULLAB-SUITE-EXIT 127 timed_out=no\n'
    return 0
  fi
  set --
  for c in $PULLAB_KSELFTEST_COLLECTIONS; do
    set -- "$@" -c "$c"
  done
  chmod +x "$dir/run_kselftest.sh"
  cd "$dir" || return 0
  run_limited ./run_kselftest.sh "$@" > "$out/kselftest.tap" 2>&1
  cd / || true
  send_file kselftest-tap "$out/kselftest.tap"
  printf 'PULLAB-SUITE-EXIT %s timed_out=%s\n' "$SUITE_STATUS" "$SUITE_TIMED_OUT"
}

setup
printf 'PULLAB-BOOT-OK %s uptime_ms=%s\n' "$PULLAB_NONCE" "$(uptime_ms)"
info "kernel $(uname -r 2> /dev/null), $(cpus) cpu(s), suite $PULLAB_SUITE"
if [ "$PULLAB_SUITE" != boot ] && [ "$SIM" != 1 ]; then
  # only errors and worse from the kernel on the console while the tests print their results
  echo 4 > /proc/sys/kernel/printk 2> /dev/null
fi
case "$PULLAB_SUITE" in
  ltp) run_ltp ;;
  kselftest) run_kselftest ;;
esac
printf 'PULLAB-DONE %s\n' "$PULLAB_NONCE"
power_off
