package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The S3 analysis harness at a tiny size: the whole run is read every time and the figures are printed. */
class AnalysisS3BenchTest {

    @Test
    @DisplayName("4 VMs x 2 runs: 16 objects uploaded, 8 CSVs read per analysis, 24 metrics compared")
    void givenTinyRun_whenRun_thenWholeRunAnalysed() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        AnalysisS3Bench.Result result = AnalysisS3Bench.run(new AnalysisS3Bench.Params(4, 24, 1, 2, 42),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));

        assertThat(result.objects()).isEqualTo(16);
        assertThat(result.csvObjects()).isEqualTo(8);
        assertThat(result.csvBytes()).isPositive().isLessThan(result.bytes());
        assertThat(result.first().files()).isEqualTo(8);
        assertThat(result.first().bytes()).isEqualTo(result.csvBytes());
        assertThat(result.metricsCompared()).isEqualTo(24);
        assertThat(result.total().n()).isEqualTo(2);
        assertThat(result.fetch().median()).isPositive().isLessThanOrEqualTo(result.total().max());
        assertThat(result.location()).startsWith("s3://pullab-bench-");
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("machine: ", "os load average", "16 objects", "8 benchmark CSVs",
                "first run (cold JVM", "warm, whole analysis: median", "p90");
    }

    @Test
    @DisplayName("with AnalysisBenchmark's seed, 1 in 6 metrics of the tip is 3 % slower")
    void givenDefaultSeed_whenGenerated_thenLayoutAndSizes() {
        var files = BenchRunData.files(100, 24, 42, false);

        assertThat(files).hasSize(200);
        assertThat(files.keySet()).allMatch(k -> k.matches(
                "test_unixbench-kernel-regression/output/i-[0-9a-f]{17}/benchmark-(base|tip)-1\\.csv"));
        assertThat(new String(files.values().iterator().next(), StandardCharsets.UTF_8).lines()).hasSize(25);
    }
}
