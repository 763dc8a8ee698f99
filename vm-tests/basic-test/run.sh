#!/usr/bin/env bash
# basic-test: one stage that records what the test machine is (kernel, OS, CPU, memory, disk, uptime) in
# system-info.txt and in the stage log. Only reads /proc and runs standard tools: succeeds on any Linux.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

# meminfo_kb FIELD: a /proc/meminfo value in kB.
meminfo_kb() {
  awk -v field="$1:" '$1 == field { print $2; found = 1 } END { if (!found) print "unknown" }' /proc/meminfo
}

cpu_model() {
  local model
  model="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  if [ -z "$model" ] && command -v lscpu >/dev/null; then
    model="$(LC_ALL=C lscpu | awk -F': *' '/^Model name/ { print $2; exit }')"
  fi
  printf '%s\n' "${model:-unknown}"
}

if [ "$(uname -s)" != Linux ]; then
  log "FAIL: not Linux: $(uname -s)"
  exit 1
fi
if [ ! -r /proc/meminfo ] || [ ! -r /proc/cpuinfo ]; then
  log "FAIL: /proc is not readable"
  exit 1
fi

os="unknown"
if [ -r /etc/os-release ]; then
  os="$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-${NAME:-unknown}}")"
fi
read -r -a disk < <(df -Pk . | awk 'NR == 2 { print $2, $4, $6 }')

{
  echo "uname: $(uname -a)"
  echo "kernel: $(uname -r)"
  echo "os: $os"
  echo "arch: $(uname -m)"
  echo "cpu_model: $(cpu_model)"
  echo "cpus: $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
  echo "mem_total_kb: $(meminfo_kb MemTotal)"
  echo "mem_available_kb: $(meminfo_kb MemAvailable)"
  echo "disk_total_kb: ${disk[0]:-unknown}"
  echo "disk_available_kb: ${disk[1]:-unknown}"
  echo "disk_mount: ${disk[2]:-unknown}"
  echo "uptime_s: $(cut -d' ' -f1 /proc/uptime)"
  echo "boot_id: $(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)"
  echo "instance_id: ${PULLAB_INSTANCE_ID:-unknown}"
  echo "instance_type: ${PULLAB_INSTANCE_TYPE:-unknown}"
  echo "region: ${PULLAB_REGION:-unknown}"
} > system-info.txt

cat system-info.txt
log "PASS: basic test on $(uname -r)"
