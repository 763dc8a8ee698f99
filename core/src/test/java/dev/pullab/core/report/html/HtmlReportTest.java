package dev.pullab.core.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.analysis.RunBuilder;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.plot.Plot;
import dev.pullab.core.plot.RegressionPlots;
import dev.pullab.core.report.VmCounts;
import dev.pullab.core.report.VmProblem;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HTML run report: what it shows, and that nothing a VM wrote can run, fetch or forge anything in it. */
class HtmlReportTest {

    private static final double[] BASE = {57000, 57600, 56400, 57300, 56700};
    private static final double[] TIP = {42000, 41700, 42300, 41900, 42100};
    private static final String RUN = "run_unixbench_20260520T101500";
    private static final String LOG = "https://logs.example.org/logs/" + RUN + "/test_ltp/output/i-0a1/run-1-output.log";

    private static AnalysisReport regression(String metric) {
        return new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("unixbench", metric, true, BASE, TIP)
                .metric("unixbench", "Dhrystone", true, BASE, BASE).build());
    }

    private static RunPage page(List<KcidbTestEntry> tests, List<VmProblem> problems, Optional<AnalysisReport> analysis,
            String verdict) {
        return new RunPage(RUN, "KernelCI job node 6825f9c0 (test kernelci)", List.of("6.1.141", "6.1.150"),
                Optional.of(new VmCounts(3, 2, 1, 0)), Optional.of(verdict), tests, problems, analysis);
    }

    private static KcidbTestEntry test(String path, KcidbStatus status, String log) {
        return KcidbTestEntry.of(path, status).withLogUrl(URI.create(log)).withMisc("instance_id", "i-0a1");
    }

    private static Map<String, List<Plot>> charts(AnalysisReport report) {
        return Map.of("unixbench", RegressionPlots.render(report.tests().get(0)));
    }

    @Test
    @DisplayName("the run's verdict, its VM counts and each benchmark test's verdict are shown, with stable ids")
    void verdicts() {
        AnalysisReport report = regression("Process_Creation");

        String html = HtmlReport.render(page(List.of(), List.of(), Optional.of(report), "regression (unixbench)"),
                charts(report));

        assertThat(html).contains("<p class=\"verdict regression\" id=\"verdict\">regression (unixbench)</p>")
                .contains("VMs: 3/3 spawned, 2 successful, 1 failed, 0 missing")
                .contains("<p class=\"verdict regression\" id=\"verdict-1\">REGRESSION in 1 metric "
                        + "(Process_Creation -26.3%)</p>")
                .contains("base <b>6.1.141</b> \u2192 tip <b>6.1.150</b>");
    }

    @Test
    @DisplayName("every compared metric is a table row; the regression comes first, with its change and verdict")
    void metricTable() {
        AnalysisReport report = regression("Process_Creation");

        String html = HtmlReport.render(page(List.of(), List.of(), Optional.of(report), "regression (unixbench)"),
                charts(report));

        assertThat(html).containsSubsequence("<tr class=\"regression\"><td class=\"case\">Process_Creation</td>",
                "<b>-26.3%</b>", "regression</td></tr>", "<tr class=\"unflagged\"><td class=\"case\">Dhrystone</td>");
    }

    @Test
    @DisplayName("charts are inline data: images, and the page allows no other request and no script")
    void selfContained() {
        AnalysisReport report = regression("Process_Creation");

        String html = HtmlReport.render(page(List.of(test("ltp.abort01", KcidbStatus.FAIL, LOG)), List.of(),
                Optional.of(report), "regression (unixbench)"), charts(report));

        assertThat(html).contains("<img alt=\"unixbench-overall.png\" src=\"data:image/png;base64,iVBOR")
                .contains("content=\"default-src 'none'; img-src data:;")
                .doesNotContain("<script").doesNotContain("src=\"http").doesNotContain("<link");
    }

    @Test
    @DisplayName("failed cases are named first, each linked to its published log; passed ones are folded")
    void failedCasesLinked() {
        List<KcidbTestEntry> tests = List.of(test("ltp.abort01", KcidbStatus.PASS, LOG),
                test("ltp.fcntl36", KcidbStatus.FAIL, LOG), test("boot", KcidbStatus.PASS, LOG));

        String html = HtmlReport.render(page(tests, List.of(), Optional.empty(), "fail (tests)"), Map.of());

        assertThat(html).contains("<h3 class=\"fail\">ltp: 1 fail, 1 pass</h3>")
                .containsSubsequence("<table class=\"cases failed\">", "ltp.fcntl36", "FAIL", "i-0a1",
                        "<a href=\"" + LOG + "\">run-1-output.log</a>", "<details><summary>1 other result",
                        "ltp.abort01")
                .contains("<h3 class=\"pass\">boot: 1 pass</h3>")
                .doesNotContain("id=\"benchmarks\"");
    }

    @Test
    @DisplayName("a hostile metric name, comment or problem is shown as text: no markup, no bidi reordering")
    void hostileText() {
        AnalysisReport report = regression("<script>alert(1)</script>\u202e");
        KcidbTestEntry hostile = test("ltp.x", KcidbStatus.FAIL, LOG).withComment("\"><img src=x onerror=alert(1)>");

        String html = HtmlReport.render(page(List.of(hostile), List.of(new VmProblem("ltp", Optional.of("i-0a1"),
                VmProblem.Kind.FAILED, "FAILED: <b>boom</b>")), Optional.of(report), "regression"), charts(report));

        assertThat(html).doesNotContain("<script>").doesNotContain("<img src=x").doesNotContain("<b>boom")
                .doesNotContain("\u202e")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;\\u202e")
                .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
                .contains("FAILED: &lt;b&gt;boom&lt;/b&gt;");
    }

    @Test
    @DisplayName("a log URL that is not http(s) is never a link")
    void onlyWebLinks() {
        KcidbTestEntry sneaky = test("ltp.x", KcidbStatus.FAIL, "javascript:alert(1)");

        String html = HtmlReport.render(page(List.of(sneaky), List.of(), Optional.empty(), "fail"), Map.of());

        assertThat(html).doesNotContain("javascript:").doesNotContain("<a href");
    }

    @Test
    @DisplayName("thousands of failed cases: the first 500 are listed and the rest counted")
    void bounded() {
        List<KcidbTestEntry> tests = new ArrayList<>();
        IntStream.range(0, 700).forEach(i -> tests.add(test("ltp.case" + i, KcidbStatus.FAIL, LOG)));

        String html = HtmlReport.render(page(tests, List.of(), Optional.empty(), "fail"), Map.of());

        assertThat(html).contains("ltp.case499<").doesNotContain("ltp.case500<").contains("\u2026 and 200 more");
    }

    @Test
    @DisplayName("the same run gives the same page, byte for byte")
    void deterministic() {
        AnalysisReport report = regression("Process_Creation");
        RunPage page = page(List.of(test("ltp.x", KcidbStatus.FAIL, LOG)), List.of(), Optional.of(report), "r");

        assertThat(HtmlReport.render(page, charts(report))).isEqualTo(HtmlReport.render(page, charts(report)));
    }

    @Test
    @DisplayName("an analysis alone (pullab analyze --html) names where it was read and has no VM counts")
    void analysisOnly() {
        AnalysisReport report = regression("Process_Creation");

        String html = HtmlReport.render(RunPage.ofAnalysis("/tmp/" + RUN, report), charts(report));

        assertThat(html).contains("<h1>" + RUN + "</h1>").contains("benchmark files read from /tmp/" + RUN)
                .contains("id=\"verdict\">regression (unixbench)</p>").doesNotContain("spawned")
                .doesNotContain("id=\"functional\"");
    }
}
