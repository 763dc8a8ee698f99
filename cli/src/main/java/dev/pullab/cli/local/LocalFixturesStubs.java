package dev.pullab.cli.local;

/**
 * The scripts and data files inside the fake artifacts of {@link LocalFixtures}: the stand-ins of
 * {@code vm-tests/test/fixtures/kernelci/}, embedded so that the CLI jar is self-contained.
 */
final class LocalFixturesStubs {

    /** The {@code opt/ltp/runltp} stand-in (vm-tests/test/fixtures/kernelci/stubs/runltp). */
    static final String RUNLTP = """
            #!/usr/bin/env bash
            # Stand-in for LTP's runltp (tests only): runs nothing, writes the results log (-l, the -p format of
            # ltp-pan) with the outcomes of stub-outcomes.txt for the tests of the -f command files; -S tests are
            # CONF (exit 32) as in runltp. A copy of vm-tests/test/fixtures/kernelci/stubs/runltp.
            set -euo pipefail
            LTPROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
            cmdfiles="" skipfile="" logfile="" pretty=0
            printf '%s\\n' "$0 $*" > "$LTPROOT/stub-invocation.txt"
            while getopts "pqf:S:l:d:o:C:T:" opt; do
              case "$opt" in
                p) pretty=1 ;;
                f) cmdfiles="$OPTARG" ;;
                S) skipfile="$OPTARG" ;;
                l) logfile="$OPTARG" ;;
                *) ;;
              esac
            done
            [ -n "$cmdfiles" ] || { echo "runltp: no -f" >&2; exit 1; }
            [ -z "$skipfile" ] || [ -f "$skipfile" ] || { echo "FATAL: missing $skipfile" >&2; exit 1; }
            case "$logfile" in ""|/*) ;; *) logfile="$LTPROOT/results/$logfile" ;; esac
            log() { [ -z "$logfile" ] || printf '%s\\n' "$*" >> "$logfile"; }
            [ -z "$logfile" ] || { mkdir -p "$(dirname "$logfile")"; : > "$logfile"; }
            if [ "$pretty" = 1 ]; then
              log "Test Start Time: $(date)"
              log "-----------------------------------------"
              log "$(printf '%-30.20s %-10.10s %-10.10s' Testcase Result 'Exit Value')"
              log "$(printf '%-30.20s %-10.10s %-10.10s' -------- ------ ----------)"
            fi
            echo "INFO: runltp stub, LTPROOT=$LTPROOT, command files $cmdfiles"
            total=0 failed=0
            IFS=, read -r -a files <<< "$cmdfiles"
            for file in "${files[@]}"; do
              [ -f "$LTPROOT/runtest/$file" ] || { echo "FATAL: no $LTPROOT/runtest/$file" >&2; exit 1; }
              while read -r name _; do
                case "$name" in ''|'#'*) continue ;; esac
                result=PASS code=0
                read -r _ result code < <(grep "^$name " "$LTPROOT/stub-outcomes.txt" || echo "$name PASS 0")
                # like runltp -S: a skipped test is replaced by "exit 32" (CONF)
                if [ -n "$skipfile" ] && grep -qx "$name" "$skipfile"; then result=CONF code=32; fi
                echo "<<<test_start>>>"
                echo "tag=$name stime=$(date +%s)"
                echo "<<<test_output>>>"
                echo "$name    1  T$result  :  stub result"
                echo "<<<execution_status>>>"
                echo "initiation_status=\\"ok\\""
                echo "duration=0 termination_type=exited termination_id=$code corefile=no"
                echo "<<<test_end>>>"
                total=$((total + 1))
                [ "$code" = 0 ] || failed=$((failed + 1))
                if [ "$pretty" = 1 ]; then
                  log "$(printf '%-30.30s %-10.10s %-5d' "$name" "$result" "$code")"
                else
                  log "tag=$name stime=$(date +%s) dur=0 exit=exited stat=$code core=no cu=0 cs=0"
                fi
              done < "$LTPROOT/runtest/$file"
            done
            if [ "$pretty" = 1 ]; then
              log ""
              log "-----------------------------------------------"
              log "Total Tests: $total"
              log "Total Failures: $failed"
              log "Kernel Version: $(uname -r)"
              log "Machine Architecture: $(uname -m)"
              log "Hostname: $(uname -n)"
            fi
            echo "INFO: ltp-pan reported some tests FAIL"
            [ "$failed" = 0 ]
            """;

    /** The LTP command file {@code opt/ltp/runtest/smoketest}. */
    static final String RUNTEST_SMOKETEST = """
            # smoketest - a list of tests that should be run to verify basic LTP functionality
            access01 access01
            chdir01 chdir01
            fork01 fork01
            time01 time01
            wait02 wait02
            write01 write01
            symlink01 symlink01
            stat04 symlink01 -T stat04
            utime07 utime07
            rename01A symlink01 -T rename01
            splice02 splice02 -s 20
            df01_sh df01.sh
            shell_test01 echo "SUCCESS" | shell_pipe01.sh
            ping602 ping6 -c 2 localhost
            """;

    /** What the runltp stand-in reports per test ({@code opt/ltp/stub-outcomes.txt}). */
    static final String STUB_OUTCOMES = """
            # test outcome exit-value for the runltp/kirk stubs (tests not listed pass with 0)
            utime07 CONF 32
            splice02 FAIL 1
            df01_sh BROK 2
            ping602 CONF 32
            fcntl36_64 WARN 4
            mmap01 FAIL 1
            """;

    /** An LKFT-style skip file ({@code opt/ltp/skipfile-lkft.yaml}). */
    static final String SKIPFILE_LKFT = """
            # LKFT-style LTP skip file (format of Linaro test-definitions skipfile-lkft.yaml)
            skiplist:
              - reason: >
                  ping602 needs IPv6 on the loopback of the lab network
                url: https://bugs.linaro.org/show_bug.cgi?id=0000
                environments: all
                boards:
                  - all
                branches:
                  - all
                tests:
                  - ping602
                  - "ping601"   # quoted, with a comment
              - reason: flaky on cloud VMs
                environments: production
                boards: [all]
                branches: [mainline, next]
                tests: [ shell_test01, utime07 ]
            """;

    /** The {@code run_kselftest.sh} stand-in: prints {@code <collection>.tap}. */
    static final String RUN_KSELFTEST = """
            #!/usr/bin/env bash
            # Stand-in for the kselftest runner (pullab local-run): runs nothing; collection C prints the TAP of
            # C.tap next to this script (arm64, timers); other collections print an empty plan.
            set -euo pipefail
            BASE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
            collections=()
            while [ $# -gt 0 ]; do
              case "$1" in
                -c|--collection) collections+=("$2"); shift 2 ;;
                *) echo "unknown option $1" >&2; exit 1 ;;
              esac
            done
            for c in "${collections[@]}"; do
              case "$c" in
                *)
                  if [ -f "$BASE_DIR/$c.tap" ]; then
                    cat "$BASE_DIR/$c.tap"
                  else
                    printf 'TAP version 13\\n1..0\\n'
                  fi
                  ;;
              esac
            done
            """;

    /** {@code run_kselftest.sh -c arm64} output: pass, skip, fail with nested sub-results. */
    static final String ARM64_TAP = """
            TAP version 13
            1..6
            # timeout set to 45
            # selftests: arm64: tags_test
            # 1..1
            # ok 1 Tagged addr syscall
            # # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0
            ok 1 selftests: arm64: tags_test
            # timeout set to 45
            # selftests: arm64: syscall-abi
            # 1..4
            # ok 1 getpid() FPSIMD
            # ok 2 getpid() SVE VL 128
            # ok 3 sched_yield() FPSIMD
            # ok 4 sched_yield() SVE VL 128
            # # Totals: pass:4 fail:0 xfail:0 xpass:0 skip:0 error:0
            ok 2 selftests: arm64: syscall-abi
            # timeout set to 45
            # selftests: arm64: sve-ptrace
            # 1..1
            # ok 1 # SKIP SVE not available
            # # Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0
            ok 3 selftests: arm64: sve-ptrace # SKIP
            # timeout set to 45
            # selftests: arm64: pac
            # 1..2
            # ok 1 corrupt_pac
            # not ok 2 pac_instructions_not_nop
            # # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
            not ok 4 selftests: arm64: pac # exit=1
            # timeout set to 45
            # selftests: arm64: hwcap
            # ok 1 cpuinfo_match_CRC32
            # ok 2 sigill_CRC32
            ok 5 selftests: arm64: hwcap
            # timeout set to 45
            # selftests: arm64: ptrace
            # ok 1 read_tpidr_one
            ok 6 selftests: arm64: ptrace
            """;

    /** {@code run_kselftest.sh -c timers} output (fixtures/kernelci/kselftest-timers.tap). */
    static final String TIMERS_TAP = """
            TAP version 13
            1..6
            # timeout set to 45
            # selftests: timers: posix_timers
            # TAP version 13
            # 1..9
            # ok 1 Check itimer virtual... [OK]
            # ok 2 Check itimer prof... [OK]
            # ok 3 Check itimer real... [OK]
            # ok 4 Check timer_create() per thread... [OK]
            # ok 5 Check timer_create() per process... [OK]
            # ok 6 Check timer_create() ignored signals... [OK]
            # ok 7 check_sig_ign SIGEV_THREAD_ID... [OK]
            # ok 8 check_timer_distribution
            # ok 9 check_timer_create_exact
            # # Totals: pass:9 fail:0 xfail:0 xpass:0 skip:0 error:0
            ok 1 selftests: timers: posix_timers
            # timeout set to 45
            # selftests: timers: nanosleep
            # Nanosleep CLOCK_REALTIME                  [OK]
            # Nanosleep CLOCK_MONOTONIC                 [OK]
            # Nanosleep CLOCK_MONOTONIC_RAW             [UNSUPPORTED]
            # Nanosleep CLOCK_REALTIME_COARSE           [UNSUPPORTED]
            # Nanosleep CLOCK_MONOTONIC_COARSE          [UNSUPPORTED]
            # Nanosleep CLOCK_BOOTTIME                  [FAILED]
            # not ok 1 nanosleep test
            # # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0
            not ok 2 selftests: timers: nanosleep # exit=1
            # timeout set to 45
            # selftests: timers: rtcpie
            # Periodic IRQ rate is 1024Hz.
            # skip: no RTC device /dev/rtc0
            ok 3 selftests: timers: rtcpie # SKIP
            # timeout set to 45
            # selftests: timers: nsleep-lat
            # nsleep latency CLOCK_REALTIME             [OK]
            # nsleep latency CLOCK_MONOTONIC            [OK]
            # # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
            ok 4 selftests: timers: nsleep-lat
            # timeout set to 45
            # selftests: timers: set-timer-lat
            # Setting timers for every clock in the system took a while
            #
            not ok 5 selftests: timers: set-timer-lat # TIMEOUT 45 seconds
            # timeout set to 45
            # selftests: timers: valid-adjtimex.c
            # Validating tv_usec: PASS
            ok 6 selftests: timers: valid-adjtimex.c
            """;

    /** The {@code kselftest-list.txt} of the kselftest tarball. */
    static final String KSELFTEST_LIST = """
            arm64:tags_test
            arm64:syscall-abi
            arm64:sve-ptrace
            arm64:pac
            arm64:hwcap
            arm64:ptrace
            timers:posix_timers
            timers:nanosleep
            """;

    private LocalFixturesStubs() {
    }
}
