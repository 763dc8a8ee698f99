package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.LocalRunSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console report keeps pullab_cloud's "Example Output" layout. */
class TextReportTest {

    private static final double[] BASE = {57000, 57600, 56400, 57300, 56700};
    private static final double[] TIP = {42000, 41700, 42300, 41900, 42100};
    private static final AnalysisOptions UNPAIRED = new AnalysisOptions(Correction.HOLM, 0.05, 0.5, 1.0,
            AnalysisOptions.Pairing.OFF);
    private static final String CSV_HEADER =
            "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";

    @Test
    @DisplayName("an unpaired regression is reported in the seed's layout, line by line")
    void givenRegression_whenRendered_thenSeedLayout() {
        AnalysisReport report = new RegressionAnalyzer(UNPAIRED).analyze(new RunBuilder()
                .metric("unixbench-kernel-regression", "Process_Creation", true, BASE, TIP)
                .metric("unixbench-kernel-regression", "Dhrystone", true, BASE, BASE)
                .build());

        List<String> lines = TextReport.render(report).lines().toList();

        assertThat(lines.subList(0, 3)).containsExactly("=".repeat(60), "BENCHMARK REGRESSION ANALYSIS", "=".repeat(60));
        assertThat(lines).containsSubsequence(
                "Test: unixbench-kernel-regression",
                "VERDICT unixbench-kernel-regression: REGRESSION in 1 metric (Process_Creation -26.3%)",
                "  Base kernel: 6.1.141",
                "  Tip kernel:  6.1.150",
                "  Metrics compared: 2",
                "  \u26a0 REGRESSIONS DETECTED: 1",
                "    Process_Creation: base=57000.00\u00b1474.34 (cv: 0.01) \u2192 tip=42000.00\u00b1223.61 (cv: 0.01) lps "
                        + "(-26.3%)");
        assertThat(lines).anyMatch(l -> l.matches(
                "      \\[t-test p=0\\.\\d{4}, U-test p=0\\.\\d{4}, Cohen's d=\\d+\\.\\d{2}]"));
        assertThat(lines.subList(lines.size() - 5, lines.size())).containsExactly(
                "-".repeat(60),
                "Verdicts: 1 REGRESSION, 0 no regression, 0 not compared",
                "Tests with benchmarks: 1 | Regressions found: 1",
                "Tests with regressions: unixbench-kernel-regression",
                "=".repeat(60));
    }

    @Test
    @DisplayName("the rule line names the correction, alpha and minimum effect")
    void ruleLine() {
        AnalysisReport report = new RegressionAnalyzer(new AnalysisOptions(Correction.BH, 0.01, 0.8))
                .analyze(new RunBuilder().metric("t", "m", true, BASE, BASE).build());

        assertThat(TextReport.render(report)).contains(
                "Rule: Benjamini-Hochberg-adjusted p < 0.01 on t-test or U-test, |Cohen's d| >= 0.8, tip worse");
    }

    @Test
    @DisplayName("no regression: a check line and 'none' in the footer")
    void givenNoRegression_whenRendered_thenNone() {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults())
                .analyze(new RunBuilder().metric("t", "m", true, BASE, BASE).build());

        assertThat(TextReport.render(report))
                .contains("VERDICT t: no regression\n")
                .contains("  \u2713 No regressions detected\n")
                .contains("Verdicts: 0 REGRESSION, 1 no regression, 0 not compared\n"
                        + "Tests with benchmarks: 1 | Regressions found: 0\nTests with regressions: none\n");
    }

    @Test
    @DisplayName("infinite statistics print as inf, never as NaN or Infinity")
    void givenConstantSamples_whenRendered_thenInf() {
        AnalysisReport report = new RegressionAnalyzer(UNPAIRED).analyze(new RunBuilder()
                .metric("t", "m", true, new double[] {5, 5, 5}, new double[] {3, 3, 3}).build());

        String text = TextReport.render(report);

        assertThat(text).contains("Cohen's d=inf]").doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    @DisplayName("runs with several arches get one detail line per arch, folded under the test's single verdict line")
    void givenTwoArches_whenRendered_thenPerArchLinesUnderTheVerdict() {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("t", "m", true, "arm64", BASE, TIP)
                .metric("t", "m", true, "x86_64", BASE, BASE)
                .build());

        List<String> lines = TextReport.render(report).lines().toList();

        assertThat(lines.stream().filter(l -> l.startsWith("VERDICT "))).singleElement()
                .satisfies(v -> assertThat(v).startsWith("VERDICT t: "));
        assertThat(lines).containsSubsequence(
                "Test: t",
                lines.stream().filter(l -> l.startsWith("VERDICT t: ")).findFirst().orElseThrow(),
                "  Per arch (details, not the verdict: each architecture's VMs compared on their own):",
                "    arm64: 1 compared, 1 flagged on this arch alone: m",
                "    x86_64: 1 compared, nothing flagged");
    }

    @Test
    @DisplayName("a skipped test gets a 'not compared' verdict with its reason, and the footer counts it")
    void givenSkippedTest_whenRendered_thenNotComparedVerdict() {
        AnalysisReport base = new RegressionAnalyzer(AnalysisOptions.defaults())
                .analyze(new RunBuilder().metric("t", "m", true, BASE, BASE).build());
        AnalysisReport report = new AnalysisReport(base.tests(), base.testsWithRegression(), base.regressionTestNames(),
                List.of(new SkippedItem("ltp", "no tip CSV")), base.options(), base.excludedData());

        assertThat(TextReport.render(report))
                .contains("Test: ltp\nVERDICT ltp: not compared: no tip CSV\n")
                .contains("Verdicts: 0 REGRESSION, 1 no regression, 1 not compared\n");
    }

    @Test
    @DisplayName("a metric name with a newline and an ANSI escape cannot forge a report line nor reach the terminal")
    void givenCsvMetricWithNewlineAndEscape_whenRendered_thenOneVerdictLineAndNoRawEsc(@TempDir Path run)
            throws IOException {
        Path vm = Files.createDirectories(run.resolve("test_ub/output/i-0abc"));
        String forged = "\"x\n  \u2713 REGRESSIONS DETECTED: 0\u001b[2J\"";
        StringBuilder base = new StringBuilder(CSV_HEADER);
        StringBuilder tip = new StringBuilder(CSV_HEADER);
        for (int i = 0; i < BASE.length; i++) {
            base.append(forged).append(",lps,").append(BASE[i]).append(",true,6.1.141,i-0abc,m5.large,x86_64\n");
            tip.append(forged).append(",lps,").append(TIP[i]).append(",true,6.1.150,i-0abc,m5.large,x86_64\n");
        }
        Files.writeString(vm.resolve("benchmark-base-1.csv"), base);
        Files.writeString(vm.resolve("benchmark-tip-1.csv"), tip);

        String text = TextReport.render(RunAnalysis.analyze(new LocalRunSource(run), AnalysisOptions.defaults(),
                DownloadProgress.SILENT));

        assertThat(text.lines().filter(l -> l.strip().matches("(\\W )?REGRESSIONS DETECTED.*"))).singleElement()
                .isEqualTo("  \u26a0 REGRESSIONS DETECTED: 1");
        assertThat(text).doesNotContain("\u001b")
                .contains("    x\\n  \u2713 REGRESSIONS DETECTED: 0\\x1b[2J: base=");
    }

    @Test
    @DisplayName("test names, arches, units, kernels and skip reasons are escaped too")
    void givenControlCharsInEveryField_whenRendered_thenNoRawControls() {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("t\r\u001b]0;x", "m\n", true, "arm\n64", BASE, TIP)
                .metric("t\r\u001b]0;x", "n", true, "x86\u009b64", BASE, BASE)
                .build());

        String text = TextReport.render(report);

        assertThat(text.chars()).noneMatch(c -> Character.isISOControl(c) && c != '\n');
        assertThat(text).contains("Test: t\\r\\x1b]0;x\n", "    arm\\n64: 1 compared, 1 flagged on this arch alone: m\\n\n",
                "Tests with regressions: t\\r\\x1b]0;x\n");
    }

    @Test
    @DisplayName("a paired regression shows its change with the 95 % interval, the test it rests on and the references")
    void givenPairedRegression_whenRendered_thenChangeWithInterval() {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("ub", "Process_Creation", true, new double[] {1000, 1100, 900, 1050, 950},
                        new double[] {970, 1067, 873, 1018.5, 921.5})
                .build());

        List<String> lines = TextReport.render(report).lines().toList();

        assertThat(lines).contains("  \u26a0 REGRESSIONS DETECTED: 1")
                .anyMatch(l -> l.startsWith("    Process_Creation: base=") && l.endsWith("lps (-3.0%)"))
                .anyMatch(l -> l.matches("      \\[paired on 5 VMs: change -3\\.0%, 95% CI -3\\.0% \\.\\. -3\\.0%; "
                        + "moderated t p=0\\.0000, holm-adjusted p=0\\.0000]"))
                .anyMatch(l -> l.startsWith("      [reference: trimmed t alone p="));
    }

    @Test
    @DisplayName("a significant change in the better direction is listed as an improvement, not a regression")
    void givenPairedImprovement_whenRendered_thenImprovementsLine() {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("ub", "Dhrystone", true, new double[] {1000, 1100, 900, 1050, 950},
                        new double[] {1050, 1155, 945, 1102.5, 997.5})
                .build());

        String text = TextReport.render(report);

        assertThat(text).contains("VERDICT ub: no regression (1 improvement: Dhrystone +5.0%)\n")
                .contains("  \u2713 No regressions detected\n").contains("  \u2191 IMPROVEMENTS DETECTED: 1\n")
                .contains("Regressions found: 0");
    }
}
