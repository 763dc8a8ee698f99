#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kernelci-ltp stage 2: run the job's LTP command files with kirk or runltp under PULLAB_TEST_TIMEOUT_S and turn
# the results into results.json (ltp.<testcase>: pass/fail/skip/error). Test failures are results (exit 0); exit 1/2
# only when the run cannot be set up (missing parameter, no LTP, download failure). See README.md.
set -euo pipefail
# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

log "kernelci-ltp stage ${PULLAB_STAGE:-2}: LTP"
kci_load_params
kci_require ltp PULLAB_LTP_CMDFILES

rc=0
kci_check_kernel || rc=$?
if [ "$rc" = 1 ]; then
  kci_error_exit ltp 0 "the job's kernel $KCI_EXPECTED_KERNEL did not boot (running $KCI_RUNNING_KERNEL): LTP not run"
fi

# --- LTP: the VM's /opt/ltp, else opt/ltp (and opt/kirk) of the job's rootfs -----------------------------------
system_ltp="${KCI_SYSTEM_LTPROOT:-/opt/ltp}"
if [ -f "$system_ltp/runltp" ] || [ -f "$system_ltp/kirk" ]; then
  ltproot="$system_ltp"
  log "using the LTP installed in $ltproot"
else
  if [ -z "${PULLAB_ROOTFS_URL:-}" ]; then
    kci_error_exit ltp 2 "no LTP in $system_ltp and the job has no rootfs (PULLAB_ROOTFS_URL empty)"
  fi
  rootfs="artifacts/$(kci_url_name "$PULLAB_ROOTFS_URL" rootfs.tar.xz)"
  kci_fetch ltp "$PULLAB_ROOTFS_URL" "$rootfs"
  rm -rf ltp-root
  mkdir -p ltp-root
  log "unpacking opt/ltp and opt/kirk of $rootfs"
  # a rootfs without opt/kirk makes tar report "Not found in archive": opt/ltp is checked below instead
  tar -xf "$rootfs" -C ltp-root --no-same-owner --wildcards '*opt/ltp' '*opt/kirk' 2> tar-errors.txt \
    || log "tar: $(tr '\n' ' ' < tar-errors.txt)"
  rm -f "$rootfs" tar-errors.txt
  ltproot="$here/ltp-root/opt/ltp"
  if [ ! -f "$ltproot/runltp" ] && [ ! -f "$ltproot/kirk" ] && [ ! -f "$here/ltp-root/opt/kirk/kirk" ]; then
    kci_error_exit ltp 1 "the rootfs $PULLAB_ROOTFS_URL has no opt/ltp with runltp or kirk"
  fi
fi

kirk=""
for candidate in "$(dirname "$ltproot")/kirk/kirk" "$ltproot/kirk"; do
  if [ -f "$candidate" ]; then
    kirk="$candidate"
    break
  fi
done
runner="${KCI_LTP_RUNNER:-auto}"
if [ "$runner" = auto ]; then
  if [ -n "$kirk" ] && command -v python3 > /dev/null; then
    runner=kirk
  else
    runner=runltp
  fi
fi
case "$runner" in
  kirk) [ -n "$kirk" ] || kci_error_exit ltp 1 "KCI_LTP_RUNNER=kirk but there is no kirk next to $ltproot" ;;
  runltp) [ -f "$ltproot/runltp" ] || kci_error_exit ltp 1 "no $ltproot/runltp (and no usable kirk)" ;;
  *) kci_error_exit ltp 2 "KCI_LTP_RUNNER '$runner' is not auto, kirk or runltp" ;;
esac
log "LTP root $ltproot, runner $runner${kirk:+ ($kirk)}"

# --- parameters ----------------------------------------------------------------------------------------------
read -r -a cmdfiles <<< "${PULLAB_LTP_CMDFILES//,/ }"
[ "${#cmdfiles[@]}" -gt 0 ] || kci_error_exit ltp 2 "PULLAB_LTP_CMDFILES '$PULLAB_LTP_CMDFILES' names no command file"
for cmdfile in "${cmdfiles[@]}"; do
  [ -f "$ltproot/runtest/$cmdfile" ] || log "WARNING: no command file $ltproot/runtest/$cmdfile"
done
log "command files: ${cmdfiles[*]}"

skiplist=""
skipfile="${PULLAB_LTP_SKIPFILE:-}"
if [ -n "$skipfile" ]; then
  source_file=""
  case "$skipfile" in
    *://*)
      source_file="artifacts/$(kci_url_name "$skipfile" skipfile)"
      mkdir -p artifacts
      kci_download "$skipfile" "$source_file" --retry 5 --retry-delay 5 \
        || { log "WARNING: download of $(kci_url_shown "$skipfile") failed"; source_file=""; }
      ;;
    /*)
      [ ! -f "$skipfile" ] || source_file="$skipfile"
      ;;
    *)
      for candidate in "$here/$skipfile" "$ltproot/$skipfile" "${PULLAB_SHARED_DIR:-../shared}/$skipfile"; do
        if [ -f "$candidate" ]; then
          source_file="$candidate"
          break
        fi
      done
      ;;
  esac
  if [ -n "$source_file" ]; then
    skiplist="$here/ltp-skiplist.txt"
    ltp_skipfile_to_list "$source_file" "$skiplist"
    log "skip file $source_file: $(wc -l < "$skiplist") test(s) skipped"
  else
    log "WARNING: skip file '$(kci_url_shown "$skipfile")' not found (test directory, $ltproot, shared/): running without a skip list"
  fi
fi

workers=""
case "${PULLAB_LTP_WORKERS:-}" in
  "") ;;
  max) workers="$(nproc)" ;;
  *[!0-9]*|0) log "WARNING: workers '${PULLAB_LTP_WORKERS}' is neither a positive number nor 'max': ignored" ;;
  *) workers="$PULLAB_LTP_WORKERS" ;;
esac

timeout_s="$(kci_test_timeout)"

# --- run -----------------------------------------------------------------------------------------------------
rc=0
if [ "$runner" = kirk ]; then
  report="$here/ltp-kirk-report.json"
  rm -f "$report"
  # kirk stops the suite a little before the hard timeout so that it still writes its report
  suite_timeout="$timeout_s"
  [ "$timeout_s" -le 120 ] || suite_timeout=$((timeout_s - 60))
  cmd=("$kirk" --framework "ltp:root=$ltproot" --run-suite "${cmdfiles[@]}" --json-report "$report"
       --suite-timeout "$suite_timeout")
  [ -z "$workers" ] || cmd+=(--workers "$workers")
  [ -z "$skiplist" ] || cmd+=(--skip-file "$skiplist")
  kci_run_timeout "$timeout_s" ltp-output.log env LTPROOT="$ltproot" "${cmd[@]}" || rc=$?
  kirk_report_to_results "$report" ltp || true
else
  results_log="$here/ltp-results.log"
  rm -f "$results_log"
  cmd=("$ltproot/runltp" -p -f "$(IFS=,; printf '%s' "${cmdfiles[*]}")" -l "$results_log")
  [ -z "$skiplist" ] || cmd+=(-S "$skiplist")
  [ -z "$workers" ] || log "runltp runs one test at a time: workers=$workers is only used by kirk"
  kci_run_timeout "$timeout_s" ltp-output.log env LTPROOT="$ltproot" "${cmd[@]}" || rc=$?
  ltp_results_to_results "$results_log" ltp || true
fi

if kci_timed_out "$rc"; then
  log "ERROR: LTP did not finish within ${timeout_s}s (PULLAB_TEST_TIMEOUT_S): ltp = error, $KCI_RESULTS_COUNT result(s) kept"
  result_add ltp error
elif [ "$KCI_RESULTS_COUNT" = 0 ]; then
  log "ERROR: $runner ended with status $rc and no results: ltp = error"
  result_add ltp error
else
  log "$runner ended with status $rc, $KCI_RESULTS_COUNT result(s)"
fi
kci_quiet result_write results.json
exit 0
