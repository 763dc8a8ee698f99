#!/usr/bin/env bats
# pgbench-kernel-regression: pgbench's output -> benchmark CSV, the settings, and the three stages in simulation
# (PULLAB_SIMULATE=1: canned pgbench outputs, kernel installs logged, boots simulated by a fake `uname -r`), in a work
# directory laid out as on a VM.

bats_require_minimum_version 1.5.0

load regression_helpers

VMT_DIR="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
HEADER="metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch"

setup() {
  unset PULLAB_SHARED_DIR PULLAB_PARAMS_ENV BASE_KERNEL BASE_KERNEL_VERSION TIP_KERNEL_VERSION PGBENCH_DURATION \
    PGBENCH_SCALING_FACTOR PGBENCH_PORT
  export PULLAB_SIMULATE=1 PULLAB_INSTANCE_ID=i-0123456789abcdef0 PULLAB_INSTANCE_TYPE=c8i.4xlarge \
    PULLAB_ARCH=x86_64 PULLAB_REGION=us-west-2
  cd "$BATS_TEST_TMPDIR" || return 1
}

pg_lib() {
  # shellcheck source=../pgbench-kernel-regression/common_lib.sh
  source "$VMT_DIR/pgbench-kernel-regression/common_lib.sh"
}

# pgbench_output FILE TPS LATENCY [TPS_NOTE]: a pgbench run's output as pgbench 16 prints it (TPS_NOTE: the words in
# parentheses after the tps, pgbench 13 and older printed "excluding connections establishing").
pgbench_output() {
  cat > "$1" <<OUT
pgbench (16.8)
starting vacuum...end.
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 100
query mode: prepared
number of clients: 8
number of threads: 4
maximum number of tries: 1
duration: 240 s
number of transactions actually processed: 974705
number of failed transactions: 0 (0.000%)
latency average = $3 ms
initial connection time = 6.118 ms
tps = $2 (${4:-without initial connection time})
statement latencies in milliseconds and failures:
         0.052           0  BEGIN;
OUT
}

@test "pgbench_to_csv: pullab_cloud's four metrics, tps more is better, latency less, the machine's columns" {
  pg_lib
  mkdir out
  pgbench_output out/pgbench-readonly.txt 43683.012345 0.092
  pgbench_output out/pgbench-readwrite.txt 4061.272918 0.985

  run pgbench_to_csv out 6.1.141-1.x86_64 i-1 c8i.4xlarge x86_64

  [ "$status" -eq 0 ]
  [ "$output" = "$HEADER
postgresql.readonly.tps,TPS,43683.012345,true,6.1.141-1.x86_64,i-1,c8i.4xlarge,x86_64
postgresql.readonly.latency_avg,ms,0.092,false,6.1.141-1.x86_64,i-1,c8i.4xlarge,x86_64
postgresql.readwrite.tps,TPS,4061.272918,true,6.1.141-1.x86_64,i-1,c8i.4xlarge,x86_64
postgresql.readwrite.latency_avg,ms,0.985,false,6.1.141-1.x86_64,i-1,c8i.4xlarge,x86_64" ]
}

@test "pgbench_to_csv: older pgbench's 'excluding connections establishing' and CRLF line ends parse the same" {
  pg_lib
  mkdir out
  pgbench_output out/pgbench-readonly.txt 43683.0 0.092 "excluding connections establishing"
  pgbench_output out/pgbench-readwrite.txt 4061.2 0.985
  sed -i 's/$/\r/' out/pgbench-readwrite.txt

  run pgbench_to_csv out k i t a

  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "postgresql.readonly.tps,TPS,43683.0,true,k,i,t,a" ]
  [ "${lines[4]}" = "postgresql.readwrite.latency_avg,ms,0.985,false,k,i,t,a" ]
}

@test "pgbench_to_csv: an output without its tps or latency line, or missing, fails naming it and prints nothing" {
  pg_lib
  mkdir out
  pgbench_output out/pgbench-readonly.txt 43683.0 0.092
  printf 'pgbench: error: connection to server failed\n' > out/pgbench-readwrite.txt

  run --separate-stderr pgbench_to_csv out k i t a
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [[ "$stderr" == *"out/pgbench-readwrite.txt has no 'tps = N (without initial connection time)'"* ]]

  rm out/pgbench-readwrite.txt
  run --separate-stderr pgbench_to_csv out k i t a
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"no pgbench output out/pgbench-readwrite.txt"* ]]
}

@test "pgbench settings: defaults, test parameters and params.env, bad values named" {
  pg_lib
  pgbench_load_config
  [ "$PGBENCH_DURATION|$PGBENCH_SCALING_FACTOR|$PGBENCH_PORT" = "240|100|5432" ]
  printf 'PGBENCH_SCALING_FACTOR=10\n' > params.env
  unset PGBENCH_SCALING_FACTOR PGBENCH_PORT
  export PGBENCH_DURATION=60
  pgbench_load_config
  [ "$PGBENCH_DURATION|$PGBENCH_SCALING_FACTOR|$PGBENCH_PORT" = "60|10|5432" ]
  rm params.env
  run env PGBENCH_DURATION=4m bash -c "source '$VMT_DIR/pgbench-kernel-regression/common_lib.sh'; pgbench_load_config"
  [ "$status" -eq 2 ]
  [[ "$output" == *"PGBENCH_DURATION='4m' is not a number of seconds"* ]]
  run env PGBENCH_PORT=70000 bash -c "source '$VMT_DIR/pgbench-kernel-regression/common_lib.sh'; pgbench_load_config"
  [ "$status" -eq 2 ]
  [[ "$output" == *"PGBENCH_PORT='70000' is not a TCP port"* ]]
}

@test "pgbench_cpu_split: server on the first half of the CPUs, client on the second; fewer than 4 CPUs refused" {
  pg_lib
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\necho "$CPUS"\n' > "$BATS_TEST_TMPDIR/bin/nproc"
  chmod +x "$BATS_TEST_TMPDIR/bin/nproc"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH"
  [ "$(CPUS=16 pgbench_cpu_split | tr '\n' ' ')" = "0-7 8-15 " ]
  [ "$(CPUS=4 pgbench_cpu_split | tr '\n' ' ')" = "0-1 2-3 " ]
  CPUS=2 run pgbench_cpu_split
  [ "$status" -eq 1 ]
  [[ "$output" == *"pgbench needs at least 4 CPUs"*"this VM has 2"* ]]
}

@test "pgbench-kernel-regression: the test directory's contract, like the seed's tests" {
  local dir="$VMT_DIR/pgbench-kernel-regression"
  [ "$(cd "$dir" && ls run*.sh | sort -V | tr '\n' ' ')" = \
    "run-01-install-base-kernel.sh run-02-bench-base-install-tip.sh run-03-bench-tip.sh " ]
  [ -x "$dir/run-01-install-base-kernel.sh" ] && [ -x "$dir/run-02-bench-base-install-tip.sh" ] && [ -x "$dir/run-03-bench-tip.sh" ]
  [ -s "$dir/README.md" ] && [ -f "$dir/dependencies.txt" ]
  [ "$(readlink "$dir/lib")" = ../lib ]
  python3 -c 'import json, sys; assert json.load(open(sys.argv[1])) == {"kernel-rpms/src": False, "kernel-rpms/binary": True}' \
    "$dir/external_requirements.json"
}

@test "pgbench-kernel-regression: base the older RPM, tip the newer, each booted and measured; CSVs the analyzer compares" {
  vm_workdir pgbench-kernel-regression
  simulated_machine 6.1.128-ami.x86_64
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-1.x86_64.rpm" \
    "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.141-1.x86_64.rpm"

  stage 1 run-01-install-base-kernel.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"install -y postgresql16-server postgresql16-contrib postgresql16 util-linux grubby"* ]]
  [[ "$output" == *"SIMULATED: grubby --set-default /boot/vmlinuz-6.1.141-1.x86_64"* ]]
  simulated_reboot

  stage 2 run-02-bench-base-install-tip.sh
  echo "$output"
  [ "$status" -eq 194 ]
  [[ "$output" == *"running the base kernel 6.1.141-1.x86_64, as expected"* ]]
  [[ "$output" == *"SIMULATED: pgbench readonly for 240 s"* ]]
  [[ "$output" == *"SIMULATED: grubby --set-default /boot/vmlinuz-6.1.150-1.x86_64"* ]]
  simulated_reboot

  stage 3 run-03-bench-tip.sh
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"running the tip kernel 6.1.150-1.x86_64, as expected"* ]]

  [ "$(cat benchmark-base-1.csv)" = "$HEADER
postgresql.readonly.tps,TPS,43683.012345,true,6.1.141-1.x86_64,i-0123456789abcdef0,c8i.4xlarge,x86_64
postgresql.readonly.latency_avg,ms,0.092,false,6.1.141-1.x86_64,i-0123456789abcdef0,c8i.4xlarge,x86_64
postgresql.readwrite.tps,TPS,4061.272918,true,6.1.141-1.x86_64,i-0123456789abcdef0,c8i.4xlarge,x86_64
postgresql.readwrite.latency_avg,ms,0.985,false,6.1.141-1.x86_64,i-0123456789abcdef0,c8i.4xlarge,x86_64" ]
  # the same metrics, units and directions on the tip, whose canned read-write run is 12 % slower
  diff <(cut -d, -f1,2,4 benchmark-base-1.csv) <(cut -d, -f1,2,4 benchmark-tip-1.csv)
  [ "$(awk -F, 'NR > 1 { print $5 }' benchmark-tip-1.csv | sort -u)" = 6.1.150-1.x86_64 ]
  [ "$(grep '^postgresql.readwrite.tps,' benchmark-tip-1.csv | cut -d, -f3)" = 3573.920168 ]
}

@test "pgbench-kernel-regression: only one kernel RPM fails stage 1 clearly; BASE_KERNEL=ami accepts it" {
  vm_workdir pgbench-kernel-regression
  simulated_machine 6.1.128-ami.x86_64
  touch "$WORK/shared/kernel-rpms/binary/x86_64/kernel-6.1.150-1.x86_64.rpm"

  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 1 ]
  [[ "$output" == *"a base and a tip kernel RPM are needed"*"found only kernel-6.1.150-1.x86_64.rpm"* ]]
  [[ "$output" != *"SIMULATED: rpm"* ]]

  export BASE_KERNEL=ami
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  simulated_reboot
  stage 2 run-02-bench-base-install-tip.sh
  [ "$status" -eq 194 ]
  [[ "$output" == *"running the base kernel 6.1.128-ami.x86_64, as expected"* ]]
  [ "$(awk -F, 'NR == 2 { print $5 }' benchmark-base-1.csv)" = 6.1.128-ami.x86_64 ]
}

@test "pgbench-kernel-regression: a boot into another kernel than expected fails the stage before pgbench runs" {
  vm_workdir pgbench-kernel-regression
  simulated_machine 6.1.128-ami.x86_64
  walkthrough_rpms
  stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]

  PULLAB_SIMULATE=0 stage 2 run-02-bench-base-install-tip.sh

  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: running kernel 6.1.128-ami.x86_64, expected the base kernel 6.1.141-1.x86_64"* ]]
  [ ! -e benchmark-base-1.csv ]
  [ ! -d pgbench-base ]
}

@test "pgbench-kernel-regression: base and tip named by the test parameters" {
  vm_workdir pgbench-kernel-regression
  local rpm
  for rpm in kernel-6.1.99-1 kernel-6.1.141-1 kernel-6.1.150-1; do
    touch "$WORK/shared/kernel-rpms/binary/x86_64/$rpm.x86_64.rpm"
  done
  BASE_KERNEL_VERSION=6.1.99 TIP_KERNEL_VERSION=6.1.141 stage 1 run-01-install-base-kernel.sh
  [ "$status" -eq 194 ]
  [ "$(cat base-kernel-release.txt) $(cat tip-kernel-release.txt)" = "6.1.99-1.x86_64 6.1.141-1.x86_64" ]
}
