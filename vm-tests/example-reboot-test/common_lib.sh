#!/usr/bin/env bash
# Shared by the stages of example-reboot-test: each stage records the boot it runs in.

# shellcheck source=lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test_lib.sh"

# Lines "<stage> <boot id> <uptime s>", one per stage, kept across reboots in the test directory.
BOOT_IDS_FILE=boot-ids.txt

# current_boot_id: the kernel's id of this boot (BOOT_ID_FILE overrides the /proc path, for test harnesses).
current_boot_id() {
  cat "${BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}"
}

# record_boot STAGE: writes this boot's line for STAGE to BOOT_IDS_FILE (replacing an earlier line of STAGE).
record_boot() {
  local stage="$1" boot_id uptime
  boot_id="$(current_boot_id)"
  uptime="$(cut -d' ' -f1 /proc/uptime)"
  if [ -f "$BOOT_IDS_FILE" ]; then
    awk -v stage="$stage" '$1 != stage' "$BOOT_IDS_FILE" > "$BOOT_IDS_FILE.tmp"
    mv "$BOOT_IDS_FILE.tmp" "$BOOT_IDS_FILE"
  fi
  printf '%s %s %s\n' "$stage" "$boot_id" "$uptime" >> "$BOOT_IDS_FILE"
  log "stage $stage (PULLAB_STAGE=${PULLAB_STAGE:-unset}): boot id $boot_id, up $uptime s, kernel $(uname -r)"
}
