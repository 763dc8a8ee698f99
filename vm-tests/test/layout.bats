#!/usr/bin/env bats
# Structure of vm-tests, checked without S3: how the bundled tests reach lib/ (README.md, "Reaching lib/"), and that
# the VM client and the QEMU runner define each function once.

setup() {
  VMT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
}

# bundled_tests: the top-level directories holding run.sh or run*.sh, as VmTestBundle and the client see tests.
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
      if grep -qE '(^|[^A-Za-z0-9_])lib/[A-Za-z0-9_]+\.sh' <(grep -v '^[[:space:]]*#' "$stage"); then
        bad+=("${stage#"$VMT"/}: names a lib/ file outside comments")
      fi
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

# functions FILE...: the names of the functions FILE defines ('name() {' or 'function name'), one a line, sorted.
functions() {
  sed -nE 's/^[[:space:]]*(function[[:space:]]+)?([A-Za-z_][A-Za-z0-9_:-]*)[[:space:]]*\(\)[[:space:]]*\{?.*$/\2/p
    s/^[[:space:]]*function[[:space:]]+([A-Za-z_][A-Za-z0-9_:-]*)[[:space:]]*\{.*$/\1/p' "$@" | sort
}

@test "the client and the QEMU runner define no function twice: what they share is in lib/client_common.sh" {
  local client="$VMT/test-vm-client.sh" runner="$VMT/qemu-runner/qemu-runner.sh" common="$VMT/lib/client_common.sh"
  # the shared functions, defined once, in the shared file
  run functions "$common"
  [ "$output" = "$(printf '%s\n' aws_s3 iso json_field log retrying usage)" ]
  # main is each script's entry point, not a shared function
  run comm -12 <(functions "$client" | grep -vx main) <(functions "$runner" | grep -vx main)
  [ "$status" -eq 0 ]
  [ -z "$output" ] || { echo "defined by both the client and the runner: $output"; false; }
  run comm -12 <(functions "$client" "$runner" | sort -u) <(functions "$common")
  [ -z "$output" ] || { echo "defined by lib/client_common.sh and again by the client or the runner: $output"; false; }
  # both source the shared file, once; the client in the form the orchestrator inlines (VmTestBundle)
  [ "$(grep -cxF 'source "$(dirname "$SELF")/lib/client_common.sh"' "$client")" = 1 ]
  [ "$(grep -cxF 'source "$LIB_DIR/client_common.sh"' "$runner")" = 1 ]
}

@test "lib/client_common.sh only defines functions, so that it can be inlined into the client" {
  # shellcheck disable=SC2016
  run env -i bash --norc --noprofile -c 'vars() { compgen -v | grep -vxE "before|after|PIPESTATUS|_"; }
    before="$(vars)"; source "$1"; after="$(vars)"
    [ "$before" = "$after" ] || echo "variables set: $(comm -13 <(echo "$before") <(echo "$after"))"
    declare -F | sed "s/^declare -f //" | grep -vx vars' _ "$VMT/lib/client_common.sh"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '%s\n' aws_s3 iso json_field log retrying usage)" ]
  # no BASH_SOURCE (it would name the client once inlined), no top-level return
  run grep -nE 'BASH_SOURCE|^return' <(grep -v '^[[:space:]]*#' "$VMT/lib/client_common.sh")
  [ "$status" -eq 1 ]
}

@test "the client runs alone with lib/client_common.sh inlined, as the orchestrator ships it" {
  local alone="$BATS_TEST_TMPDIR/alone/test-vm-client.sh" line='source "$(dirname "$SELF")/lib/client_common.sh"'
  mkdir -p "${alone%/*}"
  # the inlining of VmTestBundle (orchestrator-function), done with awk
  awk -v line="$line" -v lib="$VMT/lib/client_common.sh" '
    $0 == line { print "# ---- lib/client_common.sh, inlined by the orchestrator"; while ((getline l < lib) > 0) print l
                 print "# ---- end of lib/client_common.sh"; next }
    { print }' "$VMT/test-vm-client.sh" > "$alone"
  [ "$(grep -cxF "$line" "$alone")" = 0 ]

  run bash "$alone" --help
  [ "$status" -eq 0 ]
  [ "$output" = "$(bash "$VMT/test-vm-client.sh" --help)" ]
  run bash "$alone" bogus
  [ "$status" -eq 2 ]
}
