#!/usr/bin/env bash
# Runs the vm-tests checks: shellcheck on every shell script, then every bats file. Called by `mvn verify`
# (vm-tests/pom.xml) and usable alone: vm-tests/test/run-tests.sh [BATS_FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in bats shellcheck aws zip unzip python3 moto_server; do
  command -v "$tool" >/dev/null || { echo "vm-tests: '$tool' is missing (.ci/run installs it)" >&2; exit 1; }
done

mapfile -t scripts < <(find . -name '*.sh' -not -path './target/*' -print | sort)
echo "vm-tests: shellcheck on ${#scripts[@]} scripts"
shellcheck -x -P SCRIPTDIR "${scripts[@]}"
# The bats files too, so that a bare '! cmd' (SC2314: it never fails a test) and other real faults are caught.
# Warnings and errors only (their single-quoted stage bodies and per-test subshell exports are deliberate), and not
# SC2154: $status, $output, $lines and $stderr are assigned by bats' own 'run'.
mapfile -t suites < <(find test -maxdepth 1 \( -name '*.bats' -o -name '*.bash' \) -print | sort)
echo "vm-tests: shellcheck on ${#suites[@]} bats files"
shellcheck -x -P SCRIPTDIR --severity=warning --exclude=SC2154 "${suites[@]}"

if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -maxdepth 1 -name '*.bats' | sort); fi
echo "vm-tests: bats ${files[*]}"
log="$(mktemp)"
status=0
bats --formatter tap --print-output-on-failure "${files[@]}" | tee "$log" || status=$?
passed="$(grep -c '^ok ' "$log" || true)"
failed="$(grep -c '^not ok ' "$log" || true)"
echo "vm-tests: ${passed} passed, ${failed} failed"
exit "$status"
