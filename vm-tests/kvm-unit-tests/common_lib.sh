#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Shared by the stages of kvm-unit-tests: the vm-tests helpers, results.json, the KernelCI job helpers (a job's
# kernel, downloads under the artifact URL policy), the kernel RPM helpers and the kvm-unit-tests helpers.
# Also makes the test directory (`here`, absolute) the working directory: the stages keep expected-kernel.txt,
# kvm-unit-tests/ and results.json there.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here" || exit
# shellcheck source=lib/test_lib.sh
source "$here/lib/test_lib.sh"
# shellcheck source=lib/results.sh
source "$here/lib/results.sh"
# shellcheck source=lib/kernelci.sh
source "$here/lib/kernelci.sh"
# shellcheck source=lib/kernel_rpm.sh
source "$here/lib/kernel_rpm.sh"
# shellcheck source=lib/kvm_unit_tests.sh
source "$here/lib/kvm_unit_tests.sh"
