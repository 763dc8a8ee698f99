#!/usr/bin/env bash
# Shared by the stages of example-kernel-reboot-test: the vm-tests helpers and the kernel RPM helpers.

# shellcheck source=lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test_lib.sh"
# shellcheck source=lib/kernel_rpm.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/kernel_rpm.sh"

# Written by stage 1, read by stage 2 (the test directory persists across reboots).
# shellcheck disable=SC2034 # used by the stage scripts that source this file
EXPECTED_KERNEL_FILE=expected-kernel.txt
