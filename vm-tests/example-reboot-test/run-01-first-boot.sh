#!/usr/bin/env bash
# Stage 1 of example-reboot-test: records the boot id of the first boot, then asks for a reboot.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

record_boot 1
exit 194
