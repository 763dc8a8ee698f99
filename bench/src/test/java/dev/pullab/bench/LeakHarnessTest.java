package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.VmWatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The leak harness at a few sweep phases: simulated minutes, the lab's own sweeper and watch. */
class LeakHarnessTest {

    private static final VmWatch RULE = new VmWatch(VmWatch.DEFAULT_HANG_THRESHOLD, LeakHarness.SWEEP);

    private static List<LeakHarness.Row> run(ByteArrayOutputStream buffer) {
        return LeakHarness.run(RULE, 4, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    private static LeakHarness.Row row(List<LeakHarness.Row> rows, String start) {
        return rows.stream().filter(r -> r.scenario().name().startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("now, every wedged VM is terminated within the bound the lab's rule gives it, and within the README's"
            + " worst case")
    void givenEveryScenario_whenRun_thenNowWithinItsBound() {
        List<LeakHarness.Row> rows = run(new ByteArrayOutputStream());

        assertThat(rows).hasSize(6).allSatisfy(row -> {
            assertThat(row.now().max()).as(row.scenario().name()).isNotNegative()
                    .isLessThanOrEqualTo(row.scenario().bound().toMinutes())
                    .isLessThanOrEqualTo(LeakHarness.README_WORST.toMinutes());
        });
    }

    @Test
    @DisplayName("a healthy benchmark that prints heartbeats is never cut short by the watch")
    void givenHealthyBenchmark_whenRun_thenBilledOnlyItsOwnRuntime() {
        LeakHarness.Row healthy = row(run(new ByteArrayOutputStream()), "healthy");

        assertThat(healthy.now().min()).isEqualTo(101);
        assertThat(healthy.now().max()).isEqualTo(101);
    }

    @Test
    @DisplayName("a panic at boot is billed at most one sweep now, where before it ran to the deadline")
    void givenPanicAtBoot_whenRun_thenOneSweepNotTheDeadline() {
        LeakHarness.Row panic = row(run(new ByteArrayOutputStream()), "kernel panics");

        assertThat(panic.now().max()).isLessThanOrEqualTo(1 + LeakHarness.SWEEP.toMinutes());
        assertThat(panic.before().min()).isGreaterThanOrEqualTo(LeakHarness.DEADLINE.toMinutes());
    }

    @Test
    @DisplayName("a VM that reported but never powered off leaked before; now it ends one sweep after its deadline")
    void givenReportedNeverPoweredOff_whenRun_thenLeakBeforeBoundedNow() {
        LeakHarness.Row reported = row(run(new ByteArrayOutputStream()), "reported");

        assertThat(reported.before().max()).isEqualTo(-1);
        assertThat(reported.now().max()).isLessThanOrEqualTo(LeakHarness.DEADLINE.plus(Duration.ofMinutes(15))
                .toMinutes());
    }

    @Test
    @DisplayName("the table names every scenario with before, now, its bound and the README's worst case")
    void givenRun_whenPrinted_thenOneLinePerScenario() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        run(buffer);

        String table = buffer.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("before", "now", "README worst", "never (leak)", "kernel panics at boot",
                "client never starts", "silent hang");
    }
}
