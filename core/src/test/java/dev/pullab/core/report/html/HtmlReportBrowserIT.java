package dev.pullab.core.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.analysis.RunBuilder;
import dev.pullab.core.analysis.VmTestAnalysis;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.plot.Plot;
import dev.pullab.core.plot.RegressionPlots;
import dev.pullab.core.report.VmCounts;
import dev.pullab.core.report.VmProblem;
import dev.pullab.testkit.browser.HeadlessChromium;
import dev.pullab.testkit.browser.PageLoad;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report in a real browser (headless Chromium; skipped without one, except under {@code CI=true}, see
 * {@link HeadlessChromium#startOrSkip()}): a run with a regression, an improvement, two arches, a failed test case
 * and a hostile metric name. A screenshot of each page is kept under {@code target/screenshots/} for a person to look
 * at.
 */
class HtmlReportBrowserIT {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String RUN = "run_kernelci_6825f9c0b4e0b1c9d2a7e0a1";
    private static final String LOG = "https://logs.example.org/logs/" + RUN
            + "/test_ltp/output/i-0a1/run-1-output.log";
    private static HeadlessChromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        browser = HeadlessChromium.startOrSkip();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    private static AnalysisReport analysis() {
        double[] base = {57000, 57600, 56400, 57300, 56700};
        double[] regressed = {42000, 41700, 42300, 41900, 42100};
        double[] improved = {61000, 61500, 60800, 61200, 60900};
        return new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("unixbench", "Process_Creation", true, "x86_64", base, regressed)
                .metric("unixbench", "System_Call_Overhead", true, "x86_64", base, improved)
                .metric("unixbench", "Dhrystone", true, "x86_64", base, base)
                .metric("unixbench", "Process_Creation", true, "arm64", base, regressed)
                .metric("unixbench", "</td><script>alert(1)</script>", true, "arm64", base, base)
                .build());
    }

    private PageLoad open(RunPage page, Map<String, List<Plot>> charts, String name) throws IOException {
        Path html = dir.resolve(name + ".html");
        Files.writeString(html, HtmlReport.render(page, charts), StandardCharsets.UTF_8);
        PageLoad load = browser.open(html.toUri(), Duration.ofSeconds(30));
        browser.saveScreenshot(SCREENSHOTS.resolve(name + ".png"));
        return load;
    }

    @Test
    @DisplayName("a run's report loads with no error and no request, and shows the run's and each test's verdict")
    void runReport() throws IOException {
        AnalysisReport analysis = analysis();
        Map<String, List<Plot>> charts = new LinkedHashMap<>();
        for (VmTestAnalysis test : analysis.tests()) {
            charts.put(test.test(), RegressionPlots.render(test));
        }
        List<KcidbTestEntry> tests = List.of(
                KcidbTestEntry.of("boot", KcidbStatus.PASS).withLogUrl(URI.create(LOG)),
                KcidbTestEntry.of("ltp.fcntl36", KcidbStatus.FAIL).withLogUrl(URI.create(LOG))
                        .withMisc("instance_id", "i-0a1"),
                KcidbTestEntry.of("ltp.abort01", KcidbStatus.PASS).withLogUrl(URI.create(LOG)));
        RunPage page = new RunPage(RUN, "KernelCI job node 6825f9c0b4e0b1c9d2a7e0a1 (test kernelci)",
                List.of("6.1.141", "6.1.150"), Optional.of(new VmCounts(10, 9, 1, 0)),
                Optional.of("regression (unixbench)"), tests, List.of(new VmProblem("ltp", Optional.of("i-0a1"),
                        VmProblem.Kind.FAILED, "FAILED: Exit code 1 at run 2")), Optional.of(analysis));

        PageLoad load = open(page, charts, "report");

        assertThat(load.problems()).isEmpty();
        assertThat(load.externalRequests()).isEmpty();
        assertThat(browser.textOf("verdict")).hasValue("regression (unixbench)");
        assertThat(browser.textOf("verdict-1")).hasValue("REGRESSION in 1 metric (Process_Creation -26.3%)");
        assertThat(browser.texts("table.cases.failed td.case")).containsExactly("ltp.fcntl36");
        assertThat(browser.texts("table.cases.failed a")).containsExactly("run-1-output.log");
        assertThat(browser.texts("tr.regression td.case")).containsExactly("Process_Creation");
        assertThat(browser.texts("tr.improvement td.case")).containsExactly("System_Call_Overhead");
        assertThat(browser.evaluate("String(document.querySelectorAll('script').length)")).isEqualTo("0");
        assertThat(browser.evaluate("String([...document.images].every(i => i.complete && i.naturalWidth > 1000))"))
                .as("every chart decoded").isEqualTo("true");
        assertThat(load.text()).contains("VMs: 10/10 spawned, 9 successful, 1 failed, 0 missing")
                .contains("</td><script>alert(1)</script>");
    }

    @Test
    @DisplayName("the runs index loads with no error and shows each run's verdict, linking closed runs' reports")
    void runsIndex() throws IOException {
        Path html = dir.resolve("index.html");
        Files.writeString(html, RunsIndex.render(List.of(
                new RunsIndex.Entry(new dev.pullab.core.run.RunRecord(RUN, "kernelci", Optional.of("6825f9c0"),
                        dev.pullab.core.run.Executor.EC2, List.of("unixbench"), List.of(), 10, List.of(),
                        dev.pullab.core.run.RunRecord.RunState.DONE, 1_764_000_000L, 1_764_003_600L),
                        Optional.of("regression (unixbench); VMs: 10/10 spawned, 9 successful, 1 failed, 0 missing")))),
                StandardCharsets.UTF_8);

        PageLoad load = browser.open(html.toUri(), Duration.ofSeconds(30));
        browser.saveScreenshot(SCREENSHOTS.resolve("index.png"));

        assertThat(load.problems()).isEmpty();
        assertThat(load.externalRequests()).isEmpty();
        assertThat(browser.texts("td .verdict")).containsExactly("regression (unixbench)");
        assertThat(browser.texts("a")).containsExactly(RUN);
    }
}
