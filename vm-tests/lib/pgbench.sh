#!/usr/bin/env bash
# PostgreSQL pgbench helpers for stage scripts: a throwaway PostgreSQL server on this VM, pgbench's read-only and
# read-write runs against it (server and client pinned to separate halves of the CPUs), and their results as
# benchmark CSV rows (the contract of lib/unixbench.sh's CSVs, see BENCHMARK_CSV_HEADER). pgbench-kernel-regression
# uses it. Under PULLAB_SIMULATE=1 no server is started and nothing runs: the canned outputs
# lib/pgbench-sample-{readonly,readwrite}[-tip].txt stand in for pgbench's.
#
# Settings (test parameters, see test_param; validated by pgbench_load_config):
#   PGBENCH_DURATION        seconds of each of the two runs (pgbench -T), default 240
#   PGBENCH_SCALING_FACTOR  database size (pgbench -i -s), default 100 (about 1.5 GB)
#   PGBENCH_PORT            the server's TCP port on localhost, default 5432

# shellcheck source=test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"

PGBENCH_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PGBENCH_MODES=(readonly readwrite)
PGBENCH_DATABASE=pgbench

# pgbench_load_config: PGBENCH_DURATION, PGBENCH_SCALING_FACTOR and PGBENCH_PORT from the test parameters, else their
# defaults; fails naming a value that is not a whole number in range.
pgbench_load_config() {
  PGBENCH_DURATION="$(test_param PGBENCH_DURATION)"
  PGBENCH_SCALING_FACTOR="$(test_param PGBENCH_SCALING_FACTOR)"
  PGBENCH_PORT="$(test_param PGBENCH_PORT)"
  : "${PGBENCH_DURATION:=240}" "${PGBENCH_SCALING_FACTOR:=100}" "${PGBENCH_PORT:=5432}"
  if ! [[ "$PGBENCH_DURATION" =~ ^[1-9][0-9]{0,4}$ ]]; then
    echo "pgbench_load_config: PGBENCH_DURATION='$PGBENCH_DURATION' is not a number of seconds (1-99999)" >&2
    return 2
  fi
  if ! [[ "$PGBENCH_SCALING_FACTOR" =~ ^[1-9][0-9]{0,4}$ ]]; then
    echo "pgbench_load_config: PGBENCH_SCALING_FACTOR='$PGBENCH_SCALING_FACTOR' is not a whole number (1-99999)" >&2
    return 2
  fi
  if ! [[ "$PGBENCH_PORT" =~ ^[1-9][0-9]{0,4}$ ]] || [ "$PGBENCH_PORT" -gt 65535 ]; then
    echo "pgbench_load_config: PGBENCH_PORT='$PGBENCH_PORT' is not a TCP port" >&2
    return 2
  fi
}

# pgbench_cpu_split: two lines, the server's CPUs and the client's (taskset lists: the first and the second half of
# the CPUs). Fails on fewer than 4 CPUs: the halves would be too small to measure anything but contention.
pgbench_cpu_split() {
  local cpus half
  cpus="$(nproc)"
  if [ "$cpus" -lt 4 ]; then
    echo "pgbench_cpu_split: pgbench needs at least 4 CPUs (server and client on separate halves), this VM has $cpus:" \
      "use a larger instance type" >&2
    return 1
  fi
  half=$((cpus / 2))
  printf '0-%s\n%s-%s\n' "$((half - 1))" "$half" "$((cpus - 1))"
}

# pgbench_start_server DATA_DIR SERVER_CPUS: a new database cluster in DATA_DIR (removed first), tuned for a
# benchmark (no fsync: the kernel's scheduler, memory and network paths are measured, not the disk), started on
# localhost:PGBENCH_PORT pinned to SERVER_CPUS, with the database pgbench initialised at PGBENCH_SCALING_FACTOR.
pgbench_start_server() {
  local data="$1" cpus="$2" mem_kb buffers_mb i
  rm -rf "$data"
  mkdir -p "$data"
  initdb -D "$data" --encoding=SQL_ASCII --locale=C >/dev/null
  mem_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
  buffers_mb=$((mem_kb / 1024 / 4))
  [ "$buffers_mb" -le 4096 ] || buffers_mb=4096
  [ "$buffers_mb" -ge 128 ] || buffers_mb=128
  cat >> "$data/postgresql.conf" <<CONF
listen_addresses = 'localhost'
port = $PGBENCH_PORT
max_connections = $(( $(nproc) * 4 + 100 ))
shared_buffers = ${buffers_mb}MB
work_mem = 64MB
maintenance_work_mem = 256MB
synchronous_commit = off
wal_level = minimal
max_wal_senders = 0
fsync = off
full_page_writes = off
unix_socket_directories = '$data'
max_parallel_workers_per_gather = 0
CONF
  printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' 'host all all ::1/128 trust' \
    > "$data/pg_hba.conf"
  log "starting PostgreSQL on localhost:$PGBENCH_PORT, CPUs $cpus (shared_buffers ${buffers_mb}MB)"
  taskset -c "$cpus" pg_ctl -D "$data" -l "$data/server.log" -w -t 60 start
  for i in $(seq 1 30); do
    pg_isready -q -h localhost -p "$PGBENCH_PORT" && break
    [ "$i" -lt 30 ] || { log "ERROR: PostgreSQL did not start:"; cat "$data/server.log"; return 1; }
    sleep 1
  done
  createdb -h localhost -p "$PGBENCH_PORT" "$PGBENCH_DATABASE"
  log "initialising the pgbench tables (scaling factor $PGBENCH_SCALING_FACTOR)"
  pgbench -h localhost -p "$PGBENCH_PORT" -i -q -s "$PGBENCH_SCALING_FACTOR" "$PGBENCH_DATABASE"
}

# pgbench_stop_server DATA_DIR: stops the server of DATA_DIR, if one runs.
pgbench_stop_server() {
  [ -f "$1/postmaster.pid" ] || return 0
  pg_ctl -D "$1" -m fast stop >/dev/null 2>&1 || true
}

# pgbench_run_suite OUT_DIR ROLE: pgbench read-only (-S) then read-write, PGBENCH_DURATION seconds each, into
# OUT_DIR/pgbench-readonly.txt and OUT_DIR/pgbench-readwrite.txt, with two clients and one thread per client CPU.
# Fails when a run fails. ROLE (base or tip) only picks the canned outputs under simulation.
pgbench_run_suite() {
  local out="$1" role="$2" split server_cpus client_cpus half mode canned data
  mkdir -p "$out"
  if simulated; then
    for mode in "${PGBENCH_MODES[@]}"; do
      canned="$PGBENCH_LIB_DIR/pgbench-sample-$mode.txt"
      [ ! -f "$PGBENCH_LIB_DIR/pgbench-sample-$mode-$role.txt" ] || canned="$PGBENCH_LIB_DIR/pgbench-sample-$mode-$role.txt"
      log "SIMULATED: pgbench $mode for ${PGBENCH_DURATION} s: using the canned output $canned"
      cp "$canned" "$out/pgbench-$mode.txt"
    done
    return 0
  fi
  split="$(pgbench_cpu_split)" || return 1
  server_cpus="$(sed -n 1p <<< "$split")"
  client_cpus="$(sed -n 2p <<< "$split")"
  half=$(( $(nproc) / 2 ))
  data="$PWD/pgdata"
  # shellcheck disable=SC2064 # the data directory is fixed now
  trap "pgbench_stop_server '$data'" EXIT
  pgbench_start_server "$data" "$server_cpus"
  for mode in "${PGBENCH_MODES[@]}"; do
    local flags=()
    [ "$mode" != readonly ] || flags=(-S)
    log "pgbench $mode: $((half * 2)) clients, $half threads, ${PGBENCH_DURATION} s, CPUs $client_cpus"
    if ! taskset -c "$client_cpus" pgbench -h localhost -p "$PGBENCH_PORT" --protocol=prepared -c "$((half * 2))" \
        -j "$half" -T "$PGBENCH_DURATION" -r "${flags[@]}" "$PGBENCH_DATABASE" > "$out/pgbench-$mode.txt" 2>&1; then
      log "ERROR: pgbench $mode failed:"
      cat "$out/pgbench-$mode.txt"
      return 1
    fi
    cat "$out/pgbench-$mode.txt"
  done
  pgbench_stop_server "$data"
  trap - EXIT
}

# pgbench_to_csv OUT_DIR KERNEL INSTANCE_ID INSTANCE_TYPE ARCH: the benchmark CSV of a suite's outputs on stdout,
# header first, with pullab_cloud's metric names: per mode (readonly, readwrite)
#   postgresql.<mode>.tps,TPS,<tps>,true,...          from "tps = 12345.6 (without initial connection time)"
#                                                     (pgbench >= 14; "(excluding connections establishing)" before)
#   postgresql.<mode>.latency_avg,ms,<ms>,false,...   from "latency average = 1.234 ms"
# Prints nothing and fails naming the file when an output misses either line: a CSV without them could not be
# compared with the other kernel's.
pgbench_to_csv() {
  if [ "$#" -ne 5 ]; then
    echo "usage: pgbench_to_csv OUT_DIR KERNEL INSTANCE_ID INSTANCE_TYPE ARCH" >&2
    return 2
  fi
  local out="$1" tail="$2,$3,$4,$5" mode file tps latency rows=()
  for mode in "${PGBENCH_MODES[@]}"; do
    file="$out/pgbench-$mode.txt"
    if [ ! -r "$file" ]; then
      echo "pgbench_to_csv: no pgbench output $file" >&2
      return 1
    fi
    tps="$(tr -d '\r' < "$file" | sed -nE 's/^tps = ([0-9]+(\.[0-9]+)?) \((without initial connection time|excluding connections establishing)\)$/\1/p' | head -n 1)"
    latency="$(tr -d '\r' < "$file" | sed -nE 's/^latency average = ([0-9]+(\.[0-9]+)?) ms$/\1/p' | head -n 1)"
    if [ -z "$tps" ] || [ -z "$latency" ]; then
      echo "pgbench_to_csv: $file has no 'tps = N (without initial connection time)' or 'latency average = N ms'" \
        "line: pgbench did not finish a run" >&2
      return 1
    fi
    rows+=("postgresql.$mode.tps,TPS,$tps,true,$tail" "postgresql.$mode.latency_avg,ms,$latency,false,$tail")
  done
  printf '%s\n' "$BENCHMARK_CSV_HEADER" "${rows[@]}"
}

# pgbench_write_csv OUT_DIR CSV: writes the benchmark CSV of OUT_DIR for this machine (kernel `uname -r`, instance id,
# type and arch from PULLAB_*, "unknown" where unset) to CSV; CSV is left untouched when an output has no result.
pgbench_write_csv() {
  local out="$1" csv="$2"
  pgbench_to_csv "$out" "$(uname -r)" "${PULLAB_INSTANCE_ID:-unknown}" "${PULLAB_INSTANCE_TYPE:-unknown}" \
    "${PULLAB_ARCH:-$(uname -m)}" > "$csv.tmp" || { rm -f "$csv.tmp"; return 1; }
  mv "$csv.tmp" "$csv"
  log "$csv: $(( $(wc -l < "$csv") - 1 )) metrics"
}
