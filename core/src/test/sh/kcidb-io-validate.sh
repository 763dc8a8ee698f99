#!/usr/bin/env bash
# Validates every KCIDB submission a module's tests sent to the KCIDB receiver double (and that our own networknt
# check passed) with kcidb-io, KCIDB's own library: what we call valid, KCIDB must accept. Run by `mvn verify` in
# every module (parent POM, verify phase). usage: kcidb-io-validate.sh SUBMISSIONS_DIR SHARED_DIR
set -euo pipefail
dir="$1" shared="$2"
mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.json' -print 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "kcidb-io: no KCIDB submissions in $dir"
  exit 0
fi
validate="${PULLAB_KCIDB_IO_VALIDATE:-$shared/peers/kcidb-io/validate}"
[ -x "$validate" ] || { echo "kcidb-io: $validate is missing (set PULLAB_KCIDB_IO_VALIDATE to the kit's validate)" >&2; exit 1; }
log="$dir.log"
# each build checks its own submissions: the folder is emptied either way, rejected ones are kept in $dir.rejected/
if "$validate" "${files[@]}" > "$log" 2>&1; then
  echo "kcidb-io: ${#files[@]} submission(s) in $dir valid (schema $(grep -om1 'schema v[0-9.]*' "$log" | cut -d' ' -f2))"
  rm -f "${files[@]}"
else
  grep -v '^valid ' "$log" >&2
  rm -rf "$dir.rejected" && mkdir -p "$dir.rejected" && mv "${files[@]}" "$dir.rejected/"
  echo "kcidb-io: $(grep -c '^INVALID' "$log") of ${#files[@]} submission(s) rejected by kcidb-io (kept in $dir.rejected/, see $log)" >&2
  exit 1
fi
