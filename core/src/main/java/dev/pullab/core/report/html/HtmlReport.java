package dev.pullab.core.report.html;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.PairedComparison;
import dev.pullab.core.analysis.SampleSummary;
import dev.pullab.core.analysis.SkippedItem;
import dev.pullab.core.analysis.TextReport;
import dev.pullab.core.analysis.VmTestAnalysis;
import dev.pullab.core.benchmark.ExcludedData;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.plot.Plot;
import dev.pullab.core.report.VmCounts;
import dev.pullab.core.report.VmProblem;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A run's report as one self-contained HTML page ({@code analysis/report.html}): the summary (trigger, kernels,
 * {@code VMs: X/X spawned, …}, verdict), the functional results per test with every failed case named and linked to
 * its published log, the problems, and per benchmark test its verdict, a table of every compared metric (base, tip,
 * change with its 95 % interval, p-values, verdict) and its charts inline.
 *
 * <p>Self-contained and inert: no script, styles inline, charts as {@code data:} images, and a Content Security
 * Policy that forbids any other request, so opening a report never fetches anything nor runs anything a VM wrote.
 * Every string is escaped ({@link Html}). Long lists are bounded ({@value #MAX_ROWS} rows per section, the rest
 * counted), so a run of thousands of cases still opens quickly. The same input always gives the same bytes.
 *
 * <p>Elements carry stable ids and classes for tools (and the browser test): {@code id="verdict"} holds the run's
 * verdict; each benchmark test's verdict is in {@code id="verdict-<n>"} ({@code n} from 1, in report order) with
 * class {@code regression}, {@code improvement}, {@code pass} or {@code not-compared}.
 */
public final class HtmlReport {

    /** At most this many rows per table or list; the rest are counted. */
    static final int MAX_ROWS = 500;
    /** Function results that are failures, named first and in full. */
    private static final List<KcidbStatus> FAILED = List.of(KcidbStatus.FAIL, KcidbStatus.ERROR, KcidbStatus.MISS);
    private static final String CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            + "base-uri 'none'; form-action 'none'";

    private HtmlReport() {
    }

    /**
     * @param page   what to show
     * @param charts each benchmark test's charts by test name (overall first), as {@code RegressionPlots} drew them
     * @return the page, UTF-8 text
     */
    public static String render(RunPage page, Map<String, List<Plot>> charts) {
        StringBuilder out = new StringBuilder(64 * 1024);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.text(page.verdict().map(v -> v + " \u2014 ").orElse("") + page.run()))
                .append("</title>\n<style>").append(Style.CSS).append("</style>\n</head>\n<body>\n");
        summary(out, page);
        functional(out, page);
        problems(out, page.problems());
        page.analysis().ifPresent(analysis -> benchmarks(out, analysis, charts));
        out.append("<footer>pullab run report \u00b7 ").append(Html.text(page.run())).append("</footer>\n")
                .append("</body>\n</html>\n");
        return out.toString();
    }

    // ---- summary

    private static void summary(StringBuilder out, RunPage page) {
        out.append("<header>\n<h1>").append(Html.text(page.run())).append("</h1>\n");
        page.verdict().ifPresent(v -> out.append("<p class=\"verdict ").append(runVerdictClass(v))
                .append("\" id=\"verdict\">").append(Html.text(v)).append("</p>\n"));
        out.append("<table class=\"facts\">\n");
        fact(out, "Trigger", Html.text(page.trigger()));
        if (!page.kernels().isEmpty()) {
            fact(out, "Kernels", String.join("<br>", page.kernels().stream().map(Html::text).toList()));
        }
        page.vms().ifPresent(vms -> fact(out, "VMs", vmLine(vms)));
        page.analysis().ifPresent(a -> fact(out, "Benchmarks", a.tests().size() + (a.tests().size() == 1 ? " test" : " tests") + " compared, "
                + a.testsWithRegression() + " with a regression" + (a.skippedTests().isEmpty() ? ""
                        : ", " + a.skippedTests().size() + " not compared")));
        long failed = page.tests().stream().filter(HtmlReport::failed).count();
        if (!page.tests().isEmpty()) {
            fact(out, "Functional", page.tests().size() + " results, " + failed + " failed");
        }
        out.append("</table>\n</header>\n");
    }

    private static String vmLine(VmCounts vms) {
        return Html.text(vms.summary()) + (vms.failed() + vms.missing() > 0 ? " <span class=\"bad\">("
                + (vms.failed() + vms.missing()) + " did not succeed)</span>" : "");
    }

    private static void fact(StringBuilder out, String name, String html) {
        out.append("<tr><th>").append(name).append("</th><td>").append(html).append("</td></tr>\n");
    }

    private static String runVerdictClass(String verdict) {
        if (verdict.startsWith("regression")) {
            return "regression";
        }
        return verdict.startsWith("pass") || verdict.startsWith("no regression") ? "pass" : "fail";
    }

    // ---- functional results

    private static boolean failed(KcidbTestEntry test) {
        return test.status().filter(FAILED::contains).isPresent();
    }

    private static void functional(StringBuilder out, RunPage page) {
        if (page.tests().isEmpty()) {
            return;
        }
        out.append("<section id=\"functional\">\n<h2>Functional results</h2>\n");
        Map<String, List<KcidbTestEntry>> bySuite = new LinkedHashMap<>();
        for (KcidbTestEntry test : page.tests()) {
            bySuite.computeIfAbsent(suite(test.path()), k -> new ArrayList<>()).add(test);
        }
        for (Map.Entry<String, List<KcidbTestEntry>> suite : bySuite.entrySet()) {
            List<KcidbTestEntry> tests = suite.getValue();
            Map<KcidbStatus, Integer> counts = new EnumMap<>(KcidbStatus.class);
            int unknown = 0;
            for (KcidbTestEntry t : tests) {
                if (t.status().isPresent()) {
                    counts.merge(t.status().get(), 1, Integer::sum);
                } else {
                    unknown++;
                }
            }
            List<String> parts = new ArrayList<>();
            counts.forEach((status, n) -> parts.add(n + " " + status.name().toLowerCase(Locale.ROOT)));
            if (unknown > 0) {
                parts.add(unknown + " without a status");
            }
            List<KcidbTestEntry> failures = tests.stream().filter(HtmlReport::failed).toList();
            out.append("<h3 class=\"").append(failures.isEmpty() ? "pass" : "fail").append("\">")
                    .append(Html.text(suite.getKey())).append(": ").append(String.join(", ", parts)).append("</h3>\n");
            if (!failures.isEmpty()) {
                caseTable(out, failures, "failed");
            }
            List<KcidbTestEntry> others = tests.stream().filter(t -> !failed(t)).toList();
            if (!others.isEmpty()) {
                out.append("<details><summary>").append(others.size()).append(others.size() == 1 ? " other result"
                        : " other results").append(" (pass, done, skip)</summary>\n");
                caseTable(out, others, "others");
                out.append("</details>\n");
            }
        }
        out.append("</section>\n");
    }

    /** The suite of a test path: its first component ({@code ltp.abort01} → {@code ltp}). */
    private static String suite(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(0, dot);
    }

    private static void caseTable(StringBuilder out, List<KcidbTestEntry> tests, String cssClass) {
        out.append("<table class=\"cases ").append(cssClass).append("\">\n<thead><tr><th>Case</th><th>Status</th>")
                .append("<th>VM</th><th>Log</th><th>Comment</th></tr></thead>\n<tbody>\n");
        for (KcidbTestEntry test : tests.stream().limit(MAX_ROWS).toList()) {
            String status = test.status().map(Enum::name).orElse("\u2014");
            out.append("<tr><td class=\"case\">").append(Html.text(test.path())).append("</td><td class=\"status ")
                    .append(status.toLowerCase(Locale.ROOT)).append("\">").append(Html.text(status)).append("</td><td>")
                    .append(Html.text(vm(test))).append("</td><td>")
                    .append(test.logUrl().flatMap(Html::linkable).map(u -> Html.link(Optional.of(u), logName(u.getPath())))
                            .orElse(""))
                    .append("</td><td>").append(Html.text(test.comment().orElse(""))).append("</td></tr>\n");
        }
        more(out, tests.size(), 5);
        out.append("</tbody>\n</table>\n");
    }

    private static String vm(KcidbTestEntry test) {
        Object instance = test.misc().get("instance_id");
        return instance != null ? instance.toString() : test.idDiscriminator().orElse("");
    }

    private static String logName(String path) {
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return name.isEmpty() ? "log" : name;
    }

    private static void more(StringBuilder out, int total, int columns) {
        if (total > MAX_ROWS) {
            out.append("<tr><td colspan=\"").append(columns).append("\" class=\"more\">\u2026 and ")
                    .append(total - MAX_ROWS).append(" more (see the KCIDB submission or report.json)</td></tr>\n");
        }
    }

    // ---- problems

    private static void problems(StringBuilder out, List<VmProblem> problems) {
        if (problems.isEmpty()) {
            return;
        }
        out.append("<section id=\"problems\">\n<h2>Problems</h2>\n<ul class=\"problems\">\n");
        for (VmProblem problem : problems.stream().limit(MAX_ROWS).toList()) {
            out.append("<li><b>").append(Html.text(problem.test())).append("</b>")
                    .append(problem.instanceId().map(id -> " on " + Html.text(id)).orElse("")).append(": ")
                    .append(problem.message().startsWith(problem.kind().name()) ? ""
                            : "<code>" + problem.kind() + "</code> ")
                    .append(Html.text(problem.message())).append("</li>\n");
        }
        if (problems.size() > MAX_ROWS) {
            out.append("<li>\u2026 and ").append(problems.size() - MAX_ROWS).append(" more</li>\n");
        }
        out.append("</ul>\n</section>\n");
    }

    // ---- benchmarks

    private static void benchmarks(StringBuilder out, AnalysisReport analysis, Map<String, List<Plot>> charts) {
        out.append("<section id=\"benchmarks\">\n<h2>Benchmarks</h2>\n<p class=\"rule\">")
                .append(Html.text(rule(analysis.options()))).append("</p>\n");
        int n = 0;
        for (VmTestAnalysis test : analysis.tests()) {
            n++;
            out.append("<article class=\"test\">\n<h3>").append(Html.text(test.test())).append("</h3>\n")
                    .append("<p class=\"verdict ").append(testVerdictClass(test)).append("\" id=\"verdict-").append(n)
                    .append("\">").append(Html.text(TextReport.verdict(test))).append("</p>\n")
                    .append("<p class=\"kernels\">");
            if (test.byArch().size() > 1) {
                out.append(String.join("<br>", test.byArch().stream().map(arch -> Html.text(arch.arch())
                        + ": base <b>" + Html.text(arch.baseKernel()) + "</b> \u2192 tip <b>"
                        + Html.text(arch.tipKernel()) + "</b>").toList()));
            } else {
                out.append("base <b>").append(Html.text(test.baseKernel())).append("</b> \u2192 tip <b>")
                        .append(Html.text(test.tipKernel())).append("</b>");
            }
            out.append("</p>\n");
            metricTable(out, test.comparisons(), analysis.options().correction());
            List<Plot> plots = charts.getOrDefault(test.test(), List.of());
            if (!plots.isEmpty()) {
                image(out, plots.get(0));
                if (plots.size() > 1) {
                    out.append("<details><summary>Per architecture (details, not the verdict): ")
                            .append(plots.size() - 1).append(plots.size() == 2 ? " chart" : " charts")
                            .append("</summary>\n");
                    plots.subList(1, plots.size()).forEach(p -> image(out, p));
                    out.append("</details>\n");
                }
            }
            if (!test.skippedMetrics().isEmpty()) {
                out.append("<ul class=\"skipped\">\n");
                for (SkippedItem metric : test.skippedMetrics().stream().limit(MAX_ROWS).toList()) {
                    out.append("<li>Skipped metric ").append(Html.text(metric.name())).append(": ")
                            .append(Html.text(metric.reason())).append("</li>\n");
                }
                out.append("</ul>\n");
            }
            out.append("</article>\n");
        }
        for (SkippedItem skipped : analysis.skippedTests()) {
            n++;
            out.append("<article class=\"test\">\n<h3>").append(Html.text(skipped.name())).append("</h3>\n")
                    .append("<p class=\"verdict not-compared\" id=\"verdict-").append(n).append("\">not compared: ")
                    .append(Html.text(skipped.reason())).append("</p>\n</article>\n");
        }
        if (!analysis.excludedData().isEmpty()) {
            out.append("<h3>Data problems (left out; the report covers the rest)</h3>\n<ul class=\"problems\">\n");
            for (ExcludedData x : analysis.excludedData().stream().limit(MAX_ROWS).toList()) {
                out.append("<li>test ").append(Html.text(x.test()))
                        .append(x.instanceId().isEmpty() ? "" : ", VM " + Html.text(x.instanceId())).append(": ")
                        .append(Html.text(x.reason())).append("</li>\n");
            }
            out.append("</ul>\n");
        }
        out.append("</section>\n");
    }

    private static String testVerdictClass(VmTestAnalysis test) {
        if (!test.regressions().isEmpty()) {
            return "regression";
        }
        if (test.metricsCompared() == 0) {
            return "not-compared";
        }
        return test.improvements().isEmpty() ? "pass" : "improvement";
    }

    /** Regressions first, then improvements, then the rest by the size of their change. */
    private static final Comparator<MetricComparison> ROW_ORDER = Comparator
            .comparing((MetricComparison c) -> c.isRegression() ? 0 : c.isImprovement() ? 1 : 2)
            .thenComparing(c -> -Math.abs(Double.isNaN(c.change()) ? 0 : c.change()))
            .thenComparing(MetricComparison::metric);

    private static void metricTable(StringBuilder out, List<MetricComparison> comparisons, Correction correction) {
        if (comparisons.isEmpty()) {
            return;
        }
        String adjusted = correction == Correction.NONE ? "p" : "p (" + correction.label() + ")";
        out.append("<div class=\"wide\"><table class=\"metrics\">\n<thead><tr><th>Metric</th><th>Unit</th>")
                .append("<th>Better</th><th>Base mean \u00b1 sd</th><th>Tip mean \u00b1 sd</th><th>Change</th>")
                .append("<th>95 % interval</th><th>").append(Html.text(adjusted)).append("</th><th>Test</th>")
                .append("<th>Verdict</th></tr></thead>\n<tbody>\n");
        for (MetricComparison c : comparisons.stream().sorted(ROW_ORDER).limit(MAX_ROWS).toList()) {
            String verdict = c.isRegression() ? "regression" : c.isImprovement() ? "improvement" : "\u2014";
            PairedComparison p = c.paired();
            out.append("<tr class=\"").append(c.isRegression() ? "regression" : c.isImprovement() ? "improvement"
                            : "unflagged").append("\"><td class=\"case\">").append(Html.text(c.metric()))
                    .append("</td><td>").append(Html.text(c.unit())).append("</td><td>")
                    .append(c.moreIsBetter() ? "higher" : "lower").append("</td><td class=\"num\">")
                    .append(sample(c.base())).append("</td><td class=\"num\">").append(sample(c.tip()))
                    .append("</td><td class=\"num\"><b>").append(Html.text(TextReport.percent(c.change())))
                    .append("</b></td><td class=\"num\">")
                    .append(p == null ? "\u2014" : Html.text(TextReport.percent(p.ciLowPct()) + " .. "
                            + TextReport.percent(p.ciHighPct())))
                    .append("</td><td class=\"num\">").append(pValues(c, correction)).append("</td><td class=\"nowrap\">")
                    .append(p == null ? "unpaired, n " + c.base().n() + "/" + c.tip().n() : "paired, " + p.pairs()
                            + " VMs").append("</td><td>")
                    .append(verdict).append("</td></tr>\n");
        }
        more(out, comparisons.size(), 10);
        out.append("</tbody>\n</table></div>\n");
    }

    private static String sample(SampleSummary s) {
        return Html.text(TextReport.fixed(s.mean(), 2) + " \u00b1 " + TextReport.fixed(s.stddev(), 2));
    }

    /** The p-values the verdict rests on: adjusted when a correction applies. */
    private static String pValues(MetricComparison c, Correction correction) {
        boolean adjusted = correction != Correction.NONE;
        if (c.paired() != null) {
            return p(adjusted ? c.paired().moderatedPvalueAdjusted() : c.paired().moderatedPvalue());
        }
        return "t " + p(adjusted ? c.tPvalueAdjusted() : c.tPvalue()) + "<br>U "
                + p(adjusted ? c.uPvalueAdjusted() : c.uPvalue());
    }

    private static String p(double value) {
        if (Double.isNaN(value)) {
            return "\u2014";
        }
        return value < 0.0001 ? "&lt;0.0001" : TextReport.fixed(value, 4);
    }

    private static String rule(AnalysisOptions o) {
        String correction = switch (o.correction()) {
            case HOLM -> "Holm-adjusted";
            case BH -> "Benjamini-Hochberg-adjusted";
            case NONE -> "unadjusted";
        };
        String unpaired = "Unpaired: a regression when the " + correction + " t-test or U-test p < " + number(o.alpha())
                + ", |Cohen's d| \u2265 " + number(o.minEffect()) + " and the tip is worse.";
        return o.pairing() == AnalysisOptions.Pairing.AUTO
                ? "Paired (VMs that measured both kernels): a regression when the " + correction
                        + " p of the moderated t on per-VM log(tip/base) < " + number(o.alpha()) + ", |change| \u2265 "
                        + number(o.minChangePct()) + " % and the tip is worse. " + unpaired
                : unpaired;
    }

    private static String number(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static void image(StringBuilder out, Plot plot) {
        out.append("<figure><img alt=\"").append(Html.text(plot.fileName())).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(plot.png())).append("\"><figcaption>")
                .append(Html.text(plot.fileName())).append("</figcaption></figure>\n");
    }

    /** The page's styles, kept apart from its structure. */
    static final class Style {
        static final String CSS = """
                body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1280px;\
                padding:0 16px;color:#222}
                h1{font-size:22px;margin:0 0 8px;word-break:break-all}h2{border-bottom:2px solid #ddd;padding-bottom:4px;\
                margin-top:32px}h3{margin:20px 0 6px}
                .verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;margin:6px 0}
                .verdict.regression,.verdict.fail{background:#fde2e2;color:#a51d1d}
                .verdict.improvement{background:#e0edf8;color:#1f5f94}.verdict.pass{background:#e3f4e1;color:#23661b}
                .verdict.not-compared{background:#eee;color:#555}
                h3.fail{color:#a51d1d}h3.pass{color:#23661b}.bad{color:#a51d1d}
                table{border-collapse:collapse;margin:8px 0 12px}th,td{border:1px solid #ddd;padding:3px 8px;\
                text-align:left;vertical-align:top}th{background:#f5f5f5}
                table.facts th{width:110px}td.num{text-align:right;white-space:nowrap}td.case{overflow-wrap:anywhere;min-width:12em}.wide{overflow-x:auto}table.metrics{font-size:13px}td.nowrap{white-space:nowrap}
                tr.regression td{background:#fdf0f0}tr.improvement td{background:#eef5fb}
                td.status.fail,td.status.error,td.status.miss{color:#a51d1d;font-weight:600}
                td.status.pass{color:#23661b}.more{color:#666;font-style:italic}
                figure{margin:10px 0}img{max-width:100%;height:auto;border:1px solid #eee}
                figcaption{font-size:12px;color:#666}.rule,.kernels{color:#444}
                details{margin:6px 0}summary{cursor:pointer;color:#1f5f94}
                footer{margin-top:40px;color:#888;font-size:12px}
                """;

        private Style() {
        }
    }
}
