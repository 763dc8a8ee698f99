package dev.pullab.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("pullab run --results-dir: which keys of a run land where (keys are written by test VMs: hostile)")
class RunDownloadTest {

    private static final Path ROOT = Path.of("/tmp/results/run_boot_1");
    private static final String RUN = "run_boot_1";

    @Test
    @DisplayName("a VM's output file lands at the same relative path under the directory")
    void givenOutputKey_whenTargeted_thenSameRelativePath() {
        assertThat(RunDownload.target(ROOT, RUN, RUN + "/test_basic-test/output/i-0abc/run-1-output.log"))
                .contains(ROOT.resolve("test_basic-test/output/i-0abc/run-1-output.log"));
    }

    @Test
    @DisplayName("the run's analysis (report, plots) lands under analysis/")
    void givenAnalysisKey_whenTargeted_thenUnderAnalysis() {
        assertThat(RunDownload.target(ROOT, RUN, RUN + "/analysis/plots/unixbench.png"))
                .contains(ROOT.resolve("analysis/plots/unixbench.png"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        RUN + "/test_x/output/i-1/../../../../etc/passwd",
        RUN + "/test_x/output/i-1/..",
        RUN + "/test_x/output/i-1/./result.txt",
        RUN + "/test_x/output/i-1//result.txt",
        RUN + "//etc/passwd",
        RUN + "/test_x/output/i-1/.bashrc",
        RUN + "/test_x/output/i-1/-rf",
        RUN + "/test_x/output/i-1/a\\..\\..\\b",
        RUN + "/test_x/output/i-1/line\nbreak",
        RUN + "/test_x/output/i-1/esc\u001b[2Jape",
        RUN + "/test_x/output/i-1/",
        RUN + "/analysis/",
        RUN + "/test_x/output/i-1/a/b/c/d/e/f/g/h/i/j/k",
    })
    @DisplayName("a key that is not made of plain path segments is left in the bucket")
    void givenHostileKey_whenTargeted_thenNothing(String key) {
        assertThat(RunDownload.target(ROOT, RUN, key)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "run_boot_10/test_x/output/i-1/result.txt",
        "run_other/test_x/output/i-1/result.txt",
        RUN + "/test_x/input/payload.zip",
        RUN + "/shared/kernel.rpm",
        RUN + "/test-vm-client.sh",
        RUN + "/test_x/state/i-1/stage",
        RUN + "/test_x/output",
    })
    @DisplayName("only the run's own outputs and analysis are copied: not another run's, not its inputs or state")
    void givenKeyOutsideOutputs_whenTargeted_thenNothing(String key) {
        assertThat(RunDownload.target(ROOT, RUN, key)).isEmpty();
    }

    @Test
    @DisplayName("a relative directory is resolved to an absolute one and the file stays inside it")
    void givenRelativeRoot_whenTargeted_thenInsideAbsoluteRoot() {
        Path root = Path.of("results");

        assertThat(RunDownload.target(root, RUN, RUN + "/test_x/output/i-1/result.txt")).hasValueSatisfying(p ->
                assertThat(p).isAbsolute().startsWithRaw(root.toAbsolutePath()));
    }
}
