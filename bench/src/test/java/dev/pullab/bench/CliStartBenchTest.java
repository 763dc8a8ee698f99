package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of {@code bench/run cli-start}: one whole-process run of each command on a tiny run, with the CLI jar
 * the reactor packaged before this module's tests. No timing is asserted.
 */
class CliStartBenchTest {

    @Test
    @DisplayName("--runs 1 on a tiny run: a row for each floor, before and now, each command exits 0, figures printed")
    void givenOneRun_whenBenched_thenRowsAndFiguresPrinted() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<CliStartBench.Row> rows = CliStartBench.run(
                CliStartBench.Options.parse("--runs", "1", "--vms", "3", "--metrics", "2"),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(rows).extracting(row -> row.command().name()).startsWith("floor: java -version",
                CliStartBench.READ_FLOOR, "before: java -jar", "now: ./pullab");
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.samples()).hasSize(1);
            assertThat(row.samples().get(0).wallMillis()).isPositive();
            assertThat(row.samples().get(0).cpuMillis()).isNotNegative();
        });
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("first run of now: ./pullab").contains("wall median").contains("now / before:")
                .contains("classes loaded, now: ./pullab").contains("load average");
    }

    @Test
    @DisplayName("the read floor prints each metric's base and tip mean, as the analysis would find them")
    void givenRun_whenReadFloorRuns_thenMeansPrinted(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("run/test_t/output/i-1");
        Files.createDirectories(csv);
        String header = "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";
        Files.writeString(csv.resolve("benchmark-base-1.csv"), header + "a,lps,10,true,6.1,i-1,m5,x86_64\n"
                + "a,lps,20,true,6.1,i-1,m5,x86_64\n");
        Files.writeString(csv.resolve("benchmark-tip-1.csv"), header + "a,lps,12,true,6.2,i-1,m5,x86_64\n");
        Files.writeString(csv.resolve("result.txt"), "PASS\n");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            CliReadFloor.main(new String[] {dir.resolve("run").toString()});
        } finally {
            System.setOut(stdout);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("a: base 15.0, tip 12.0\n");
    }

    @Test
    @DisplayName("the Python run is the interpreter itself: what python3 names as sys.executable")
    void givenPython3_whenResolved_thenTheInterpreterItself() {
        String python = CliStartBench.python("python3");

        assertThat(Path.of(python)).isAbsolute().isExecutable();
        assertThat(CliStartBench.python("/nonexistent/python")).isEqualTo("/nonexistent/python");
    }

    @Test
    @DisplayName("options: defaults, and refused values named")
    void givenArguments_whenParsed_thenOptionsOrNamedError() {
        CliStartBench.Options defaults = CliStartBench.Options.parse();

        assertThat(defaults.runs()).isEqualTo(10);
        assertThat(defaults.vms()).isEqualTo(100);
        assertThat(defaults.metrics()).isEqualTo(24);
        assertThatThrownBy(() -> CliStartBench.Options.parse("--runs", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--runs");
        assertThatThrownBy(() -> CliStartBench.Options.parse("--pullab-cloud", "/nonexistent"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("benchmark_analyzer.py");
        assertThatThrownBy(() -> CliStartBench.Options.parse("--previous", "/nonexistent"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cli/target/pullab.jar");
        assertThatThrownBy(() -> CliStartBench.Options.parse("--vms", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
    }
}
