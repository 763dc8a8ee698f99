#!/usr/bin/env bash
# Stage 3 of example-reboot-test: records the boot id of the third boot and checks that the three stages ran in
# three different boots. Under PULLAB_SIMULATE=1 reboots are simulated (the harness re-runs the client without
# rebooting), so equal boot ids are only logged.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

record_boot 3
cat "$BOOT_IDS_FILE"

for stage in 1 2 3; do
  if ! awk -v stage="$stage" '$1 == stage { found = 1 } END { exit !found }' "$BOOT_IDS_FILE"; then
    log "FAIL: no boot recorded for stage $stage"
    exit 1
  fi
done
distinct="$(awk '$1 ~ /^[123]$/ { print $2 }' "$BOOT_IDS_FILE" | sort -u | wc -l)"
if [ "$distinct" -eq 3 ]; then
  log "PASS: the three stages ran in three different boots"
elif simulated; then
  log "SIMULATED: reboots are simulated: $distinct distinct boot id(s) for 3 stages"
else
  log "FAIL: $distinct distinct boot id(s) for 3 stages: the machine did not reboot between stages"
  exit 1
fi
