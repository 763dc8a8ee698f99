#!/usr/bin/env bash
# UnixBench helpers for stage scripts: configuration (unixbench.conf), building byte-unixbench from git, running it
# within a time budget, and turning its report into benchmark CSV rows. simple-unixbench links this file.
# Under PULLAB_SIMULATE=1 nothing is cloned, built or run: the canned report unixbench-sample-report.txt stands in.

# shellcheck source=test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"

UNIXBENCH_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
UNIXBENCH_CSV_HEADER="$BENCHMARK_CSV_HEADER"
UNIXBENCH_SAMPLE_REPORT="$UNIXBENCH_LIB_DIR/unixbench-sample-report.txt"
UNIXBENCH_CONFIG_KEYS=(UNIXBENCH_REPO UNIXBENCH_REF UNIXBENCH_ITERATIONS UNIXBENCH_COPIES UNIXBENCH_TESTS
  UNIXBENCH_TIME_BUDGET_S UNIXBENCH_SRC_DIR)

# unixbench_load_config [FILE]: sets the UNIXBENCH_* settings from FILE (default unixbench.conf: KEY=VALUE lines,
# '#' comments, values optionally quoted), then defaults for what is still unset. A variable already set in the
# environment wins over the file. Fails on unknown keys and invalid values.
unixbench_load_config() {
  local file="${1:-unixbench.conf}" line key value known k
  if [ -f "$file" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      line="${line%%#*}"
      line="${line#"${line%%[![:space:]]*}"}"
      line="${line%"${line##*[![:space:]]}"}"
      [ -n "$line" ] || continue
      if [[ ! "$line" =~ ^[A-Z_][A-Z0-9_]*= ]]; then
        echo "unixbench_load_config: $file: not KEY=VALUE: $line" >&2
        return 2
      fi
      key="${line%%=*}"
      value="${line#*=}"
      if [[ "$value" =~ ^\"(.*)\"$ ]] || [[ "$value" =~ ^\'(.*)\'$ ]]; then
        value="${BASH_REMATCH[1]}"
      fi
      known=0
      for k in "${UNIXBENCH_CONFIG_KEYS[@]}"; do [ "$k" != "$key" ] || known=1; done
      if [ "$known" = 0 ]; then
        echo "unixbench_load_config: $file: unknown setting $key (known: ${UNIXBENCH_CONFIG_KEYS[*]})" >&2
        return 2
      fi
      [[ -v "$key" ]] || printf -v "$key" '%s' "$value"
    done < "$file"
  fi
  : "${UNIXBENCH_REPO:=https://github.com/kdlucas/byte-unixbench.git}"
  : "${UNIXBENCH_REF:=v6.0.0}"
  : "${UNIXBENCH_ITERATIONS=3}"
  : "${UNIXBENCH_COPIES:=1 nproc}"
  : "${UNIXBENCH_TESTS=}"
  : "${UNIXBENCH_TIME_BUDGET_S:=2700}"
  : "${UNIXBENCH_SRC_DIR:=byte-unixbench}"
  if [ -n "$UNIXBENCH_ITERATIONS" ] && ! [[ "$UNIXBENCH_ITERATIONS" =~ ^[1-9][0-9]*$ ]]; then
    echo "unixbench_load_config: UNIXBENCH_ITERATIONS='$UNIXBENCH_ITERATIONS' is not empty or a positive number" >&2
    return 2
  fi
  if ! [[ "$UNIXBENCH_TIME_BUDGET_S" =~ ^[1-9][0-9]*$ ]]; then
    echo "unixbench_load_config: UNIXBENCH_TIME_BUDGET_S='$UNIXBENCH_TIME_BUDGET_S' is not a positive number" >&2
    return 2
  fi
  if ! [[ "$UNIXBENCH_TESTS" =~ ^[A-Za-z0-9_\ -]*$ ]]; then
    echo "unixbench_load_config: UNIXBENCH_TESTS='$UNIXBENCH_TESTS' is not a list of UnixBench test names" >&2
    return 2
  fi
  unixbench_copy_counts > /dev/null
}

# unixbench_copy_counts: the copy counts of UNIXBENCH_COPIES ("nproc" = the number of CPUs), one a line, first
# occurrence kept: "1 nproc" on a 1-CPU machine is just 1.
unixbench_copy_counts() {
  local word count seen=" "
  for word in $UNIXBENCH_COPIES; do
    case "$word" in
      nproc) count="$(nproc)" ;;
      *) count="$word" ;;
    esac
    if ! [[ "$count" =~ ^[1-9][0-9]*$ ]]; then
      echo "unixbench_copy_counts: UNIXBENCH_COPIES='$UNIXBENCH_COPIES': '$word' is not a positive number or nproc" >&2
      return 2
    fi
    case "$seen" in *" $count "*) continue ;; esac
    seen+="$count "
    echo "$count"
  done
  if [ "$seen" = " " ]; then
    echo "unixbench_copy_counts: UNIXBENCH_COPIES is empty" >&2
    return 2
  fi
}

# unixbench_estimate_s: an upper estimate in seconds of one run of the index suite with the configured iterations
# and copy counts. Per copy count: 5 "long" tests of 10 s run I times (default 10), 7 "short" tests of 270 s in all
# run S = int((I+1)/3) times (at least 1), 3 s of sync/sleep before each pass; plus 10 % and a minute of start-up.
unixbench_estimate_s() {
  local iterations="${UNIXBENCH_ITERATIONS:-10}" short per_copy runs
  short=$(( (iterations + 1) / 3 ))
  [ "$short" -ge 1 ] || short=1
  per_copy=$(( 65 * iterations + 291 * short ))
  runs="$(unixbench_copy_counts | wc -l)"
  echo $(( runs * per_copy * 11 / 10 + 60 ))
}

# unixbench_build: clones UNIXBENCH_REPO at UNIXBENCH_REF into UNIXBENCH_SRC_DIR and builds it (kept across stages
# and reboots: a later stage finds it built). Under simulation only logs.
unixbench_build() {
  local dir="$UNIXBENCH_SRC_DIR" attempt
  if simulated; then
    log "SIMULATED: git clone $UNIXBENCH_REPO $dir && git checkout $UNIXBENCH_REF && make -C $dir/UnixBench"
    return 0
  fi
  if [ -x "$dir/UnixBench/Run" ] && [ "$(cat "$dir/.pullab-built" 2>/dev/null)" = "$UNIXBENCH_REF" ]; then
    log "UnixBench $UNIXBENCH_REF is built already in $dir"
    return 0
  fi
  rm -rf "$dir"
  for attempt in 1 2 3; do
    if git clone --quiet "$UNIXBENCH_REPO" "$dir"; then
      break
    fi
    rm -rf "$dir"
    [ "$attempt" -lt 3 ] || { log "ERROR: cannot clone $UNIXBENCH_REPO"; return 1; }
    sleep $(( attempt * 10 ))
  done
  git -C "$dir" -c advice.detachedHead=false checkout --quiet "$UNIXBENCH_REF"
  log "UnixBench $UNIXBENCH_REF is commit $(git -C "$dir" rev-parse HEAD)"
  make -C "$dir/UnixBench"
  printf '%s\n' "$UNIXBENCH_REF" > "$dir/.pullab-built"
}

# unixbench_simulate_spread REPORT: under simulation, with S = PULLAB_SIMULATE_SPREAD_PCT (default 1.5; 0: the report
# stays the canned one), scales every result value of REPORT as real VMs differ: one offset per VM (uniform in +-S %,
# the same for the base and the tip run) and per-run noise (uniform in +-S/2 %, by the VM and the report's name). Both
# are seeded by the VM's PULLAB_SIMULATE_SEED (pullab local-run: <test>#<index in the run>, the same in every run of
# the same plan, so a rerun gives the same numbers), else by PULLAB_INSTANCE_ID. So the VMs of a simulated run
# disagree a little and each kernel's runs have a spread.
unixbench_simulate_spread() {
  local report="$1" spread="${PULLAB_SIMULATE_SPREAD_PCT:-1.5}" vm vm_seed run_seed
  simulated || return 0
  [[ "$spread" =~ ^[0-9]{1,2}(\.[0-9]{1,3})?$ ]] || { log "ERROR: PULLAB_SIMULATE_SPREAD_PCT='$spread': use a percentage 0..99"; return 1; }
  [ "$(awk -v s="$spread" 'BEGIN { print (s > 0) }')" = 1 ] || return 0
  vm="${PULLAB_SIMULATE_SEED:-${PULLAB_INSTANCE_ID:-unknown}}"
  vm_seed="$(printf '%s' "$vm" | cksum | cut -d' ' -f1)"
  run_seed="$(printf '%s/%s' "$vm" "$(basename "$report")" | cksum | cut -d' ' -f1)"
  awk -v s="$spread" -v vm="$vm_seed" -v run="$run_seed" '
    BEGIN { srand(vm % 2147483647); offset = (2 * rand() - 1) * s / 100; srand(run % 2147483647) }
    match($0, /[0-9]+(\.[0-9]+)?[ \t]+[A-Za-z]+[ \t]*\([0-9.]+ s, [0-9]+ samples?\)[ \t]*\r?$/) {
      head = substr($0, 1, RSTART - 1); rest = substr($0, RSTART)
      value = rest; sub(/[ \t].*/, "", value); sub(/^[0-9]+(\.[0-9]+)?/, "", rest)
      noise = (2 * rand() - 1) * s / 200
      printf "%s%.1f%s\n", head, value * (1 + offset) * (1 + noise), rest
      next
    }
    { print }' "$report" > "$report.tmp" && mv "$report.tmp" "$report"
  log "SIMULATED: spread of +-$spread % per VM and +-$(awk -v s="$spread" 'BEGIN { print s / 2 }') % per run applied to $report"
}

# unixbench_run REPORT: runs the UnixBench index suite (or UNIXBENCH_TESTS) once per copy count, within
# UNIXBENCH_TIME_BUDGET_S seconds, and writes its text report to REPORT (Run's console output goes to the stage log
# and to REPORT.console.log). Fails before starting when the estimate exceeds the budget, and when Run fails or
# runs out of time. Under simulation REPORT is a copy of the canned report.
unixbench_run() {
  local report="$1" results_dir console status=0 estimate found
  local -a args=() tests=()
  local count
  for count in $(unixbench_copy_counts); do args+=(-c "$count"); done
  [ -z "$UNIXBENCH_ITERATIONS" ] || args+=(-i "$UNIXBENCH_ITERATIONS")
  read -r -a tests <<< "$UNIXBENCH_TESTS"
  if simulated; then
    # the tip run's canned report has Process Creation 25 % lower, so a simulated run shows a regression end to end
    local canned="$UNIXBENCH_SAMPLE_REPORT"
    case "$(basename "$report")" in
      *tip*) [ ! -f "${UNIXBENCH_SAMPLE_REPORT%.txt}-tip.txt" ] || canned="${UNIXBENCH_SAMPLE_REPORT%.txt}-tip.txt" ;;
    esac
    log "SIMULATED: ./Run ${args[*]} ${tests[*]}: using the canned report $canned"
    cp "$canned" "$report"
    unixbench_simulate_spread "$report"
    return 0
  fi
  if [ "${#tests[@]}" -eq 0 ]; then
    estimate="$(unixbench_estimate_s)"
    log "UnixBench estimate: ${estimate} s, budget ${UNIXBENCH_TIME_BUDGET_S} s (./Run ${args[*]})"
    if [ "$estimate" -gt "$UNIXBENCH_TIME_BUDGET_S" ]; then
      log "ERROR: UnixBench would take about $estimate s, over UNIXBENCH_TIME_BUDGET_S=$UNIXBENCH_TIME_BUDGET_S:" \
        "lower UNIXBENCH_ITERATIONS or UNIXBENCH_COPIES, or raise the budget (and the stage timeout) in unixbench.conf"
      return 1
    fi
  fi
  results_dir="${report%.txt}.results"
  [[ "$results_dir" == /* ]] || results_dir="$PWD/$results_dir"
  console="${report%.txt}.console.log"
  rm -rf "$results_dir"
  mkdir -p "$results_dir"
  # Run's exit status goes through a file: it must not depend on the caller's pipefail.
  {
    status=0
    (
      cd "$UNIXBENCH_SRC_DIR/UnixBench"
      UB_RESULTDIR="$results_dir" UB_OUTPUT_FILE_NAME=report \
        timeout --kill-after=60 "$UNIXBENCH_TIME_BUDGET_S" ./Run "${args[@]}" "${tests[@]}"
    ) 2>&1 || status=$?
    echo "$status" > "$results_dir.status"
  } | tee "$console"
  status="$(cat "$results_dir.status")"
  rm -f "$results_dir.status"
  if [ "$status" = 124 ]; then
    log "ERROR: UnixBench ran out of its time budget of $UNIXBENCH_TIME_BUDGET_S s (UNIXBENCH_TIME_BUDGET_S)"
    return 1
  elif [ "$status" = 137 ]; then
    log "ERROR: UnixBench was killed (SIGKILL): over its time budget of $UNIXBENCH_TIME_BUDGET_S s, or out of memory"
    return 1
  elif [ "$status" != 0 ]; then
    log "ERROR: UnixBench Run failed with exit status $status"
    return 1
  fi
  found="$(find "$results_dir" -maxdepth 1 -type f ! -name '*.log' ! -name '*.html' ! -name '*.csv' | sort | tail -n 1)"
  if [ -n "$found" ]; then
    cp "$found" "$report"
  else
    log "no report file in $results_dir: taking the report from Run's console output"
    sed -n '/BYTE UNIX Benchmarks (Version/,$p' "$console" > "$report"
  fi
  log "UnixBench report: $report"
}

# unixbench_to_csv REPORT KERNEL INSTANCE_ID INSTANCE_TYPE ARCH: the benchmark CSV of a UnixBench report on stdout,
# header first. One row per result line ("Dhrystone 2 using register variables   49052621.3 lps   (10.0 s, 7
# samples)") of every "Benchmark Run" section; the "Index Values" tables are not read. The metric is the test name
# with every run of non-alphanumerics turned into one '_', trimmed at both ends (Shell Scripts (1 concurrent) ->
# Shell_Scripts_1_concurrent), plus _<N>_copies in a section that ran N > 1 parallel copies. Unit as in the report
# (lps, MWIPS, KBps, lpm); more_is_better true (all are throughputs). Prints nothing and fails when the report has no
# result line, or names one metric twice.
unixbench_to_csv() {
  if [ "$#" -ne 5 ]; then
    echo "usage: unixbench_to_csv REPORT KERNEL INSTANCE_ID INSTANCE_TYPE ARCH" >&2
    return 2
  fi
  local report="$1"
  if [ ! -f "$report" ] || [ ! -r "$report" ]; then
    echo "unixbench_to_csv: cannot read UnixBench report '$report'" >&2
    return 1
  fi
  if [ -z "$2" ]; then
    echo "unixbench_to_csv: the kernel version is empty" >&2
    return 2
  fi
  UB_REPORT="$report" UB_HEADER="$UNIXBENCH_CSV_HEADER" UB_KERNEL="$2" UB_INSTANCE_ID="$3" UB_INSTANCE_TYPE="$4" \
    UB_ARCH="$5" awk '
    function csv(s) {
      if (s ~ /[",\r\n]/) { gsub(/"/, "\"\"", s); s = "\"" s "\"" }
      return s
    }
    BEGIN {
      copies = 0; rows = 0; error = ""
      tail = "," csv(ENVIRON["UB_KERNEL"]) "," csv(ENVIRON["UB_INSTANCE_ID"]) "," csv(ENVIRON["UB_INSTANCE_TYPE"]) \
        "," csv(ENVIRON["UB_ARCH"])
    }
    { sub(/\r$/, "") }
    /^Benchmark Run:/ { copies = 1; next }
    copies && /running [0-9]+ parallel cop(y|ies) of tests/ {
      n = $0; sub(/.*running /, "", n); sub(/ parallel.*/, "", n); copies = n + 0; next
    }
    / (Index Values|Partial Index) +BASELINE +RESULT +INDEX/ { copies = 0; next }
    copies && /\([0-9.]+ s, [0-9]+ samples?\)[ \t]*$/ {
      line = $0
      sub(/[ \t]*\([0-9.]+ s, [0-9]+ samples?\)[ \t]*$/, "", line)
      nf = split(line, f, /[ \t]+/)
      if (nf < 3) next
      unit = f[nf]; value = f[nf - 1]
      if (value !~ /^-?[0-9]+(\.[0-9]+)?$/ || unit !~ /^[A-Za-z]+$/) next
      name = line
      sub(/[ \t]+[^ \t]+[ \t]+[^ \t]+$/, "", name)
      metric = name
      gsub(/[^A-Za-z0-9]+/, "_", metric)
      gsub(/^_+|_+$/, "", metric)
      if (metric == "") next
      if (copies > 1) metric = metric "_" copies "_copies"
      if (metric in seen) {
        if (error == "") error = "metric " metric " appears twice (two sections with the same number of copies?)"
        next
      }
      seen[metric] = 1
      out[++rows] = csv(metric) "," unit "," value ",true" tail
    }
    END {
      report = ENVIRON["UB_REPORT"]
      if (error != "") { print "unixbench_to_csv: " report ": " error > "/dev/stderr"; exit 1 }
      if (rows == 0) {
        print "unixbench_to_csv: " report ": no UnixBench result lines (\"<test>  <value> <unit> (<t> s, <n> samples)\" in a \"Benchmark Run\" section)" > "/dev/stderr"
        exit 1
      }
      print ENVIRON["UB_HEADER"]
      for (i = 1; i <= rows; i++) print out[i]
    }' "$report"
}

# unixbench_write_csv REPORT CSV: writes the benchmark CSV of REPORT for this machine (kernel `uname -r`, or
# PULLAB_MEASURED_KERNEL, which a simulated run sets to the kernel it stands for (expect_booted_kernel), instance
# id, type and arch from PULLAB_*, "unknown" where unset) to CSV; CSV is left untouched when the report has no result.
unixbench_write_csv() {
  local report="$1" csv="$2" rows
  unixbench_to_csv "$report" "${PULLAB_MEASURED_KERNEL:-$(uname -r)}" "${PULLAB_INSTANCE_ID:-unknown}" "${PULLAB_INSTANCE_TYPE:-unknown}" \
    "${PULLAB_ARCH:-$(uname -m)}" > "$csv.tmp" || { rm -f "$csv.tmp"; return 1; }
  mv "$csv.tmp" "$csv"
  rows=$(( $(wc -l < "$csv") - 1 ))
  log "$csv: $rows metrics"
}

# ---- pullab_cloud's UnixBench metric names: the one place they are mapped to ours -----------------------------------
#
# pullab_cloud's unixbench-kernel-regression named a metric byte-unixbench-<version>.<test name, words joined by _>
# (byte-unixbench-6.0.0.Shell_Scripts_(1_concurrent)), ran one copy count, nproc, without saying so in the name, and
# wrote more_is_better false for System_Call_Overhead (UnixBench reports it in lps, a throughput). Ours (above,
# unixbench_to_csv) are the test name with every run of characters other than A-Za-z0-9 turned into one _, plus
# _<N>_copies for a section of N > 1 copies. So on a VM with N vCPUs:
#
#   byte-unixbench-6.0.0.Dhrystone_2_using_register_variables  ->  Dhrystone_2_using_register_variables_<N>_copies
#   byte-unixbench-6.0.0.Shell_Scripts_(1_concurrent)           ->  Shell_Scripts_1_concurrent_<N>_copies
#
# (no suffix when N is 1), and more_is_better true. unixbench_rename_pullab_cloud_csv applies this to a benchmark CSV
# that pullab_cloud wrote, so that its reports and ours compare metric by metric (pullab_cloud measured UnixBench's
# "speed fs" groups: to measure the same tests here set UNIXBENCH_TESTS="speed fs" and UNIXBENCH_COPIES=nproc).

# unixbench_metric_from_pullab_cloud METRIC CPUS: our name of pullab_cloud's METRIC measured with CPUS copies; METRIC
# unchanged when it is not a byte-unixbench-<version>. name.
unixbench_metric_from_pullab_cloud() {
  local metric="$1" cpus="$2"
  if ! [[ "$cpus" =~ ^[1-9][0-9]{0,3}$ ]]; then
    echo "unixbench_metric_from_pullab_cloud: CPUS='$cpus' is not a positive number (the VM's vCPUs)" >&2
    return 2
  fi
  if [[ "$metric" =~ ^byte-unixbench-[0-9][0-9.]*[0-9]\.(.+)$ ]]; then
    metric="${BASH_REMATCH[1]}"
    metric="$(printf '%s' "$metric" | sed -E 's/[^A-Za-z0-9]+/_/g; s/^_+//; s/_+$//')"
    [ "$cpus" = 1 ] || metric="${metric}_${cpus}_copies"
  fi
  printf '%s\n' "$metric"
}

# unixbench_rename_pullab_cloud_csv CSV CPUS: CSV (a benchmark CSV pullab_cloud wrote on a VM with CPUS vCPUs) on stdout
# with our metric names and more_is_better true for its UnixBench rows; other rows and columns unchanged. Fails on a
# file that is not a benchmark CSV (its header).
unixbench_rename_pullab_cloud_csv() {
  local csv="$1" cpus="$2" header line metric rest
  unixbench_metric_from_pullab_cloud x "$cpus" >/dev/null || return 2
  if [ ! -r "$csv" ]; then
    echo "unixbench_rename_pullab_cloud_csv: cannot read '$csv'" >&2
    return 1
  fi
  header="$(head -n 1 "$csv" | tr -d '\r')"
  if [ "$header" != "$UNIXBENCH_CSV_HEADER" ]; then
    echo "unixbench_rename_pullab_cloud_csv: $csv: header '$header' is not '$UNIXBENCH_CSV_HEADER'" >&2
    return 1
  fi
  printf '%s\n' "$header"
  tail -n +2 "$csv" | tr -d '\r' | while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    metric="${line%%,*}"
    rest="${line#*,}"
    if [[ "$metric" == byte-unixbench-* ]]; then
      # unit,value,more_is_better,...: more_is_better is the third field of rest
      rest="$(printf '%s' "$rest" | awk -F, -v OFS=, '{ $3 = "true"; print }')"
    fi
    printf '%s,%s\n' "$(unixbench_metric_from_pullab_cloud "$metric" "$cpus")" "$rest"
  done
}
