#!/usr/bin/env bash
# Shared functions of this test's stages: the UnixBench helpers of lib/unixbench.sh (configuration, build, run,
# report to CSV) and the base/tip kernel helpers of lib/kernel_rpm.sh (choose, install, check the booted kernel).
# shellcheck source=lib/unixbench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/unixbench.sh"
# shellcheck source=lib/kernel_rpm.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/kernel_rpm.sh"
