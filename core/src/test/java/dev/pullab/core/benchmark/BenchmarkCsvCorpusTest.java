package dev.pullab.core.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.RunAnalysis;
import dev.pullab.core.analysis.TextReport;
import dev.pullab.testkit.BadInputCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-CSV corpus ({@code bad-input/csv/}): each file is one VM's {@code benchmark-tip-1.csv} in a run whose base
 * file is valid, analysed by {@link RunAnalysis} as {@code pullab analyze} and the analyzer function do. A bad file
 * stops the analysis with {@code <file>:<line>: <what is wrong>} ({@code <file>: <why>} for a file not read at all:
 * over a read limit); the tolerated ones are compared.
 */
class BenchmarkCsvCorpusTest {

    private static final String HEADER =
            "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";

    @TempDir
    Path run;

    static Stream<BadInputCorpus.Case> csvCases() {
        return BadInputCorpus.stream("csv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("csvCases")
    @DisplayName("a bad benchmark CSV stops the analysis naming the file and line, or is a documented tolerance")
    void givenCorpusCsv_whenAnalysed_thenClearErrorOrTolerated(BadInputCorpus.Case csv) throws IOException {
        Path vm = Files.createDirectories(run.resolve("test_ub/output/i-0abc"));
        Files.writeString(vm.resolve("benchmark-base-1.csv"), HEADER
                + "Execl,lps,1000,true,6.1.141,i-0abc,m5.large,x86_64\n"
                + "Execl,lps,1003,true,6.1.141,i-0abc,m5.large,x86_64\n"
                + "Execl,lps,1001,true,6.1.141,i-0abc,m5.large,x86_64\n");
        Path tip = vm.resolve("benchmark-tip-1.csv");
        Files.write(tip, csv.bytes());

        if (csv.required("expect").equals("accepted")) {
            AnalysisReport report = analyse();
            assertThat(report.tests()).singleElement().satisfies(test -> assertThat(test.comparisons())
                    .extracting(MetricComparison::metric).containsExactly(csv.required("metric")));
            MetricComparison compared = report.tests().get(0).comparisons().get(0);
            assertThat(compared.tip().n()).isEqualTo(csv.number("tip_samples", 0));
            if (csv.flag("finite_statistics")) {
                assertThat(java.util.List.of(compared.tPvalue(), compared.uPvalue(), compared.cohensD(),
                        compared.pctChange(), compared.base().mean(), compared.tip().mean())).allMatch(Double::isFinite);
            }
            if (csv.flag("printable_text_report")) {
                String text = TextReport.render(report);
                assertThat(text.chars()).noneMatch(c -> Character.isISOControl(c) && c != '\n');
                assertThat(text.lines().filter(l -> l.strip().matches("\\W (REGRESSIONS DETECTED|No regressions).*")))
                        .hasSize(1);
            }
        } else {
            AnalysisReport report = analyse();
            assertThat(report.tests()).isEmpty();
            assertThat(report.excludedData()).singleElement().satisfies(x -> {
                assertThat(x.test()).isEqualTo("ub");
                assertThat(x.instanceId()).isEqualTo("i-0abc");
                assertThat(x.reason()).startsWith(tip + csv.string("line").map(line -> ":" + line).orElse("") + ": "
                        + csv.required("message"));
                csv.strings("contains").forEach(part -> assertThat(x.reason()).contains(part));
            });
        }
    }

    @Test
    @DisplayName("a VM with a bad CSV is left out and listed; the other VMs are analysed")
    void givenOneBadVm_whenAnalysed_thenRestAnalysedAndBadVmListed() throws IOException {
        for (String vm : new String[] {"i-1", "i-2", "i-3"}) {
            Path dir = Files.createDirectories(run.resolve("test_ub/output/" + vm));
            Files.writeString(dir.resolve("benchmark-base-1.csv"), HEADER + "Execl,lps,1000,true,6.1.141," + vm
                    + ",m5.large,x86_64\n");
            Files.writeString(dir.resolve("benchmark-tip-1.csv"), HEADER + "Execl,lps,990,true,6.1.150," + vm
                    + ",m5.large,x86_64\n");
        }
        Path bad = Files.createDirectories(run.resolve("test_ub/output/i-bad")).resolve("benchmark-tip-1.csv");
        Files.writeString(bad.resolveSibling("benchmark-base-1.csv"), HEADER + "Execl,lps,1000,true,6.1.141,i-bad,m5.large,x86_64\n");
        Files.writeString(bad, HEADER + "Execl,lps,not-a-number,true,6.1.150,i-bad,m5.large,x86_64\n");

        AnalysisReport report = analyse();

        assertThat(report.tests()).singleElement().satisfies(t -> assertThat(t.comparisons().get(0).base().n())
                .isEqualTo(3));
        assertThat(report.excludedData()).singleElement().satisfies(x -> {
            assertThat(x.instanceId()).isEqualTo("i-bad");
            assertThat(x.reason()).startsWith(bad + ":2: ");
        });
        assertThat(TextReport.render(report)).contains("Data problems (left out; the report covers the rest):\n"
                + "  test ub, VM i-bad: " + bad + ":2: ");
    }

    private AnalysisReport analyse() {
        return RunAnalysis.analyze(new LocalRunSource(run), AnalysisOptions.defaults(), DownloadProgress.SILENT);
    }
}
