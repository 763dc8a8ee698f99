package dev.pullab.core.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a VM's serial console says about its kernel: fatal lines, hang signs, and what must not count. */
class KernelConsoleTest {

    private static String resource(String path) throws IOException {
        try (InputStream in = KernelConsoleTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @DisplayName("an x86_64 oops then panic: the first fatal line (the BUG) is quoted, without its timestamp")
    void givenOopsThenPanic_whenRead_thenFirstFatalLineQuoted() throws IOException {
        KernelConsole.Reading reading = KernelConsole.read(resource("/log-scrub/x86_64-oops-panic.log"));

        assertThat(reading.fatal()).contains(new ConsoleFinding(ConsoleFinding.Kind.BUG,
                "BUG: kernel NULL pointer dereference, address: 0000000000000008"));
        assertThat(reading.fatal().orElseThrow().resultLine()).isEqualTo(
                "FAILED: kernel BUG on the serial console: \"BUG: kernel NULL pointer dereference, address: "
                        + "0000000000000008\"");
    }

    @Test
    @DisplayName("an arm64 'Internal error: Oops' is an oops, found before the panic that follows it")
    void givenArm64Oops_whenRead_thenOops() throws IOException {
        KernelConsole.Reading reading = KernelConsole.read(resource("/kernel-console/arm64-oops.log"));

        assertThat(reading.fatal()).contains(new ConsoleFinding(ConsoleFinding.Kind.OOPS,
                "Internal error: Oops: 0000000096000044 [#1] PREEMPT SMP"));
    }

    @Test
    @DisplayName("a panic at boot (no root fs): kernel panic, quoted; the command line's panic=10 does not count")
    void givenPanicAtBoot_whenRead_thenPanicQuoted() throws IOException {
        KernelConsole.Reading reading = KernelConsole.read(resource("/kernel-console/panic-at-boot.log"));

        assertThat(reading.fatal().orElseThrow().resultLine()).isEqualTo("FAILED: kernel panic on the serial console: "
                + "\"Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\"");
        assertThat(reading.lastLine()).contains("Rebooting in 10 seconds..");
    }

    @Test
    @DisplayName("hung task, RCU stall and soft lockup are hang signs, not fatal; the last one is kept")
    void givenHangSigns_whenRead_thenNotFatalLastSignKept() throws IOException {
        KernelConsole.Reading reading = KernelConsole.read(resource("/kernel-console/hang-signs.log"));

        assertThat(reading.fatal()).isEmpty();
        assertThat(reading.hangSign()).contains(new ConsoleFinding(ConsoleFinding.Kind.LOCKUP,
                "watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [stress-ng:1021]"));
    }

    @Test
    @DisplayName("a clean boot with look-alikes (panic=10, echoed panics, DEBUG:, BUGS, bug-report.service) matches nothing")
    void givenCleanBootWithLookalikes_whenRead_thenNothingFound() throws IOException {
        KernelConsole.Reading reading = KernelConsole.read(resource("/kernel-console/clean-boot-lookalikes.log"));

        assertThat(reading.fatal()).isEmpty();
        assertThat(reading.hangSign()).isEmpty();
        assertThat(reading.lastLine()).contains("Amazon Linux 2023.6.20250930 ip-172-31-20-14 login:");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"al2023-x86_64-ec2-console.log", "arm64-graviton-boot.log",
        "systemd-cloud-init-boot.log", "bash-x-stage-trace.log"})
    @DisplayName("the scrubbing corpus's clean logs match nothing")
    void givenCleanCorpusLog_whenRead_thenNothingFound(String name) throws IOException {
        KernelConsole.Reading reading = KernelConsole.read(resource("/log-scrub/" + name));

        assertThat(reading.fatal()).isEmpty();
        assertThat(reading.hangSign()).isEmpty();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', value = {
        "[   12.000001] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009 | PANIC",
        "<0>[   12.000001] Kernel panic - not syncing: sysrq triggered crash | PANIC",
        "[   12.000001][    T1] Kernel panic - not syncing: hung_task: blocked tasks | PANIC",
        "[   12.000001] Oops: general protection fault, probably for non-canonical address 0xdead: 0000 [#1] | OOPS",
        "[   12.000001] Oops - BUG: 00000000f2000800 [#1] SMP | OOPS",
        "[   12.000001] general protection fault: 0000 [#1] SMP PTI | OOPS",
        "[   12.000001] BUG: unable to handle page fault for address: ffffffffc0a1b000 | BUG",
        "[   12.000001] BUG: KASAN: slab-use-after-free in ext4_find_extent+0x8f2/0x950 | BUG",
        "[   12.000001] kernel BUG at mm/slub.c:4262! | BUG",
        "[   12.000001] BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:1:33] | LOCKUP",
        "[   12.000001] BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 31s! | LOCKUP",
        "[   12.000001] watchdog: Watchdog detected hard LOCKUP on cpu 2 | LOCKUP",
        "[   12.000001] INFO: task kworker/u8:2:144 blocked for more than 120 seconds. | HUNG_TASK",
        "[   12.000001] INFO: rcu_preempt self-detected stall on CPU | RCU_STALL",
        "[   12.000001] rcu: INFO: rcu_sched detected stalls on CPUs/tasks: | RCU_STALL"})
    @DisplayName("each pattern, at the start of a kernel message")
    void givenKernelMessage_whenMatched_thenKind(String line, ConsoleFinding.Kind kind) {
        assertThat(KernelConsole.match(line).map(ConsoleFinding::kind)).contains(kind);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "[    0.000000] Kernel command line: ro console=ttyS0 panic=10 oops=panic",
        "[    3.100000] audit: type=1400 msg='DEBUG: BUG: in a message'",
        "[    3.100000] DEBUG: nothing wrong",
        "[    3.100000] BUGGY_FIRMWARE: ignored",
        "[    3.100000] BUG:",
        "+ echo 'Kernel panic - not syncing'",
        "[    3.100000] run.sh[812]: Kernel panic - not syncing (in a stage log line)",
        "[    3.100000] Whoops: printer",
        "[    3.100000] INFO: task list printed"})
    @DisplayName("look-alikes do not match")
    void givenLookalike_whenMatched_thenNothing(String line) {
        assertThat(KernelConsole.match(line)).isEmpty();
    }

    @Test
    @DisplayName("a quoted line is bounded to 200 characters, control characters and double quotes replaced")
    void givenHostileLine_whenQuoted_thenBoundedAndClean() {
        String line = "[    1.000000] Kernel panic - not syncing: \"x\"\u001b[31m" + "A".repeat(10_000);

        String quoted = KernelConsole.match(line).orElseThrow().line();

        assertThat(quoted).hasSize(KernelConsole.MAX_QUOTED_CHARS + 3).endsWith("...")
                .startsWith("Kernel panic - not syncing: 'x'?[31m").doesNotContain("\"");
    }

    @Test
    @DisplayName("CRLF line ends (a serial console) are read like LF")
    void givenCrlf_whenRead_thenLinesClean() {
        KernelConsole.Reading reading = KernelConsole.read(
                "[ 1.0] booting\r\n[ 2.0] Kernel panic - not syncing: Fatal exception\r\n\r\n");

        assertThat(reading.fatal().orElseThrow().line()).isEqualTo("Kernel panic - not syncing: Fatal exception");
        assertThat(reading.lastLine()).contains("Kernel panic - not syncing: Fatal exception");
    }

    @Test
    @DisplayName("why a VM did not report: the fatal line when there is one")
    void givenPanic_whenWhyNoReport_thenPanicReason() throws IOException {
        assertThat(KernelConsole.whyNoReport(resource("/kernel-console/panic-at-boot.log")
                .getBytes(StandardCharsets.UTF_8))).isEqualTo("kernel panic on the serial console: \"Kernel panic - "
                        + "not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\"");
    }

    @Test
    @DisplayName("why a VM did not report: no client line on the console, the client never started; its last line")
    void givenLoginPrompt_whenWhyNoReport_thenClientNeverStarted() {
        assertThat(KernelConsole.whyNoReport("[ 9.0] cloud-init: done\n\nAmazon Linux 2023 login: \n\n"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(
                        "the client never started; console ends: \"Amazon Linux 2023 login:\"");
    }

    @Test
    @DisplayName("why a VM did not report: the client's lines are there, it started; empty console said so")
    void givenClientLines_whenWhyNoReport_thenClientStarted() {
        assertThat(KernelConsole.whyNoReport(("2026-12-05T06:01:00Z [pullab-client] run 1/1: run.sh\n"
                + "[ 400.0] INFO: task fio:1201 blocked for more than 122 seconds.\n[ 400.1] Call Trace:\n")
                .getBytes(StandardCharsets.UTF_8))).isEqualTo("the client started but did not report; console ends: "
                        + "\"Call Trace:\"; last hang sign: \"INFO: task fio:1201 blocked for more than 122 seconds.\"");
        assertThat(KernelConsole.whyNoReport(new byte[0])).isEqualTo("its serial console is empty");
    }
}
