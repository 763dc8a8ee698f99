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

/** The fault harness at small size: every fault kind is injected, and nothing is lost, doubled or changed. */
class FaultHarnessIT {

    @Test
    @DisplayName("one job and a BuildComplete run through duplicates (some at once), a crash at every write of every"
            + " step boundary and outages: nothing lost, doubled or changed")
    void givenEveryFaultKind_whenOneJobRuns_thenNothingLostOrDoubled(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        FaultHarness harness = new FaultHarness(new PrintStream(printed, true, StandardCharsets.UTF_8));
        new CommandLine(harness).parseArgs("--jobs", "1", "--timeout", "600", "--work-dir", dir.toString());

        FaultHarness.Result result = harness.run();

        assertThat(result.crashes()).hasSizeGreaterThan(10)
                .anyMatch(c -> c.startsWith("poller:")).anyMatch(c -> c.startsWith("orchestrator:")
                        || c.startsWith("trigger:")).anyMatch(c -> c.startsWith("analyzer:"));
        assertThat(result.crashes()).as("a boundary reached twice in one invocation is crashed at its second write")
                .anyMatch(c -> c.endsWith(" #2"));
        assertThat(result.killedInvocations()).isEqualTo(result.crashes().size());
        assertThat(result.duplicateDeliveries()).isPositive();
        assertThat(result.concurrentDeliveries()).isPositive();
        assertThat(result.apiFaults()).isPositive();
        assertThat(result.runs()).isEqualTo(2);
        assertThat(result.jobsLost()).isZero();
        assertThat(result.jobsRunTwice()).isZero();
        assertThat(result.vmsLaunchedTwice()).isZero();
        assertThat(result.submissionsDoubled()).isZero();
        assertThat(result.resultsDiffering()).as(String.join("\n", result.differences())).isZero();
        assertThat(result.nodesFinishedTwice()).isZero();
        assertThat(result.deadLettersLeft()).isZero();
        assertThat(result.clean()).isTrue();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("jobs lost                    0");
    }
}
