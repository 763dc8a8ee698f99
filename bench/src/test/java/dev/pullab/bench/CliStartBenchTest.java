package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of {@code bench/run cli-start}: one whole-process run of each command on a tiny run, with the CLI jar
 * the reactor packaged before this module's tests. No timing is asserted.
 */
class CliStartBenchTest {

    @Test
    @DisplayName("--runs 1 on a tiny run: a row for the floor, before and now, each command exits 0, figures printed")
    void givenOneRun_whenBenched_thenRowsAndFiguresPrinted() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<CliStartBench.Row> rows = CliStartBench.run(
                CliStartBench.Options.parse("--runs", "1", "--vms", "3", "--metrics", "2"),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(rows).extracting(row -> row.command().name()).startsWith("floor: java -version",
                "before: java -jar", "now: ./pullab");
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.samples()).hasSize(1);
            assertThat(row.samples().get(0).wallMillis()).isPositive();
            assertThat(row.samples().get(0).cpuMillis()).isNotNegative();
        });
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("first run of ./pullab").contains("wall median").contains("now / before:")
                .contains("classes loaded, now: ./pullab").contains("load average");
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
        assertThatThrownBy(() -> CliStartBench.Options.parse("--vms", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
    }
}
