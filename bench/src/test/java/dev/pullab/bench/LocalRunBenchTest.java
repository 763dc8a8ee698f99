package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The local-run harness: what it reads from a run's progress lines and aws calls, and its dry run. */
class LocalRunBenchTest {

    @TempDir
    Path dir;

    private static final List<LocalRunBench.Line> LINES = List.of(
            new LocalRunBench.Line(1.5, "pullab: AWS emulator: moto_server at http://127.0.0.1:1"),
            new LocalRunBench.Line(4.0, "[local-run] BuildComplete event: benchmark regression run of s3://b/c.json"),
            new LocalRunBench.Line(9.0, "[local-run] waiting for VMs: 0/6 done, 4 running, 5 s"),
            new LocalRunBench.Line(12.0, "[local-run] VM i-1 (test kernelci-boot): boot 1 → exit 0"),
            new LocalRunBench.Line(20.0, "[local-run] VM i-2 (test kernelci-ltp): boot 2 → exit 0"),
            new LocalRunBench.Line(26.0, "Done in 25.5 s (outputs in x)"));

    @Test
    @DisplayName("phases come from the progress lines: setup to BuildComplete, VMs to the last VM line, close to Done")
    void phasesFromProgressLines() {
        LocalRunBench.Measure m = LocalRunBench.measure("now", 0, 27.0, LINES, List.of());

        assertThat(m.setupS()).isEqualTo(4.0);
        assertThat(m.vmsS()).isEqualTo(16.0);
        assertThat(m.closeS()).isEqualTo(6.0);
        assertThat(m.exitS()).isEqualTo(1.0);
        assertThat(m.longestSilenceS()).isEqualTo(8.0);
    }

    @Test
    @DisplayName("uploads are put-object calls and copies from a local path, not downloads")
    void uploadsCounted() {
        List<String> calls = List.of(
                "--region us-east-1 --endpoint-url http://x s3api get-object --bucket b --key k f",
                "--region us-east-1 --endpoint-url http://x s3 cp --recursive --only-show-errors s3://b/run/shared/ d",
                "--region us-east-1 --endpoint-url http://x s3api put-object --bucket b --key k --body f",
                "--region us-east-1 --endpoint-url http://x s3 cp --recursive --only-show-errors /w/outbox-1 s3://b/o/");

        LocalRunBench.Measure m = LocalRunBench.measure("now", 0, 1.0, LINES, calls);

        assertThat(m.awsCalls()).isEqualTo(4);
        assertThat(m.uploadCalls()).isEqualTo(2);
    }

    @Test
    @DisplayName("the table shows each build's median and range side by side")
    void tableSideBySide() {
        List<LocalRunBench.Build> builds = List.of(new LocalRunBench.Build("baseline", Path.of("a.jar"), true),
                new LocalRunBench.Build("now", Path.of("b.jar"), false));
        List<LocalRunBench.Measure> measures = List.of(
                LocalRunBench.measure("baseline", 0, 40.0, LINES, List.of("a put-object b", "c", "d")),
                LocalRunBench.measure("now", 0, 27.0, LINES, List.of("c")));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        LocalRunBench.print(measures, builds, new PrintStream(buffer, true, StandardCharsets.UTF_8));

        String table = buffer.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("baseline (1 runs)").contains("now (1 runs)");
        assertThat(table).containsPattern("wall time \\(s\\) +40\\.0 \\[40\\.0 - 40\\.0\\] +27\\.0 \\[27\\.0 - 27\\.0\\]");
        assertThat(table).containsPattern("aws CLI calls +3\\.0 .* +1\\.0 ");
    }

    @Test
    @DisplayName("smoke: a dry run of one run per build prints each command and its counting shim, writes and runs nothing")
    void dryRunSmoke() throws Exception {
        Path jar = Files.writeString(dir.resolve("pullab.jar"), "not run");
        Path baseline = Files.writeString(dir.resolve("baseline.jar"), "not run");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new LocalRunBench()).execute("--runs", "1", "--dry-run", "--jar", jar.toString(),
                    "--baseline-jar", baseline.toString(), "--work-dir", dir.resolve("work").toString());
        } finally {
            System.setOut(out);
        }

        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(printed).contains("baseline run 1: ").contains("now run 1: ")
                .contains(jar.toAbsolutePath() + " local-run --work-dir ").contains("PULLAB_AWS_CLI=");
        assertThat(printed).contains(dir.resolve("work/now-1/aws-count/aws").toAbsolutePath().toString());
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    @DisplayName("--runs outside 1 to 20 is bad usage (exit 2)")
    void runsBounded() {
        assertThat(new CommandLine(new LocalRunBench()).execute("--runs", "0", "--dry-run")).isEqualTo(2);
    }
}
