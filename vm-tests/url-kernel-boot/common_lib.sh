#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Shared by the stages of url-kernel-boot: the vm-tests helpers, the results.json helpers and the KernelCI job helpers
# (kernel download, install for the next boot only, boot check: the same code as kernelci-boot).
# Also makes the test directory (`here`, absolute) the working directory, whatever the caller's: the stages keep
# params.env, expected-kernel.txt, artifacts/ and results.json there.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here" || exit
# shellcheck source=lib/test_lib.sh
source "$here/lib/test_lib.sh"
# shellcheck source=lib/results.sh
source "$here/lib/results.sh"
# shellcheck source=lib/kernelci.sh
source "$here/lib/kernelci.sh"
