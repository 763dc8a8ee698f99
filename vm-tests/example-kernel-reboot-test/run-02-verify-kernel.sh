#!/usr/bin/env bash
# Stage 2 of example-kernel-reboot-test: checks that the machine booted the kernel that stage 1 installed.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

if [ ! -s "$EXPECTED_KERNEL_FILE" ]; then
  log "FAIL: $EXPECTED_KERNEL_FILE is missing: stage 1 did not record the kernel it installed"
  exit 1
fi
expected="$(cat "$EXPECTED_KERNEL_FILE")"
running="$(uname -r)"
if [ "$running" != "$expected" ]; then
  log "FAIL: running kernel $running, expected $expected (the boot fell back to another entry?)"
  exit 1
fi
log "PASS: running the expected kernel $running"
