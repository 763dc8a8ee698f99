package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The VM-offset model of the detection harness at a tiny size: structure and sanity, never timing. */
class VmModelDetectionTest {

    private static final List<VmModelDetection.Extra> EXTRAS = List.of(VmModelDetection.Extra.parse("trim:0.2"),
            VmModelDetection.Extra.parse("trim:0.1"), VmModelDetection.Extra.parse("mad:4:1s"));

    private static VmModelDetection.Result run(long seed, int threads, ByteArrayOutputStream buffer) {
        return VmModelDetection.run(new VmModelDetection.Params(40, List.of(5, 10), 24, 0.01, 0.04, 0.1, 0.10, 0.20,
                seed, List.of(-3.0, -10.0), EXTRAS, threads), new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("40 runs: one row per rule and a cell per VM count, rates are shares, a 10 % drop is found paired")
    void givenTinyRun_whenRun_thenWellFormedAndSane() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        VmModelDetection.Result result = run(7, 2, buffer);

        assertThat(result.rows()).extracting(VmModelDetection.Row::rule).containsExactly(VmModelDetection.CLOUD,
                VmModelDetection.UNPAIRED_HOLM, VmModelDetection.PAIRED_DEFAULT, VmModelDetection.PAIRED_T,
                VmModelDetection.WILCOXON, "ref trim 20%", "ref trim 10%", "ref mad 4 1s");
        for (VmModelDetection.Row row : result.rows()) {
            assertThat(row.cells()).extracting(VmModelDetection.Cell::vms).containsExactly(5, 10);
            for (VmModelDetection.Cell cell : row.cells()) {
                assertThat(cell.falseAlarmRate()).isBetween(0.0, 1.0);
                assertThat(cell.detectionRates()).hasSize(2).allMatch(r -> r >= 0.0 && r <= 1.0);
            }
        }
        VmModelDetection.Row paired = result.row(VmModelDetection.PAIRED_DEFAULT);
        assertThat(paired.cell(10).detectionRates().get(1)).as("a 10 %% drop, 10 VMs, 1 %% in-VM noise")
                .isGreaterThan(0.9);
        // the harness's trimmed t on each metric alone (core's default also borrows variance across metrics)
        assertThat(result.row("ref trim 20%").cell(10).detectionRates().get(1)).as("unmoderated, 10 %% drop")
                .isGreaterThan(0.5);
        // the Wilcoxon test cannot reach Holm's threshold with 5 pairs (smallest two-sided p 1/16)
        assertThat(result.row(VmModelDetection.WILCOXON).cell(5).detectionRates()).containsOnly(0.0);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("machine: ", "os load average", " 5 VMs ", " 10 VMs ", "alarm", "-10%",
                "paired default", "pullab_cloud");
    }

    @Test
    @DisplayName("the same seed gives the same figures, whatever the thread count")
    void givenSameSeed_whenRunTwice_thenSameRows() {
        VmModelDetection.Result first = run(3, 1, new ByteArrayOutputStream());
        VmModelDetection.Result second = run(3, 2, new ByteArrayOutputStream());

        assertThat(second.rows()).isEqualTo(first.rows());
    }

    @Test
    @DisplayName("extra rules parse as kind:param[:1s]; the MAD filter drops only the far-out values")
    void givenExtraSpecs_whenParsed_thenLabelledOrRefused() {
        assertThat(VmModelDetection.Extra.parse("trim:0.1").label()).isEqualTo("ref trim 10%");
        assertThat(VmModelDetection.Extra.parse("mad:4.5:1s").label()).isEqualTo("ref mad 4.5 1s");
        assertThatThrownBy(() -> VmModelDetection.Extra.parse("trim:0.5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VmModelDetection.Extra.parse("median:1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VmModelDetection.Extra.parse("mad:4:2s")).isInstanceOf(IllegalArgumentException.class);

        double[] kept = VmModelDetection.withoutOutliers(new double[] {0.01, -0.01, 0.0, 0.005, -0.005, 0.15}, 4);

        assertThat(kept).containsExactly(0.01, -0.01, 0.0, 0.005, -0.005);
    }

    @Test
    @DisplayName("command line: bad options exit 2; --model independent runs the earlier table")
    void givenCommandLine_whenExecuted_thenExitCodes() {
        assertThat(new CommandLine(new DetectionBench()).execute("--extra", "foo:1")).isEqualTo(2);
        assertThat(new CommandLine(new DetectionBench()).execute("--vm-counts", "2")).isEqualTo(2);
        assertThat(new CommandLine(new DetectionBench()).execute("--model", "independent", "--runs", "5"))
                .isEqualTo(0);
    }
}
