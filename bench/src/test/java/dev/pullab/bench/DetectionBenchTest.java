package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The detection harness at a tiny size: four rows, rates in [0, 1], ordered as the rules nest. */
class DetectionBenchTest {

    private static DetectionBench.Result run(long seed, ByteArrayOutputStream buffer) {
        return DetectionBench.run(new DetectionBench.Params(50, 10, 24, 0.02, seed, List.of(-1.0, -3.0, -5.0, -10.0)),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("50 runs: one row per rule, every rate a share, stricter rules never flag more on the same runs")
    void givenTinyRun_whenRun_thenWellFormedAndNested() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        DetectionBench.Result result = run(7, buffer);

        assertThat(result.rows()).extracting(DetectionBench.Row::rule)
                .containsExactly("holm", "bh", "none", DetectionBench.CLOUD_RULE);
        for (DetectionBench.Row row : result.rows()) {
            assertThat(row.falseAlarmRate()).isBetween(0.0, 1.0);
            assertThat(row.meanFalseFlags()).isBetween(0.0, 24.0);
            assertThat(row.detectionRates()).hasSize(4).allMatch(r -> r >= 0.0 && r <= 1.0);
        }
        // same runs for every rule: holm and bh flag a subset of none, none a subset of pullab_cloud's rule
        DetectionBench.Row holm = result.row("holm");
        DetectionBench.Row none = result.row("none");
        DetectionBench.Row cloud = result.row(DetectionBench.CLOUD_RULE);
        assertThat(holm.falseAlarmRate()).isLessThanOrEqualTo(none.falseAlarmRate());
        assertThat(result.row("bh").falseAlarmRate()).isLessThanOrEqualTo(none.falseAlarmRate());
        assertThat(none.falseAlarmRate()).isLessThanOrEqualTo(cloud.falseAlarmRate());
        for (int s = 0; s < 4; s++) {
            assertThat(holm.detectionRates().get(s)).isLessThanOrEqualTo(none.detectionRates().get(s));
            assertThat(none.detectionRates().get(s)).isLessThanOrEqualTo(cloud.detectionRates().get(s));
        }
        assertThat(none.detectionRates().get(3)).as("a 10 %% drop under 2 %% noise").isGreaterThan(0.9);
        assertThat(result.flaggedOnlyByCloud()).isBetween(0, 50);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("machine: ", "os load average", "false alarms", "-10 % found", "pullab_cloud");
    }

    @Test
    @DisplayName("the same seed gives the same figures")
    void givenSameSeed_whenRunTwice_thenSameRows() {
        DetectionBench.Result first = run(3, new ByteArrayOutputStream());
        DetectionBench.Result second = run(3, new ByteArrayOutputStream());

        assertThat(second.rows()).isEqualTo(first.rows());
    }
}
