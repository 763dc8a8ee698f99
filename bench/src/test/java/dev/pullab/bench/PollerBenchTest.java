package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The poller harness at a tiny size: figures well-formed, every job claimed and queued. No timing assertions. */
class PollerBenchTest {

    @Test
    @DisplayName("50 jobs per cycle over 3 pages: every cycle claims and queues all 50, and the figures are printed")
    void givenTinyRun_whenRun_thenAllJobsQueuedAndFiguresPrinted() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        PollerBench.Result result = PollerBench.run(new PollerBench.Params(50, 20, 1, 2),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));

        assertThat(result.measured()).hasSize(2);
        assertThat(result.cold()).isNotNull();
        for (PollerBench.Cycle cycle : result.measured()) {
            assertThat(cycle.found()).isEqualTo(50);
            assertThat(cycle.claimed()).isEqualTo(50);
            assertThat(cycle.queued()).isEqualTo(50);
            assertThat(cycle.received()).isEqualTo(50);
            assertThat(cycle.millis()).isPositive();
            assertThat(cycle.dynamoCalls()).isPositive();
            assertThat(cycle.sqsCalls()).isPositive();
            assertThat(cycle.kernelciRequests()).isGreaterThanOrEqualTo(3 * 50 + 3);
        }
        assertThat(result.millis().n()).isEqualTo(2);
        assertThat(result.millis().min()).isLessThanOrEqualTo(result.millis().median());
        assertThat(result.jobsPerSecond()).isPositive().isFinite();
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("machine: ", "os load average", "first cycle (cold JVM)", "warm cycles: median",
                "jobs/s", "50 found, 50 claimed on the API, 50 queued");
    }
}
