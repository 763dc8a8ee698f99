package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The poller harness at a tiny size: figures well-formed, every job claimed and queued. No timing assertions. */
class PollerBenchTest {

    @Test
    @DisplayName("50 jobs per cycle over 3 pages, baseline and today's poller side by side: every cycle claims and"
            + " queues all 50, the calls per job are counted, and the comparison is printed")
    void givenTinyRun_whenRun_thenAllJobsQueuedAndFiguresPrinted() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        PollerBench.Result result = PollerBench.run(new PollerBench.Params(50, 20, 1, 2, 8,
                List.of(PollerBench.Mode.BASELINE, PollerBench.Mode.NOW)),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));

        assertThat(result.modes()).extracting(PollerBench.ModeResult::mode)
                .containsExactly(PollerBench.Mode.BASELINE, PollerBench.Mode.NOW);
        for (PollerBench.ModeResult mode : result.modes()) {
            assertThat(mode.measured()).hasSize(2);
            assertThat(mode.cold()).isNotNull();
            for (PollerBench.Cycle cycle : mode.measured()) {
                assertThat(cycle.found()).isEqualTo(50);
                assertThat(cycle.claimed()).isEqualTo(50);
                assertThat(cycle.queued()).isEqualTo(50);
                assertThat(cycle.received()).isEqualTo(50);
                assertThat(cycle.millis()).isPositive();
                assertThat(cycle.sqs().busyMillis()).isPositive().isLessThanOrEqualTo(cycle.millis());
                assertThat(cycle.kernelciByKind()).containsEntry("PATCH /node", 50);
                assertThat(cycle.dynamo().byOperation().get("PutItem")).as("50 records and the cursor's saves")
                        .isBetween(50L, 53L);
                assertThat(cycle.sqs().byOperation().get("SendMessageBatch")).as("10 per send, a send per page part")
                        .isBetween(5L, 6L);
            }
            assertThat(mode.millis().n()).isEqualTo(2);
            assertThat(mode.jobsPerSecond()).isPositive().isFinite();
        }
        PollerBench.Cycle before = result.of(PollerBench.Mode.BASELINE).measured().get(0);
        PollerBench.Cycle now = result.of(PollerBench.Mode.NOW).measured().get(0);
        assertThat(before.kernelciByKind()).containsEntry("GET /node", 100);
        assertThat(now.kernelciByKind()).containsEntry("GET /node", 50);
        assertThat(before.dynamo().byOperation()).containsEntry("UpdateItem", 100L);
        assertThat(now.dynamo().byOperation()).doesNotContainKey("UpdateItem");
        assertThat(now.dynamo().byOperation().get("BatchWriteItem")).as("QUEUED marks, up to 25 per call")
                .isBetween(2L, 10L);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(printed).contains("machine: ", "os load average", "first cycle (cold)", "warm cycles: median",
                "without the FIFO sends", "jobs/s", "50 found, 50 claimed on the API, 50 queued",
                "| per cycle | baseline (before #23) | now, 8 workers |", "| KernelCI requests per job | 3.");
    }
}
