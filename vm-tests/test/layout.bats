#!/usr/bin/env bats
# Structure of vm-tests, checked without S3: how the bundled tests reach lib/ (README.md, "Reaching lib/"), and that
# the VM client and the QEMU runner define each function once.

setup() {
  VMT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
}

# bundled_tests: the top-level directories holding run.sh or run*.sh, as VmTests and the client see tests.
bundled_tests() {
  local dir
  for dir in "$VMT"/*/; do
    dir="${dir%/}"
    case "${dir##*/}" in test|target|lib|qemu-runner) continue ;; esac
    if compgen -G "$dir/run*.sh" >/dev/null; then
      echo "${dir##*/}"
    fi
  done
}

@test "the bundled tests are found (sanity check of the checks below)" {
  run bundled_tests
  [ "$status" -eq 0 ]
  [[ "$output" == *basic-test* ]]
  [[ "$output" == *kernelci-boot* ]]
  [[ "$output" == *unixbench-kernel-regression* ]]
  [ "${#lines[@]}" -ge 8 ]
}

@test "every bundled test reaches lib/ one way: lib -> ../lib, a common_lib.sh, one source line per stage" {
  local prelude='source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"'
  local t stage line bad=()
  for t in $(bundled_tests); do
    [ "$(readlink "$VMT/$t/lib")" = ../lib ] || bad+=("$t: lib is not a link to ../lib")
    [ -f "$VMT/$t/common_lib.sh" ] && [ ! -L "$VMT/$t/common_lib.sh" ] || bad+=("$t: no common_lib.sh file")
    # common_lib.sh sources lib/ files only, from its own directory
    while IFS= read -r line; do
      [[ "$line" =~ ^(source|\.)\ \"(\$\(dirname\ \"\$\{BASH_SOURCE\[0\]\}\"\)|\$here)/lib/[A-Za-z0-9_]+\.sh\"$ ]] \
        || bad+=("$t/common_lib.sh: '$line'")
    done < <(grep -E '^[[:space:]]*(source|\.)[[:space:]]' "$VMT/$t/common_lib.sh")
    grep -qE '^(source|\.) .*/lib/' "$VMT/$t/common_lib.sh" || bad+=("$t/common_lib.sh sources nothing of lib/")
    for stage in "$VMT/$t"/run*.sh; do
      # the one prelude, and no other source: lib/ only through common_lib.sh
      [ "$(sed -n 1p "$stage")" = '#!/usr/bin/env bash' ] || bad+=("${stage#"$VMT"/}: not a bash script")
      [ "$(grep -cxF 'set -euo pipefail' "$stage")" = 1 ] || bad+=("${stage#"$VMT"/}: no 'set -euo pipefail'")
      [ "$(grep -cxF "$prelude" "$stage")" = 1 ] || bad+=("${stage#"$VMT"/}: no '$prelude'")
      [ "$(grep -cE '^[[:space:]]*(source|\.)[[:space:]]' "$stage")" = 1 ] \
        || bad+=("${stage#"$VMT"/}: sources something besides common_lib.sh")
      ! grep -qE '(^|[^A-Za-z0-9_])lib/[A-Za-z0-9_]+\.sh' <(grep -v '^[[:space:]]*#' "$stage") \
        || bad+=("${stage#"$VMT"/}: names a lib/ file outside comments")
    done
  done
  printf '%s\n' "${bad[@]}"
  [ "${#bad[@]}" -eq 0 ]
}

@test "the stage prelude of every bundled test is the one vm-tests/README.md shows" {
  local t stage
  grep -qxF '  source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"' "$VMT/README.md"
  for t in $(bundled_tests); do
    for stage in "$VMT/$t"/run*.sh; do
      # the three lines, together, before the first command of the stage
      run awk '!/^#/ && !/^$/ { print; n++ } n == 2 { exit }' "$stage"
      [ "$output" = $'set -euo pipefail\nsource "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"' ] || {
        echo "${stage#"$VMT"/}: $output"; false; }
      grep -B1 -xF 'source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"' "$stage" | grep -qxF '# shellcheck source=common_lib.sh'
    done
  done
}
