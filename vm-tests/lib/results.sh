#!/usr/bin/env bash
# Helpers for tests that report per-test results to KernelCI (results.json, see vm-tests/README.md).
# Source it from a stage script; results accumulate in .pullab-results.tsv across stages and boots.
#
#   result_add boot pass 5120            # path, status, optional duration in ms
#   result_add ltp.abort01 fail 40
#   result_add perf.latency pass 100 1.5 ms   # optional measurement value and unit
#   result_write                          # renders results.json from everything added so far
#   result_tally fail                     # how many paths have that status (last result wins)

PULLAB_RESULTS_TSV="${PULLAB_RESULTS_TSV:-.pullab-results.tsv}"
# fields are separated by the ASCII unit separator: unlike a tab it is not IFS whitespace, so empty fields survive
PULLAB_RESULTS_SEP=$'\x1f'

# result_path TEXT: a KCIDB-style path, each dot-separated component reduced to [A-Za-z0-9_-].
result_path() {
  local IFS=. part out=()
  read -r -a parts <<< "$1"
  for part in "${parts[@]}"; do
    [ -n "$part" ] || continue
    out+=("$(printf '%s' "$part" | tr -c 'A-Za-z0-9_-' '_')")
  done
  (IFS=.; printf '%s' "${out[*]}")
}

# result_add PATH STATUS [DURATION_MS] [VALUE UNIT]
result_add() {
  local path status="$2" duration="${3:-}" value="${4:-}" unit="${5:-}"
  path="$(result_path "$1")"
  case "$status" in
    pass|fail|skip|error) ;;
    *) echo "result_add: status '$status' of $path is not pass, fail, skip or error" >&2; return 2 ;;
  esac
  if [ -n "$duration" ] && ! [[ "$duration" =~ ^[0-9]+$ ]]; then
    echo "result_add: duration '$duration' of $path is not a whole number of milliseconds" >&2; return 2
  fi
  if [ -n "$value" ] && ! [[ "$value" =~ ^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
    echo "result_add: measurement '$value' of $path is not a number" >&2; return 2
  fi
  printf "%s${PULLAB_RESULTS_SEP}%s${PULLAB_RESULTS_SEP}%s${PULLAB_RESULTS_SEP}%s${PULLAB_RESULTS_SEP}%s\n" \
    "$path" "$status" "$duration" "$value" "$unit" >> "$PULLAB_RESULTS_TSV"
}

# result_write [FILE]: results.json (the last result added for a path wins).
result_write() {
  local file="${1:-results.json}" first=1 path status duration value unit entry
  local -A seen=()
  local -a order=()
  local -A line=()
  if [ -f "$PULLAB_RESULTS_TSV" ]; then
    while IFS="$PULLAB_RESULTS_SEP" read -r path status duration value unit; do
      [ -n "$path" ] || continue
      [ -n "${seen[$path]:-}" ] || order+=("$path")
      seen[$path]=1
      entry="\"status\": \"$status\""
      [ -z "$duration" ] || entry+=", \"duration_ms\": $duration"
      [ -z "$value" ] || entry+=", \"measurement\": {\"value\": $value$([ -z "$unit" ] || printf ', "unit": "%s"' "$(json_escape "$unit")")}"
      line[$path]="$entry"
    done < "$PULLAB_RESULTS_TSV"
  fi
  {
    printf '{'
    for path in "${order[@]}"; do
      [ "$first" = 1 ] || printf ','
      first=0
      printf '\n  "%s": {%s}' "$path" "${line[$path]}"
    done
    printf '\n}\n'
  } > "$file"
}

# json_escape TEXT: TEXT as the inside of a JSON string.
json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '%s' "$s"
}

# result_tally STATUS: how many paths have STATUS as their last result so far.
result_tally() {
  local want="$1" path status rest n=0
  local -A last=()
  if [ -f "$PULLAB_RESULTS_TSV" ]; then
    while IFS="$PULLAB_RESULTS_SEP" read -r path status rest; do
      [ -z "$path" ] || last[$path]="$status"
    done < "$PULLAB_RESULTS_TSV"
  fi
  for path in "${!last[@]}"; do
    [ "${last[$path]}" != "$want" ] || n=$((n + 1))
  done
  printf '%s\n' "$n"
}
