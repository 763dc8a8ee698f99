package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.ExcludedData;
import dev.pullab.core.text.Printable;
import java.util.List;
import java.util.Locale;

/**
 * The console report, in the layout of pullab_cloud's "Example Output" so existing readers and scrapers keep
 * working: the banner, per-test kernel lines, one line per regressed metric with its
 * {@code [t-test p=…, U-test p=…, Cohen's d=…]} line (raw p-values, as before), and the footer. Added lines:
 * the verdict rule under the banner, the corrected p-values under each regression, and skipped tests or metrics.
 * Every name, unit, kernel and reason is printed through {@link Printable#escape}: a newline or an ANSI escape in a
 * CSV cell shows as {@code \n} or {@code \x1b} and can neither forge a line nor reach the terminal.
 */
public final class TextReport {

    private static final String RULE = "=".repeat(60);
    private static final String THIN_RULE = "-".repeat(60);
    private static final String VERDICT = "VERDICT ";

    private TextReport() {
    }

    public static String render(AnalysisReport report) {
        StringBuilder out = new StringBuilder();
        AnalysisOptions o = report.options();
        out.append(RULE).append('\n').append("BENCHMARK REGRESSION ANALYSIS").append('\n').append(RULE).append('\n');
        out.append(String.format(Locale.ROOT, "Rule: %s p < %s on t-test or U-test, |Cohen's d| >= %s, tip worse%n",
                ruleName(o.correction()), number(o.alpha()), number(o.minEffect())));
        if (o.pairing() == AnalysisOptions.Pairing.AUTO) {
            out.append(String.format(Locale.ROOT, "Paired rule (a metric whose VMs measured both kernels): %s p < %s on "
                    + "the t of per-VM log(tip/base), outlier VMs set aside, variance moderated across the test's "
                    + "metrics, "
                    + "|change| >= %s%%, tip worse%n",
                    ruleName(o.correction()), number(o.alpha()), number(o.minChangePct())));
        }
        for (VmTestAnalysis test : report.tests()) {
            out.append('\n').append("Test: ").append(safe(test.test())).append('\n');
            out.append(verdictLine(test)).append('\n');
            out.append("  Base kernel: ").append(safe(test.baseKernel())).append('\n');
            out.append("  Tip kernel:  ").append(safe(test.tipKernel())).append('\n');
            out.append("  Metrics compared: ").append(test.metricsCompared()).append('\n');
            List<MetricComparison> regressions = test.regressions();
            if (regressions.isEmpty()) {
                out.append("  \u2713 No regressions detected\n");
            } else {
                out.append("  \u26a0 REGRESSIONS DETECTED: ").append(regressions.size()).append('\n');
                regressions.forEach(c -> appendRegression(out, c, o.correction()));
            }
            List<MetricComparison> improvements = test.improvements();
            if (!improvements.isEmpty()) {
                out.append("  \u2191 IMPROVEMENTS DETECTED: ").append(improvements.size()).append('\n');
                improvements.forEach(c -> appendRegression(out, c, o.correction()));
            }
            if (test.byArch().size() > 1) {
                appendArches(out, test.byArch());
            }
            for (SkippedItem metric : test.skippedMetrics()) {
                out.append("  Skipped metric ").append(safe(metric.name())).append(": ").append(safe(metric.reason())).append('\n');
            }
        }
        for (SkippedItem skipped : report.skippedTests()) {
            out.append('\n').append("Test: ").append(safe(skipped.name())).append('\n');
            out.append(VERDICT).append(safe(skipped.name())).append(": not compared: ").append(safe(skipped.reason()))
                    .append('\n');
            out.append("  Skipped: ").append(safe(skipped.reason())).append('\n');
        }
        if (!report.excludedData().isEmpty()) {
            out.append('\n').append("Data problems (left out; the report covers the rest):").append('\n');
            for (ExcludedData x : report.excludedData()) {
                out.append("  test ").append(safe(x.test()))
                        .append(x.instanceId().isEmpty() ? "" : ", VM " + safe(x.instanceId()))
                        .append(": ").append(safe(x.reason())).append('\n');
            }
        }
        out.append('\n').append(THIN_RULE).append('\n');
        long emptyTests = report.tests().stream().filter(t -> t.regressions().isEmpty() && t.metricsCompared() == 0).count();
        out.append("Verdicts: ").append(report.testsWithRegression()).append(" REGRESSION, ")
                .append(report.tests().size() - report.testsWithRegression() - emptyTests).append(" no regression, ")
                .append(report.skippedTests().size() + emptyTests).append(" not compared\n");
        out.append("Tests with benchmarks: ").append(report.tests().size())
                .append(" | Regressions found: ").append(report.testsWithRegression()).append('\n');
        out.append("Tests with regressions: ")
                .append(report.regressionTestNames().isEmpty() ? "none" : String.join(", ", report.regressionTestNames().stream().map(TextReport::safe).toList()))
                .append('\n');
        out.append(RULE).append('\n');
        return out.toString();
    }

    /**
     * The one line that answers "did this test regress?": it agrees with {@code has_regression} in the JSON and with
     * the footer. Per-arch findings are details under it, never the verdict.
     */
    private static String verdictLine(VmTestAnalysis test) {
        return VERDICT + safe(test.test()) + ": " + safe(verdict(test));
    }

    /**
     * A test's verdict in words, the same everywhere it is shown (this report, the HTML report): {@code REGRESSION
     * in 2 metrics (<metric> -5.1%, …)}, {@code no regression} (with its improvements, if any), or {@code not
     * compared: …}. Names are as read (unescaped): the caller escapes for its medium.
     */
    public static String verdict(VmTestAnalysis test) {
        List<MetricComparison> regressions = test.regressions();
        if (!regressions.isEmpty()) {
            return "REGRESSION in " + regressions.size() + (regressions.size() == 1 ? " metric (" : " metrics (")
                    + changes(regressions) + ")";
        }
        if (test.metricsCompared() == 0) {
            return "not compared: no metric was measured on both kernels";
        }
        List<MetricComparison> improvements = test.improvements();
        return "no regression" + (improvements.isEmpty() ? ""
                : " (" + improvements.size() + (improvements.size() == 1 ? " improvement: " : " improvements: ")
                        + changes(improvements) + ")");
    }

    private static String changes(List<MetricComparison> comparisons) {
        return String.join(", ", comparisons.stream().map(c -> c.metric() + " " + percent(c.change())).toList());
    }

    private static void appendRegression(StringBuilder out, MetricComparison c, Correction correction) {
        out.append(String.format(Locale.ROOT, "    %s: base=%s\u00b1%s (cv: %s) \u2192 tip=%s\u00b1%s (cv: %s) %s (%s)%n",
                safe(c.metric()), fixed(c.base().mean(), 2), fixed(c.base().stddev(), 2), fixed(c.base().cv(), 2),
                fixed(c.tip().mean(), 2), fixed(c.tip().stddev(), 2), fixed(c.tip().cv(), 2), safe(c.unit()),
                percent(c.change())));
        if (c.paired() != null) {
            appendPaired(out, c.paired(), correction);
            return;
        }
        out.append(String.format(Locale.ROOT, "      [t-test p=%s, U-test p=%s, Cohen's d=%s]%n",
                fixed(c.tPvalue(), 4), fixed(c.uPvalue(), 4), fixed(c.cohensD(), 2)));
        if (correction != Correction.NONE) {
            out.append(String.format(Locale.ROOT, "      [%s-adjusted: t-test p=%s, U-test p=%s]%n",
                    correction.label(), fixed(c.tPvalueAdjusted(), 4), fixed(c.uPvalueAdjusted(), 4)));
        }
    }

    /** A paired verdict: the estimated change with its interval, the test it rests on, the reference tests. */
    private static void appendPaired(StringBuilder out, PairedComparison p, Correction correction) {
        out.append(String.format(Locale.ROOT, "      [paired on %d VMs: change %s, 95%% CI %s .. %s; moderated t "
                        + "p=%s%s]%n", p.pairs(), percent(p.changePct()), percent(p.ciLowPct()), percent(p.ciHighPct()),
                fixed(p.moderatedPvalue(), 4), correction == Correction.NONE ? ""
                        : ", " + correction.label() + "-adjusted p=" + fixed(p.moderatedPvalueAdjusted(), 4)));
        out.append(String.format(Locale.ROOT, "      [reference: trimmed t alone p=%s, paired t p=%s, Wilcoxon "
                        + "signed-rank p=%s (%s)]%n", fixed(p.trimmedPvalue(), 4), fixed(p.pairedTPvalue(), 4),
                fixed(p.wilcoxonPvalue(), 4), p.wilcoxonMethod()));
        if (p.reducedToMedian()) {
            out.append("      [a VM measured a kernel several times: its median per kernel was used]\n");
        }
        if (!p.outlierVms().isEmpty()) {
            out.append("      [outlier VMs set aside (change more than 4 MADs from the median): ").append(String.join(
                    ", ", p.outlierVms().stream().map(TextReport::safe).toList())).append("]\n");
        }
        if (!p.unpairedVms().isEmpty()) {
            out.append("      [left out, one kernel only: ").append(String.join(", ",
                    p.unpairedVms().stream().map(TextReport::safe).toList())).append("]\n");
        }
    }

    /** Pooling arches widens the spread; the per-arch verdicts often see what the overall one cannot. */
    private static void appendArches(StringBuilder out, List<ArchAnalysis> arches) {
        out.append("  Per arch (details, not the verdict: each architecture's VMs compared on their own):\n");
        for (ArchAnalysis arch : arches) {
            List<String> regressed = arch.comparisons().stream()
                    .filter(MetricComparison::isRegression).map(c -> safe(c.metric())).toList();
            out.append("    ").append(safe(arch.arch())).append(": ").append(arch.metricsCompared()).append(" compared, ")
                    .append(regressed.isEmpty() ? "nothing flagged"
                            : regressed.size() + " flagged on this arch alone: " + String.join(", ", regressed))
                    .append('\n');
        }
    }

    /** Every string of the report comes from the VMs' files: printed escaped, so it cannot add lines or drive a terminal. */
    private static String safe(String untrusted) {
        return Printable.escape(untrusted);
    }

    private static String ruleName(Correction correction) {
        return switch (correction) {
            case HOLM -> "Holm-adjusted";
            case BH -> "Benjamini-Hochberg-adjusted";
            case NONE -> "unadjusted";
        };
    }

    /** {@code value} with {@code decimals} decimals; {@code inf} or {@code -inf} for an infinity. */
    public static String fixed(double value, int decimals) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A change in percent with its sign and one decimal, e.g. {@code -5.1%}; {@code +inf%} for an infinity. */
    public static String percent(double pct) {
        if (Double.isInfinite(pct)) {
            return (pct > 0 ? "+" : "-") + "inf%";
        }
        return String.format(Locale.ROOT, "%+.1f%%", pct);
    }

    private static String number(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
