#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Shared by the stage of ltp: the vm-tests helpers, the results.json helpers and the KernelCI job helpers
# (the LTP run of kernelci-ltp: kci_run_ltp).
# Also makes the test directory (`here`, absolute) the working directory, whatever the caller's: the stage keeps
# params.env, artifacts/, ltp-root/ and results.json there.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here" || exit
# shellcheck source=lib/test_lib.sh
source "$here/lib/test_lib.sh"
# shellcheck source=lib/results.sh
source "$here/lib/results.sh"
# shellcheck source=lib/kernelci.sh
source "$here/lib/kernelci.sh"
