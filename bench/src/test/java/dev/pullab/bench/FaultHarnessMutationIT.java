package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness's counts can fail: each planted defect ({@code --mutation}) makes the count meant for it non-zero and
 * the harness exit 1, while the same flow without it counts nothing. One job, no other faults, to keep it short; the
 * fault-free reference is run once for all of them.
 */
class FaultHarnessMutationIT {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @Test
    @DisplayName("without a mutation or faults, every count is 0 and the harness exits 0")
    void givenNoMutation_whenTheFlowRuns_thenNothingCountedAndExit0(@TempDir Path dir) {
        FaultHarness harness = harness();

        int exit = new CommandLine(harness).execute(args(dir, "NONE"));

        FaultHarness.Result result = harness.lastResult();
        assertThat(exit).as(printed()).isZero();
        assertThat(result.clean()).isTrue();
        assertThat(result.jobsRunTwice()).isZero();
        assertThat(result.resultsDiffering()).isZero();
        assertThat(result.nodesFinishedTwice()).isZero();
        assertThat(result.jobsLost()).isZero();
    }

    @Test
    @DisplayName("a job queued twice as two events runs twice: 'jobs run twice' counts it and the harness exits 1")
    void givenAJobRunTwice_whenTheFlowRuns_thenJobsRunTwiceCountedAndExit1(@TempDir Path dir) {
        FaultHarness harness = harness();

        int exit = new CommandLine(harness).execute(args(dir, "RUN_JOB_TWICE"));

        assertThat(exit).as(printed()).isEqualTo(1);
        assertThat(harness.lastResult().jobsRunTwice()).isEqualTo(1);
        assertThat(printed()).contains("jobs run twice               1");
    }

    @Test
    @DisplayName("a VM's result lost while the run still closes: 'results differing' counts it and the harness"
            + " exits 1")
    void givenAResultDropped_whenTheFlowRuns_thenResultsDifferingCountedAndExit1(@TempDir Path dir) {
        FaultHarness harness = harness();

        int exit = new CommandLine(harness).execute(args(dir, "DROP_RESULT"));

        FaultHarness.Result result = harness.lastResult();
        assertThat(exit).as(printed()).isEqualTo(1);
        assertThat(result.jobsLost()).as("the runs still close").isZero();
        assertThat(result.resultsDiffering()).isPositive();
        assertThat(result.differences()).isNotEmpty();
    }

    @Test
    @DisplayName("a node finished again after a stale re-check: 'nodes finished twice' counts the attempt and the"
            + " harness exits 1")
    void givenANodeFinishedTwice_whenTheFlowRuns_thenFinishAttemptCountedAndExit1(@TempDir Path dir) {
        FaultHarness harness = harness();

        int exit = new CommandLine(harness).execute(args(dir, "FINISH_TWICE"));

        assertThat(exit).as(printed()).isEqualTo(1);
        assertThat(harness.lastResult().nodesFinishedTwice()).isEqualTo(1);
    }

    private FaultHarness harness() {
        return new FaultHarness(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private static String[] args(Path dir, String mutation) {
        return new String[] {"--jobs", "1", "--no-crashes", "--no-outages", "--max-deliveries", "1", "--timeout", "600",
                "--work-dir", dir.toString(), "--mutation", mutation};
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
