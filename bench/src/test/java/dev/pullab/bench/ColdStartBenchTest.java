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
 * Smoke test of {@code bench/run cold-start}: one cold start per function on the jars the reactor packaged before this
 * module's tests (the bench depends on the function modules through the CLI), against moto_server.
 */
class ColdStartBenchTest {

    @Test
    @DisplayName("--runs 1: a row per function and the hello world, every figure positive, every probe verified")
    void givenOneRun_whenBenched_thenEveryRowPresentAndPositive() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<ColdStartBench.Row> rows = ColdStartBench.run(ColdStartBench.Options.parse("--runs", "1"),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(rows).extracting(ColdStartBench.Row::name).containsExactly("hello-world", "poller",
                "orchestrator (jobs queue)", "orchestrator (trigger)", "analyzer (results queue)",
                "analyzer (sweeper)");
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.samples()).hasSize(1);
            assertThat(row.jarBytes()).isPositive();
            assertThat(row.minTotal()).isPositive();
            assertThat(row.medianTotal()).isPositive();
            assertThat(row.medianInit()).isPositive();
            assertThat(row.medianInvoke()).isPositive();
            assertThat(row.medianCpu()).isPositive();
        });
        assertThat(rows.get(0).jarMiB()).isLessThan(0.1);
        assertThat(rows.subList(1, rows.size())).allSatisfy(row -> assertThat(row.jarMiB()).isGreaterThan(1));
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("load average").contains("-XX:+UseSerialGC").contains("hello-world").contains("x hello")
                .contains("analyzer (sweeper)");
    }

    @Test
    @DisplayName("options: defaults, --only, and a refused function name")
    void givenArguments_whenParsed_thenOptions() {
        ColdStartBench.Options defaults = ColdStartBench.Options.parse();
        ColdStartBench.Options some = ColdStartBench.Options.parse("--runs", "3", "--only", "poller,analyzer",
                "--prime", "--twice");

        assertThat(defaults.runs()).isEqualTo(10);
        assertThat(defaults.only()).containsExactlyElementsOf(ColdStartBench.FUNCTIONS);
        assertThat(some.runs()).isEqualTo(3);
        assertThat(some.only()).containsExactly("poller", "analyzer");
        assertThat(some.prime()).isTrue();
        assertThat(some.twice()).isTrue();
        assertThatThrownBy(() -> ColdStartBench.Options.parse("--only", "nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        assertThat(ColdStartBench.help()).contains("--runs N").contains("--baseline");
    }

    @Test
    @DisplayName("median of odd and even counts")
    void givenValues_whenMedian_thenMiddle() {
        assertThat(ColdStartBench.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(ColdStartBench.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}
