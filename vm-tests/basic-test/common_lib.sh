#!/usr/bin/env bash
# Shared by the stages of basic-test: the vm-tests helpers (log, ...).

# shellcheck source=lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test_lib.sh"
