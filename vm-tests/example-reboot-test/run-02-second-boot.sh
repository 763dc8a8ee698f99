#!/usr/bin/env bash
# Stage 2 of example-reboot-test: records the boot id of the second boot, then asks for a reboot.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

record_boot 2
exit 194
