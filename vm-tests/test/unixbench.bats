#!/usr/bin/env bats
# The five seed tests (basic-test, example-reboot-test, example-kernel-reboot-test, simple-unixbench,
# unixbench-kernel-regression): the UnixBench report -> benchmark CSV conversion, the test directories' contract,
# the shellcheck lint, and every stage run in simulation (PULLAB_SIMULATE=1) in a temporary work directory laid out as on a VM.

bats_require_minimum_version 1.5.0

load regression_helpers

VMT_DIR="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
FIXTURE="$VMT_DIR/test/fixtures/unixbench/unixbench-2cpu.txt"
SEED_TESTS=(basic-test example-reboot-test example-kernel-reboot-test simple-unixbench unixbench-kernel-regression)
HEADER="metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch"
KERNEL="6.1.141-165.249.amzn2023.x86_64"
TAIL=",true,$KERNEL,i-0123456789abcdef0,m5.large,x86_64"
TIP_RPM="kernel-6.1.150-174.273.amzn2023.x86_64.rpm"

setup() {
  unset BOOT_ID_FILE PULLAB_SHARED_DIR PULLAB_PARAMS_ENV
  unset UNIXBENCH_REPO UNIXBENCH_REF UNIXBENCH_ITERATIONS UNIXBENCH_COPIES UNIXBENCH_TESTS UNIXBENCH_TIME_BUDGET_S \
    UNIXBENCH_SRC_DIR
  export PULLAB_SIMULATE=1 PULLAB_INSTANCE_ID=i-0123456789abcdef0 PULLAB_INSTANCE_TYPE=m5.large PULLAB_ARCH=x86_64 \
    PULLAB_REGION=us-east-1 PULLAB_SIMULATE_SPREAD_PCT=0 # the canned reports as they are, unless a test asks
}

# ub_lib: the UnixBench helpers (and lib/test_lib.sh) in this shell.
ub_lib() {
  # shellcheck source=../unixbench-kernel-regression/common_lib.sh
  source "$VMT_DIR/unixbench-kernel-regression/common_lib.sh"
}

# kernel_lib: the kernel RPM helpers (and lib/test_lib.sh) in this shell.
kernel_lib() {
  # shellcheck source=../lib/test_lib.sh
  source "$VMT_DIR/lib/test_lib.sh"
  # shellcheck source=../lib/kernel_rpm.sh
  source "$VMT_DIR/lib/kernel_rpm.sh"
}

# one_copy_report: the fixture as a 1-CPU machine reports it: only the "1 parallel copy" section.
one_copy_report() {
  awk '/^------------/ { n++ } n < 2' "$FIXTURE" | sed 's/^2 CPUs in system/1 CPU in system/'
}

# assert_benchmark_csv FILE ROWS [KERNEL]: FILE has the exact header, ROWS rows of 8 fields, numeric values,
# more_is_better true, the simulated VM's instance columns and KERNEL (default: the running kernel).
assert_benchmark_csv() {
  local file="$1" rows="$2" kernel="${3:-$(uname -r)}"
  [ -f "$file" ]
  [ "$(head -n 1 "$file")" = "$HEADER" ]
  [ "$(($(wc -l < "$file") - 1))" -eq "$rows" ]
  run awk -F, -v kernel="$kernel" 'NR > 1 && (NF != 8 || $1 !~ /^[A-Za-z0-9_]+$/ || $3 !~ /^[0-9]+(\.[0-9]+)?$/ \
    || $4 != "true" || $5 != kernel || $6 != "i-0123456789abcdef0" || $7 != "m5.large" || $8 != "x86_64") \
    { print "bad row " NR ": " $0 }' "$file"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

json_valid() {
  if command -v jq >/dev/null; then
    jq -e . "$1" >/dev/null
  elif command -v python3 >/dev/null; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"
  else
    skip "neither jq nor python3 to check JSON"
  fi
}

# --- unixbench_to_csv ---------------------------------------------------------------------------------------------

@test "unixbench_to_csv: the 2-CPU report gives the exact header and 24 rows" {
  ub_lib
  run --separate-stderr unixbench_to_csv "$FIXTURE" "$KERNEL" i-0123456789abcdef0 m5.large x86_64
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
  [ "${lines[0]}" = "$HEADER" ]
  [ "${#lines[@]}" -eq 25 ]
}

@test "unixbench_to_csv: names, units and values of the result lines, 1-copy and 2-copy sections" {
  ub_lib
  run --separate-stderr unixbench_to_csv "$FIXTURE" "$KERNEL" i-0123456789abcdef0 m5.large x86_64
  [ "$status" -eq 0 ]
  local expected row
  for expected in \
    "Dhrystone_2_using_register_variables,lps,49052621.3$TAIL" \
    "Double_Precision_Whetstone,MWIPS,7411.6$TAIL" \
    "File_Copy_1024_bufsize_2000_maxblocks,KBps,1062353.4$TAIL" \
    "Pipe_based_Context_Switching,lps,118246.5$TAIL" \
    "Shell_Scripts_1_concurrent,lpm,9874.3$TAIL" \
    "Shell_Scripts_8_concurrent,lpm,2684.1$TAIL" \
    "Process_Creation,lps,9342.8$TAIL" \
    "Dhrystone_2_using_register_variables_2_copies,lps,63817452.9$TAIL" \
    "File_Copy_256_bufsize_500_maxblocks_2_copies,KBps,331052.7$TAIL" \
    "Shell_Scripts_8_concurrent_2_copies,lpm,1851.7$TAIL" \
    "System_Call_Overhead_2_copies,lps,1652204.8$TAIL"; do
    local found=0
    for row in "${lines[@]}"; do [ "$row" != "$expected" ] || found=1; done
    [ "$found" = 1 ] || { echo "missing row: $expected"; return 1; }
  done
  # 12 single-copy metrics without suffix, 12 with _2_copies, all distinct; nothing from the index tables
  [ "$(printf '%s\n' "${lines[@]:1}" | cut -d, -f1 | sort -u | wc -l)" -eq 24 ]
  [ "$(printf '%s\n' "${lines[@]:1}" | cut -d, -f1 | grep -c '_2_copies$')" -eq 12 ]
  [ "$(printf '%s\n' "${lines[@]:1}" | cut -d, -f2 | sort -u | tr '\n' ' ')" = "KBps MWIPS lpm lps " ]
  [ "$(printf '%s\n' "${lines[@]:1}" | cut -d, -f4 | sort -u)" = "true" ]
  run ! grep -e '4203\.3' -e 'Index' -e 'BASELINE' <<<"$(printf '%s\n' "${lines[@]}")"
}

@test "unixbench_to_csv: a report with only the 1-copy section gives 12 rows without suffix" {
  ub_lib
  one_copy_report > "$BATS_TEST_TMPDIR/1cpu.txt"
  grep -q '1 CPU in system; running 1 parallel copy of tests' "$BATS_TEST_TMPDIR/1cpu.txt"
  run ! grep -q 'parallel copies' "$BATS_TEST_TMPDIR/1cpu.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/1cpu.txt" "$KERNEL" i-0123456789abcdef0 m5.large x86_64
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$HEADER" ]
  [ "${#lines[@]}" -eq 13 ]
  [ "$(printf '%s\n' "${lines[@]}" | grep -c '_copies')" -eq 0 ]
  [ "${lines[12]}" = "System_Call_Overhead,lps,1378542.6$TAIL" ]
}

@test "unixbench_to_csv: a section of 8 parallel copies gets _8_copies" {
  ub_lib
  sed 's/running 2 parallel copies/running 8 parallel copies/' "$FIXTURE" > "$BATS_TEST_TMPDIR/8.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/8.txt" "$KERNEL" i-0123456789abcdef0 m5.large x86_64
  [ "$status" -eq 0 ]
  [ "${lines[24]}" = "System_Call_Overhead_8_copies,lps,1652204.8$TAIL" ]
}

@test "unixbench_to_csv: garbage gives no rows, exit 1 and a clear message" {
  ub_lib
  printf 'this is not\na UnixBench report\n1 2 3\n' > "$BATS_TEST_TMPDIR/garbage.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/garbage.txt" "$KERNEL" i-1 m5.large x86_64
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [[ "$stderr" == *"garbage.txt: no UnixBench result lines"* ]]

  : > "$BATS_TEST_TMPDIR/empty.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/empty.txt" "$KERNEL" i-1 m5.large x86_64
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [[ "$stderr" == *"no UnixBench result lines"* ]]
}

@test "unixbench_to_csv: the index tables alone give no rows" {
  ub_lib
  grep -v 'samples)$' "$FIXTURE" > "$BATS_TEST_TMPDIR/index-only.txt"
  grep -q 'System Benchmarks Index Values' "$BATS_TEST_TMPDIR/index-only.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/index-only.txt" "$KERNEL" i-1 m5.large x86_64
  [ "$status" -eq 1 ]
  [ -z "$output" ]
}

@test "unixbench_to_csv: a missing report or wrong arguments fail with a message" {
  ub_lib
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/none.txt" "$KERNEL" i-1 m5.large x86_64
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"cannot read UnixBench report"* ]]
  run --separate-stderr unixbench_to_csv "$FIXTURE" "$KERNEL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == "usage: unixbench_to_csv REPORT KERNEL INSTANCE_ID INSTANCE_TYPE ARCH" ]]
}

@test "unixbench_to_csv: two sections with the same copy count are refused" {
  ub_lib
  { one_copy_report; one_copy_report; } > "$BATS_TEST_TMPDIR/twice.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/twice.txt" "$KERNEL" i-1 m5.large x86_64
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [[ "$stderr" == *"metric Dhrystone_2_using_register_variables appears twice"* ]]
}

@test "unixbench_to_csv: CRLF line ends and Run's console output around the report parse the same" {
  ub_lib
  {
    printf '   BYTE UNIX Benchmarks (Version 5.1.3)\n\n1 x Dhrystone 2 using register variables  1 2 3\n\n'
    sed 's/$/\r/' "$FIXTURE"
  } > "$BATS_TEST_TMPDIR/crlf.txt"
  run --separate-stderr unixbench_to_csv "$BATS_TEST_TMPDIR/crlf.txt" "$KERNEL" i-0123456789abcdef0 m5.large x86_64
  [ "$status" -eq 0 ]
  diff <(printf '%s\n' "${lines[@]}") <(unixbench_to_csv "$FIXTURE" "$KERNEL" i-0123456789abcdef0 m5.large x86_64)
}

# --- the test directories -----------------------------------------------------------------------------------------

@test "each seed test directory has its scripts, dependencies.txt, README.md, external_requirements.json, lib" {
  local t script kernel_rpms
  for t in "${SEED_TESTS[@]}"; do
    local dir="$VMT_DIR/$t" scripts=()
    mapfile -t scripts < <(find "$dir" -maxdepth 1 -name 'run*.sh' | sort -V)
    [ "${#scripts[@]}" -ge 1 ] || { echo "$t: no run.sh / run-NN-*.sh"; return 1; }
    for script in "${scripts[@]}"; do
      [[ "$(basename "$script")" =~ ^run(-[0-9][0-9]-[a-z0-9-]+)?\.sh$ ]] || { echo "$script: name"; return 1; }
      [ -x "$script" ] || { echo "$script: not executable"; return 1; }
      [ "$(head -n 1 "$script")" = "#!/usr/bin/env bash" ] || { echo "$script: shebang"; return 1; }
      grep -qx 'set -euo pipefail' "$script" || { echo "$script: no set -euo pipefail"; return 1; }
    done
    [ -f "$dir/dependencies.txt" ] || { echo "$t: no dependencies.txt"; return 1; }
    [ -s "$dir/README.md" ] || { echo "$t: no README.md"; return 1; }
    [ -L "$dir/lib" ] && [ "$(readlink "$dir/lib")" = "../lib" ] || { echo "$t: lib is not a symlink to ../lib"; return 1; }
    [ -f "$dir/external_requirements.json" ] || { echo "$t: no external_requirements.json"; return 1; }
    json_valid "$dir/external_requirements.json"
    case "$t" in example-kernel-reboot-test|unixbench-kernel-regression) kernel_rpms=true ;; *) kernel_rpms=false ;; esac
    if command -v jq >/dev/null; then
      [ "$(jq -c . "$dir/external_requirements.json")" = \
        "{\"kernel-rpms/src\":false,\"kernel-rpms/binary\":$kernel_rpms}" ] || { echo "$t: requirements"; return 1; }
    fi
  done
}

@test "the stage scripts of each test, in sort -V order" {
  local t
  for t in "${SEED_TESTS[@]}"; do
    printf '%s: %s\n' "$t" "$(cd "$VMT_DIR/$t" && ls run*.sh | sort -V | tr '\n' ' ')"
  done > "$BATS_TEST_TMPDIR/stages.txt"
  diff - "$BATS_TEST_TMPDIR/stages.txt" <<'EOF'
basic-test: run.sh 
example-reboot-test: run-01-first-boot.sh run-02-second-boot.sh run-03-check-boots.sh 
example-kernel-reboot-test: run-01-install-kernel.sh run-02-verify-kernel.sh 
simple-unixbench: run.sh 
unixbench-kernel-regression: run-01-install-base-kernel.sh run-02-bench-base-install-tip.sh run-03-bench-tip.sh 
EOF
}

@test "every *.sh of the seed tests passes shellcheck -x" {
  command -v shellcheck >/dev/null || skip "shellcheck is not installed (apt-get install shellcheck)"
  local t files=()
  for t in "${SEED_TESTS[@]}"; do
    mapfile -t -O "${#files[@]}" files < <(find "$VMT_DIR/$t" -name '*.sh' | sort)
  done
  [ "${#files[@]}" -ge 12 ]
  run shellcheck -x -P SCRIPTDIR "${files[@]}"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

# --- unixbench-kernel-regression, simulated ------------------------------------------------------------------------

@test "unixbench-kernel-regression: two RPMs -> the older is the base, the newer the tip, each booted and measured in turn" {
  vm_workdir unixbench-kernel-regression
  simulated_machine 6.1.128-ami.x86_64
  local dir="$WORK/shared/kernel-rpms/binary/x86_64"
  touch "$dir/kernel-6.1.150-1.x86_64.rpm" "$dir/kernel-6.1.141-1.x86_64.rpm" "$dir/kernel-headers-6.1.160-1.x86_64.rpm"

  stage 1 run-01-install-base-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"base kernel: 6.1.141-1.x86_64 (kernel-6.1.141-1.x86_64.rpm); tip kernel: 6.1.150-1.x86_64 (kernel-6.1.150-1.x86_64.rpm)"* ]]
  [[ "$output" == *"SIMULATED: rpm -ivh ../shared/kernel-rpms/binary/x86_64/kernel-6.1.141-1.x86_64.rpm"* ]]
  [[ "$output" == *"SIMULATED: grubby --set-default /boot/vmlinuz-6.1.141-1.x86_64"* ]]
  [ ! -e benchmark-base-1.csv ]
  simulated_reboot

  stage 2 run-02-bench-base-install-tip.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"running the base kernel 6.1.141-1.x86_64, as expected"* ]]
  [[ "$output" == *"SIMULATED: grubby --set-default /boot/vmlinuz-6.1.150-1.x86_64"* ]]
  simulated_reboot
  assert_benchmark_csv benchmark-base-1.csv 24 6.1.141-1.x86_64
  [ ! -e benchmark-tip-1.csv ]

  stage 3 run-03-bench-tip.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"running the tip kernel 6.1.150-1.x86_64, as expected"* ]]
  assert_benchmark_csv benchmark-tip-1.csv 24 6.1.150-1.x86_64
  diff <(cut -d, -f1,2,4 benchmark-base-1.csv) <(cut -d, -f1,2,4 benchmark-tip-1.csv)
  # the simulated tip (lib/unixbench-sample-report-tip.txt) is 25 % slower at Process Creation, the same otherwise
  [ "$(grep '^Process_Creation,' benchmark-base-1.csv | cut -d, -f3)" = "9342.8" ]
  [ "$(grep '^Process_Creation,' benchmark-tip-1.csv | cut -d, -f3)" = "7007.1" ]
  diff <(grep -v '^Process_Creation' benchmark-base-1.csv | cut -d, -f1-4) \
    <(grep -v '^Process_Creation' benchmark-tip-1.csv | cut -d, -f1-4)
}

@test "unixbench-kernel-regression: under simulation a kernel that was not booted is logged and measured anyway" {
  vm_workdir unixbench-kernel-regression
  walkthrough_rpms
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]

  stage 2 run-02-bench-base-install-tip.sh

  [ "$status" -eq 194 ]
  [[ "$output" == *"SIMULATED: the base kernel 6.1.141-1.x86_64 was not booted: measuring the running kernel $(uname -r), recorded as 6.1.141-1.x86_64"* ]]
  assert_benchmark_csv benchmark-base-1.csv 24 6.1.141-1.x86_64
}

# simulated_pair NAME: the simulated base and tip runs of this VM (PULLAB_INSTANCE_ID) -> NAME-base.csv, NAME-tip.csv
simulated_pair() {
  unixbench_run "$1-base-report.txt" >/dev/null 2>&1
  unixbench_run "$1-tip-report.txt" >/dev/null 2>&1
  unixbench_write_csv "$1-base-report.txt" "$1-base.csv" >/dev/null 2>&1
  unixbench_write_csv "$1-tip-report.txt" "$1-tip.csv" >/dev/null 2>&1
}

@test "unixbench_simulate_spread: values differ per VM and per run, the tip keeps its 25 % Process_Creation drop" {
  ub_lib
  cd "$BATS_TEST_TMPDIR"
  unixbench_load_config none.conf
  export PULLAB_SIMULATE_SPREAD_PCT=2
  local vm
  for vm in i-0aaaaaaaaaaaaaaa1 i-0bbbbbbbbbbbbbbb2; do
    PULLAB_INSTANCE_ID="$vm" simulated_pair "$vm"
  done
  value() { grep "^$1," "$2" | cut -d, -f3; }
  [ "$(value Dhrystone_2_using_register_variables i-0aaaaaaaaaaaaaaa1-base.csv)" != \
    "$(value Dhrystone_2_using_register_variables i-0bbbbbbbbbbbbbbb2-base.csv)" ]
  [ "$(value Dhrystone_2_using_register_variables i-0aaaaaaaaaaaaaaa1-base.csv)" != \
    "$(value Dhrystone_2_using_register_variables i-0aaaaaaaaaaaaaaa1-tip.csv)" ]
  # within 3 % of the canned value (2 % per VM, 1 % per run); the tip's Process_Creation about 25 % lower
  awk -F, '$1 == "Dhrystone_2_using_register_variables" && ($3 < 49052621.3 * 0.97 || $3 > 49052621.3 * 1.03) { exit 1 }' \
    i-0*-base.csv i-0*-tip.csv
  awk -v b="$(value Process_Creation i-0aaaaaaaaaaaaaaa1-base.csv)" -v t="$(value Process_Creation i-0aaaaaaaaaaaaaaa1-tip.csv)" \
    'BEGIN { r = t / b; exit !(r > 0.72 && r < 0.78) }'
  # the same VM and run give the same numbers (seeded, reproducible)
  cp i-0aaaaaaaaaaaaaaa1-base-report.txt first.txt
  PULLAB_INSTANCE_ID=i-0aaaaaaaaaaaaaaa1 unixbench_run i-0aaaaaaaaaaaaaaa1-base-report.txt
  cmp first.txt i-0aaaaaaaaaaaaaaa1-base-report.txt
}

@test "unixbench_simulate_spread: seeded by PULLAB_SIMULATE_SEED, the same VM of a plan gives the same numbers under another instance id" {
  ub_lib
  cd "$BATS_TEST_TMPDIR"
  unixbench_load_config none.conf
  export PULLAB_SIMULATE_SPREAD_PCT=2
  mkdir first again other
  (cd first && PULLAB_SIMULATE_SEED='unixbench-kernel-regression#1' PULLAB_INSTANCE_ID=i-0aaaaaaaaaaaaaaa1 unixbench_run base-report.txt)
  (cd again && PULLAB_SIMULATE_SEED='unixbench-kernel-regression#1' PULLAB_INSTANCE_ID=i-0ccccccccccccccc3 unixbench_run base-report.txt)
  (cd other && PULLAB_SIMULATE_SEED='unixbench-kernel-regression#2' PULLAB_INSTANCE_ID=i-0aaaaaaaaaaaaaaa1 unixbench_run base-report.txt)
  cmp first/base-report.txt again/base-report.txt
  run cmp -s first/base-report.txt other/base-report.txt
  [ "$status" -ne 0 ]
}

@test "unixbench_simulate_spread: a bad PULLAB_SIMULATE_SPREAD_PCT fails naming it; 0 leaves the report as it is" {
  ub_lib
  cd "$BATS_TEST_TMPDIR"
  cp "$VMT_DIR/lib/unixbench-sample-report.txt" r.txt
  PULLAB_SIMULATE_SPREAD_PCT=0 run unixbench_simulate_spread r.txt
  [ "$status" -eq 0 ]
  cmp r.txt "$VMT_DIR/lib/unixbench-sample-report.txt"
  PULLAB_SIMULATE_SPREAD_PCT='1;rm' run unixbench_simulate_spread r.txt
  [ "$status" -eq 1 ]
  [[ "$output" == *"PULLAB_SIMULATE_SPREAD_PCT='1;rm': use a percentage 0..99"* ]]
}

@test "unixbench-kernel-regression: the VM booting another kernel than expected fails the stage naming both" {
  vm_workdir unixbench-kernel-regression
  simulated_machine 6.1.128-ami.x86_64
  walkthrough_rpms
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  # no simulated_reboot: the boot fell back to the image's kernel

  PULLAB_SIMULATE=0 stage 2 run-02-bench-base-install-tip.sh

  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: running kernel 6.1.128-ami.x86_64, expected the base kernel 6.1.141-1.x86_64"* ]]
  [ ! -e benchmark-base-1.csv ]
  [ ! -e unixbench-base-report.txt ]

  # stage 3 finding the base kernel instead of the tip
  printf '6.1.141-1.x86_64\n' > "$SIMULATED_UNAME_R"
  PULLAB_SIMULATE=0 stage 3 run-03-bench-tip.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: running kernel 6.1.141-1.x86_64, expected the tip kernel 6.1.150-1.x86_64"* ]]
  [ ! -e benchmark-tip-1.csv ]
}

@test "unixbench-kernel-regression: base and tip named by test parameters, params.env or files win over the order" {
  vm_workdir unixbench-kernel-regression
  local rpm
  for rpm in kernel-6.1.99-1 kernel-6.1.141-1 kernel-6.1.150-1; do
    touch "$WORK/shared/kernel-rpms/binary/x86_64/$rpm.x86_64.rpm"
  done

  BASE_KERNEL_VERSION=6.1.150 TIP_KERNEL_VERSION=kernel-6.1.99-1.x86_64.rpm stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  [ "$(cat base-kernel-release.txt) $(cat tip-kernel-release.txt)" = "6.1.150-1.x86_64 6.1.99-1.x86_64" ]

  printf 'BASE_KERNEL_VERSION=6.1.99\n' > params.env
  printf '# the tip of this run\n6.1.141\n' > tip-kernel.txt
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  [ "$(cat base-kernel-release.txt) $(cat tip-kernel-release.txt)" = "6.1.99-1.x86_64 6.1.141-1.x86_64" ]

  rm params.env
  printf '6.1.141\n' > base-kernel.txt
  printf '6.1.150\n' > tip-kernel.txt
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  [ "$(cat base-kernel-release.txt) $(cat tip-kernel-release.txt)" = "6.1.141-1.x86_64 6.1.150-1.x86_64" ]
}

@test "unixbench-kernel-regression: a name matching no RPM, or base and tip the same RPM, fails stage 1 clearly" {
  vm_workdir unixbench-kernel-regression
  walkthrough_rpms

  TIP_KERNEL_VERSION=6.1.151 stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"TIP_KERNEL_VERSION asks for tip '6.1.151', not among: kernel-6.1.141-1.x86_64.rpm kernel-6.1.150-1.x86_64.rpm"* ]]

  BASE_KERNEL_VERSION=6.1.150 stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"base and tip are the same RPM kernel-6.1.150-1.x86_64.rpm"* ]]

  BASE_KERNEL=newest stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 2 ]
  [[ "$output" == *"BASE_KERNEL='newest': use ami"* ]]
  [[ "$output" != *"SIMULATED: rpm"* ]]
}

@test "unixbench-kernel-regression: only one kernel RPM fails stage 1 before anything is built or installed" {
  vm_workdir unixbench-kernel-regression
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-1.x86_64.rpm"
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-headers-6.1.141-1.x86_64.rpm"

  stage 1 run-01-install-base-kernel.sh

  [ "$status" -eq 1 ]
  [[ "$output" == *"a base and a tip kernel RPM are needed in ../shared/kernel-rpms/binary/x86_64, found only kernel-6.1.150-1.x86_64.rpm"* ]]
  [[ "$output" == *"or set BASE_KERNEL=ami"* ]]
  [[ "$output" != *"SIMULATED: rpm"* ]]
  [[ "$output" != *"SIMULATED: git clone"* ]]
  [ ! -e base-kernel-rpm.txt ]
}

@test "unixbench-kernel-regression: no kernel RPM for this arch fails stage 1 naming the directory" {
  vm_workdir unixbench-kernel-regression
  touch "$WORK/shared/kernel-rpms/binary/aarch64/kernel-6.1.150-1.aarch64.rpm"
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"no kernel RPM (kernel-<version>*.rpm) in ../shared/kernel-rpms/binary/x86_64"* ]]
}

@test "unixbench-kernel-regression: BASE_KERNEL=ami keeps the image's kernel as the base, one RPM is the tip" {
  vm_workdir unixbench-kernel-regression
  simulated_machine 6.1.128-ami.x86_64
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-1.x86_64.rpm"
  export BASE_KERNEL=ami

  stage 1 run-01-install-base-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"base kernel: the VM's own kernel 6.1.128-ami.x86_64, nothing to install"* ]]
  [[ "$output" != *"SIMULATED: rpm"* ]]
  [ "$(cat base-kernel-rpm.txt)" = ami ]
  simulated_reboot
  stage 2 run-02-bench-base-install-tip.sh
  [ "$status" -eq 194 ]
  [[ "$output" == *"running the base kernel 6.1.128-ami.x86_64, as expected"* ]]
  [[ "$output" == *"SIMULATED: rpm -ivh ../shared/kernel-rpms/binary/x86_64/kernel-6.1.150-1.x86_64.rpm"* ]]
  simulated_reboot
  stage 3 run-03-bench-tip.sh
  [ "$status" -eq 0 ]
  [ "$(awk -F, 'NR == 2 { print $5 }' benchmark-base-1.csv)" = 6.1.128-ami.x86_64 ]
  [ "$(awk -F, 'NR == 2 { print $5 }' benchmark-tip-1.csv)" = 6.1.150-1.x86_64 ]
}

@test "unixbench-kernel-regression: arm64 VMs take the aarch64 RPMs" {
  vm_workdir unixbench-kernel-regression
  local rpm
  for rpm in kernel-6.1.141-165.249.amzn2023 kernel-6.1.150-174.273.amzn2023; do
    touch "$WORK/shared/kernel-rpms/binary/aarch64/$rpm.aarch64.rpm"
  done
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.99-1.x86_64.rpm"
  PULLAB_ARCH=arm64 stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  [ "$(cat base-kernel-release.txt)" = "6.1.141-165.249.amzn2023.aarch64" ]
  [ "$(cat tip-kernel-release.txt)" = "6.1.150-174.273.amzn2023.aarch64" ]
}

# --- pullab_cloud's UnixBench metric names ---------------------------------------------------------------------------

@test "unixbench_metric_from_pullab_cloud: pullab_cloud's names become ours, copies named after the vCPUs" {
  ub_lib
  [ "$(unixbench_metric_from_pullab_cloud byte-unixbench-6.0.0.Dhrystone_2_using_register_variables 1)" = \
    Dhrystone_2_using_register_variables ]
  [ "$(unixbench_metric_from_pullab_cloud 'byte-unixbench-6.0.0.Shell_Scripts_(1_concurrent)' 4)" = \
    Shell_Scripts_1_concurrent_4_copies ]
  [ "$(unixbench_metric_from_pullab_cloud byte-unixbench-6.0.0.Pipe-based_Context_Switching 2)" = \
    Pipe_based_Context_Switching_2_copies ]
  [ "$(unixbench_metric_from_pullab_cloud postgresql.readonly.tps 2)" = postgresql.readonly.tps ]
  run unixbench_metric_from_pullab_cloud x 0
  [ "$status" -eq 2 ]
  [[ "$output" == *"CPUS='0' is not a positive number"* ]]
}

@test "unixbench_rename_pullab_cloud_csv: a pullab_cloud CSV matches ours metric by metric" {
  ub_lib
  cd "$BATS_TEST_TMPDIR"
  printf '%s\n' "$HEADER" \
    "byte-unixbench-6.0.0.Dhrystone_2_using_register_variables,lps,49052621.3,true,6.1.141-1.x86_64,i-1,m5.large,x86_64" \
    "byte-unixbench-6.0.0.System_Call_Overhead,lps,2766707.4,false,6.1.141-1.x86_64,i-1,m5.large,x86_64" \
    "byte-unixbench-6.0.0.Shell_Scripts_(8_concurrent),lpm,1811.0,true,6.1.141-1.x86_64,i-1,m5.large,x86_64" \
    > old.csv
  unixbench_to_csv "$FIXTURE" "$KERNEL" i-1 m5.large x86_64 > new.csv

  run unixbench_rename_pullab_cloud_csv old.csv 2

  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$HEADER" ]
  [ "${lines[1]}" = "Dhrystone_2_using_register_variables_2_copies,lps,49052621.3,true,6.1.141-1.x86_64,i-1,m5.large,x86_64" ]
  [ "${lines[2]}" = "System_Call_Overhead_2_copies,lps,2766707.4,true,6.1.141-1.x86_64,i-1,m5.large,x86_64" ]
  [ "${lines[3]}" = "Shell_Scripts_8_concurrent_2_copies,lpm,1811.0,true,6.1.141-1.x86_64,i-1,m5.large,x86_64" ]
  # each renamed metric is one that our CSV of the same machine has, with the same unit
  local m
  for m in Dhrystone_2_using_register_variables_2_copies,lps System_Call_Overhead_2_copies,lps \
      Shell_Scripts_8_concurrent_2_copies,lpm; do
    cut -d, -f1,2 new.csv | grep -qx "$m" || { echo "$m not in our CSV"; return 1; }
  done
  printf 'not,a,benchmark\n' > bad.csv
  run unixbench_rename_pullab_cloud_csv bad.csv 2
  [ "$status" -eq 1 ]
  [[ "$output" == *"header 'not,a,benchmark' is not"* ]]
}

# --- kernel helpers -------------------------------------------------------------------------------------------------

@test "kernel_lib: arch mapping, newest kernel RPM by sort -V, other packages ignored" {
  kernel_lib
  [ "$(PULLAB_ARCH=arm64 kernel_rpm_arch)" = aarch64 ]
  [ "$(PULLAB_ARCH=aarch64 kernel_rpm_arch)" = aarch64 ]
  [ "$(PULLAB_ARCH=x86_64 kernel_rpm_arch)" = x86_64 ]
  [ "$(PULLAB_ARCH=x86_64 PULLAB_SHARED_DIR=/s kernel_rpm_dir)" = /s/kernel-rpms/binary/x86_64 ]
  local dir="$BATS_TEST_TMPDIR/rpms" f
  mkdir -p "$dir"
  for f in kernel-6.1.141-1.x86_64.rpm kernel-6.1.150-1.x86_64.rpm kernel-6.1.99-1.x86_64.rpm \
    kernel-headers-6.1.200-1.x86_64.rpm kernel-devel-6.1.200-1.x86_64.rpm kernel-6.1.200-1.src.rpm; do
    touch "$dir/$f"
  done
  [ "$(kernel_rpms "$dir" | xargs -n1 basename | tr '\n' ' ')" = \
    "kernel-6.1.99-1.x86_64.rpm kernel-6.1.141-1.x86_64.rpm kernel-6.1.150-1.x86_64.rpm " ]
  [ "$(select_kernel_rpm "$dir")" = "$dir/kernel-6.1.150-1.x86_64.rpm" ]
  echo kernel-6.1.141-1.x86_64.rpm > "$BATS_TEST_TMPDIR/choice.txt"
  [ "$(select_kernel_rpm "$dir" "$BATS_TEST_TMPDIR/choice.txt")" = "$dir/kernel-6.1.141-1.x86_64.rpm" ]
  echo 6.1.9 > "$BATS_TEST_TMPDIR/choice.txt"
  run select_kernel_rpm "$dir" "$BATS_TEST_TMPDIR/choice.txt"
  [ "$status" -eq 1 ]
  [[ "$output" == *"asks for '6.1.9', not among: kernel-6.1.99-1.x86_64.rpm"* ]]
}

@test "kernel_lib: the expected uname -r of an RPM: /lib/modules, else VERSION-RELEASE.ARCH, else the file name" {
  kernel_lib
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  cat > "$BATS_TEST_TMPDIR/bin/rpm" <<'EOF'
#!/usr/bin/env bash
case "$*" in
  "-qlp "*binrpm*) printf '%s\n' /boot/System.map-6.1.141 /boot/vmlinuz-6.1.141 /lib/modules/6.1.141 \
    /lib/modules/6.1.141/kernel/fs/ext4/ext4.ko ;;
  "-qlp "*amzn*) printf '%s\n' /boot/.vmlinuz-6.1.150-174.273.amzn2023.x86_64.hmac \
    /boot/vmlinuz-6.1.150-174.273.amzn2023.x86_64 /usr/lib/modules/6.1.150-174.273.amzn2023.x86_64/vmlinuz ;;
  "-qlp "*) exit 0 ;;
  "-qp --qf "*) printf '6.1.160-1.x86_64' ;;
  *) exit 1 ;;
esac
EOF
  chmod +x "$BATS_TEST_TMPDIR/bin/rpm"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH"
  [ "$(kernel_release_of_rpm /x/kernel-6.1.141-1.x86_64.binrpm.rpm)" = 6.1.141 ]
  [ "$(kernel_release_of_rpm /x/kernel-6.1.150-174.273.amzn2023.x86_64.rpm)" = 6.1.150-174.273.amzn2023.x86_64 ]
  [ "$(kernel_release_of_rpm /x/kernel-6.1.160-1.x86_64.rpm)" = 6.1.160-1.x86_64 ]
  printf '#!/bin/sh\nexit 1\n' > "$BATS_TEST_TMPDIR/bin/rpm"
  [ "$(kernel_release_of_rpm /x/kernel-6.1.170-2.amzn2023.aarch64.rpm)" = 6.1.170-2.amzn2023.aarch64 ]
}

# --- example-kernel-reboot-test, example-reboot-test, basic-test, simulated ----------------------------------------

@test "example-kernel-reboot-test: install logged, exit 194, then the running kernel verifies (simulated)" {
  vm_workdir example-kernel-reboot-test
  touch "$WORK/shared/kernel-rpms/binary/x86_64/$TIP_RPM"
  stage 1 run-01-install-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"SIMULATED: rpm -ivh ../shared/kernel-rpms/binary/x86_64/$TIP_RPM"* ]]
  [[ "$output" == *"SIMULATED: grubby --set-default /boot/vmlinuz-6.1.150-174.273.amzn2023.x86_64"* ]]
  [ "$(cat expected-kernel.txt)" = "$(uname -r)" ]
  stage 2 run-02-verify-kernel.sh
  [ "$status" -eq 0 ]
  [[ "$output" == *"PASS: running the expected kernel $(uname -r)"* ]]
}

@test "example-kernel-reboot-test: stage 2 fails on another kernel or without stage 1" {
  vm_workdir example-kernel-reboot-test
  stage 2 run-02-verify-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"expected-kernel.txt is missing"* ]]
  echo 6.1.150-174.273.amzn2023.x86_64 > expected-kernel.txt
  stage 2 run-02-verify-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: running kernel $(uname -r), expected 6.1.150-174.273.amzn2023.x86_64"* ]]
}

@test "example-reboot-test: 194, 194, 0; equal boot ids are only logged under simulation" {
  vm_workdir example-reboot-test
  stage 1 run-01-first-boot.sh
  [ "$status" -eq 194 ]
  stage 2 run-02-second-boot.sh
  [ "$status" -eq 194 ]
  stage 3 run-03-check-boots.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"SIMULATED: reboots are simulated: 1 distinct boot id(s) for 3 stages"* ]]
  [ "$(cut -d' ' -f1 boot-ids.txt | tr '\n' ' ')" = "1 2 3 " ]
}

@test "example-reboot-test: three boots pass, a repeated boot id fails without simulation" {
  vm_workdir example-reboot-test
  export PULLAB_SIMULATE=0 BOOT_ID_FILE="$BATS_TEST_TMPDIR/boot_id"
  local n
  for n in 1 2; do
    echo "boot-$n" > "$BOOT_ID_FILE"
    stage "$n" "run-0$n-$([ "$n" = 1 ] && echo first || echo second)-boot.sh"
    [ "$status" -eq 194 ]
  done
  echo boot-3 > "$BOOT_ID_FILE"
  stage 3 run-03-check-boots.sh
  [ "$status" -eq 0 ]
  [[ "$output" == *"PASS: the three stages ran in three different boots"* ]]

  echo boot-2 > "$BOOT_ID_FILE"
  stage 3 run-03-check-boots.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: 2 distinct boot id(s) for 3 stages"* ]]
  sed -i '/^1 /d' boot-ids.txt
  stage 3 run-03-check-boots.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: no boot recorded for stage 1"* ]]
}

@test "basic-test: records the machine and succeeds" {
  vm_workdir basic-test
  stage 1 run.sh
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qx "kernel: $(uname -r)" system-info.txt
  grep -qx "instance_id: i-0123456789abcdef0" system-info.txt
  grep -q '^mem_total_kb: [0-9][0-9]*$' system-info.txt
  grep -q '^disk_available_kb: [0-9][0-9]*$' system-info.txt
  run ! grep -q ': $' system-info.txt
}

# --- simple-unixbench and the UnixBench runner ---------------------------------------------------------------------

@test "simple-unixbench: report kept and printed with its metrics (simulated)" {
  vm_workdir simple-unixbench
  stage 1 run.sh
  echo "$output"
  [ "$status" -eq 0 ]
  cmp unixbench-report.txt "$VMT_DIR/lib/unixbench-sample-report.txt"
  [[ "$output" == *"System Benchmarks Index Score"* ]]
  [[ "$output" == *"Process_Creation_2_copies,lps,15716.3,true,$(uname -r),i-0123456789abcdef0,m5.large,x86_64"* ]]
  [[ "$output" == *"PASS: 24 UnixBench metrics"* ]]
  assert_benchmark_csv unixbench-metrics.csv 24
  [ -z "$(find . -name 'benchmark-*.csv')" ]
}

@test "unixbench.conf: defaults, the environment wins, unknown keys and bad values fail" {
  ub_lib
  cd "$BATS_TEST_TMPDIR"
  printf '# c\nUNIXBENCH_ITERATIONS=5\nUNIXBENCH_COPIES="1 4 1"\n\nUNIXBENCH_TIME_BUDGET_S=100\n' > ub.conf
  export UNIXBENCH_TIME_BUDGET_S=999
  unixbench_load_config ub.conf
  [ "$UNIXBENCH_ITERATIONS" = 5 ]
  [ "$UNIXBENCH_TIME_BUDGET_S" = 999 ]
  [ "$UNIXBENCH_REF" = v6.0.0 ]
  [ "$(unixbench_copy_counts | tr '\n' ' ')" = "1 4 " ]

  unset UNIXBENCH_TIME_BUDGET_S
  run bash -c "source '$VMT_DIR/unixbench-kernel-regression/common_lib.sh'; unixbench_load_config '$VMT_DIR/unixbench-kernel-regression/unixbench.conf' && echo \"\$UNIXBENCH_ITERATIONS|\$UNIXBENCH_COPIES|\$UNIXBENCH_TIME_BUDGET_S|\$UNIXBENCH_REF\""
  [ "$status" -eq 0 ]
  [ "$output" = "3|1 nproc|2700|v6.0.0" ]

  printf 'UNIXBENCH_ITERATON=5\n' > bad.conf
  run bash -c "source '$VMT_DIR/unixbench-kernel-regression/common_lib.sh'; unixbench_load_config bad.conf"
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown setting UNIXBENCH_ITERATON"* ]]
  printf 'UNIXBENCH_COPIES="1 many"\n' > bad.conf
  run bash -c "source '$VMT_DIR/unixbench-kernel-regression/common_lib.sh'; unixbench_load_config bad.conf"
  [ "$status" -eq 2 ]
  [[ "$output" == *"'many' is not a positive number or nproc"* ]]
}

# fake_unixbench: a built UnixBench in $BATS_TEST_TMPDIR/ub whose Run records its arguments, sleeps FAKE_SLEEP
# seconds and writes the fixture as its report in UB_RESULTDIR, as byte-unixbench does.
fake_unixbench() {
  export UNIXBENCH_SRC_DIR="$BATS_TEST_TMPDIR/ub" FAKE_FIXTURE="$FIXTURE" FAKE_ARGS="$BATS_TEST_TMPDIR/run-args"
  mkdir -p "$UNIXBENCH_SRC_DIR/UnixBench"
  echo v6.0.0 > "$UNIXBENCH_SRC_DIR/.pullab-built"
  cat > "$UNIXBENCH_SRC_DIR/UnixBench/Run" <<'EOF'
#!/usr/bin/env bash
echo "$*" > "$FAKE_ARGS"
echo "fake Run in $PWD"
sleep "${FAKE_SLEEP:-0}"
cp "$FAKE_FIXTURE" "$UB_RESULTDIR/${UB_OUTPUT_FILE_NAME:-host-2025-11-24-01}"
echo "log" > "$UB_RESULTDIR/${UB_OUTPUT_FILE_NAME:-host-2025-11-24-01}.log"
EOF
  chmod +x "$UNIXBENCH_SRC_DIR/UnixBench/Run"
}

@test "unixbench_run: runs Run with the configured copies and iterations and keeps its report" {
  ub_lib
  fake_unixbench
  cd "$BATS_TEST_TMPDIR"
  export PULLAB_SIMULATE=0 UNIXBENCH_COPIES="1 2 2" UNIXBENCH_ITERATIONS=3
  unixbench_load_config none.conf
  run unixbench_build
  [ "$status" -eq 0 ]
  [[ "$output" == *"is built already"* ]]
  mkdir -p out
  run unixbench_run out/report.txt
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat run-args)" = "-c 1 -c 2 -i 3" ]
  cmp out/report.txt "$FIXTURE"
  [ -f out/report.console.log ]
  grep -q "fake Run in $UNIXBENCH_SRC_DIR/UnixBench" out/report.console.log
}

@test "unixbench_run: an estimate over the budget fails before running; a run over it is killed" {
  ub_lib
  fake_unixbench
  cd "$BATS_TEST_TMPDIR"
  export PULLAB_SIMULATE=0 UNIXBENCH_COPIES="1 2" UNIXBENCH_ITERATIONS="" UNIXBENCH_TIME_BUDGET_S=3000
  unixbench_load_config none.conf
  [ "$(unixbench_estimate_s)" -gt 3000 ]
  run unixbench_run report.txt
  [ "$status" -eq 1 ]
  [[ "$output" == *"UnixBench would take about"*"over UNIXBENCH_TIME_BUDGET_S=3000"* ]]
  [ ! -e run-args ]

  export UNIXBENCH_TESTS=dhry2reg UNIXBENCH_TIME_BUDGET_S=1 FAKE_SLEEP=5
  unixbench_load_config none.conf
  run unixbench_run report.txt
  [ "$status" -eq 1 ]
  [[ "$output" == *"UnixBench ran out of its time budget of 1 s"* ]]
  [ ! -e report.txt ]
}
