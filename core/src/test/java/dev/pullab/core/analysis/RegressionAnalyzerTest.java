package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.benchmark.BenchmarkSample;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegressionAnalyzerTest {

    private static final double[] BASE = {1000, 1004, 996, 1002, 998, 1001, 999, 1003, 997, 1000};
    private static final double[] LOWER = {700, 704, 696, 702, 698, 701, 699, 703, 697, 700};
    private static final double[] HIGHER = {1300, 1304, 1296, 1302, 1298, 1301, 1299, 1303, 1297, 1300};

    private final RegressionAnalyzer analyzer = new RegressionAnalyzer(AnalysisOptions.defaults());

    @Test
    @DisplayName("a clear drop of a more-is-better metric is a regression")
    void givenThroughputDrop_whenAnalysed_thenRegression() {
        MetricComparison c = only(analyzer.analyze(new RunBuilder().metric("ub", "Dhrystone", true, BASE, LOWER)
                .build()));

        assertThat(c.isRegression()).isTrue();
        assertThat(c.worse()).isTrue();
        assertThat(c.pctChange()).isCloseTo(-30.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(c.cohensD()).isPositive();
    }

    @Test
    @DisplayName("a clear rise of a more-is-better metric is an improvement, not a regression")
    void givenThroughputRise_whenAnalysed_thenNoRegression() {
        MetricComparison c = only(analyzer.analyze(new RunBuilder().metric("ub", "Dhrystone", true, BASE, HIGHER)
                .build()));

        assertThat(c.worse()).isFalse();
        assertThat(c.isRegression()).isFalse();
        assertThat(c.tPvalue()).isLessThan(0.001);
    }

    @Test
    @DisplayName("a clear rise of a less-is-better metric (latency) is a regression")
    void givenLatencyRise_whenAnalysed_thenRegression() {
        MetricComparison c = only(analyzer.analyze(new RunBuilder().metric("lat", "p99_ms", false, BASE, HIGHER)
                .build()));

        assertThat(c.isRegression()).isTrue();
    }

    @Test
    @DisplayName("a significant but tiny change stays below the minimum effect size")
    void givenSignificantTinyEffect_whenAnalysed_thenNoRegression() {
        double[] base = new double[60];
        double[] tip = new double[60];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 60; i++) {
            base[i] = 1000 + random.nextGaussian() * 10;
            tip[i] = 996 + random.nextGaussian() * 10;
        }
        RegressionAnalyzer strict = new RegressionAnalyzer(new AnalysisOptions(Correction.NONE, 0.05, 2.0));

        MetricComparison c = only(strict.analyze(new RunBuilder().metric("ub", "m", true, base, tip).build()));

        assertThat(Math.abs(c.cohensD())).isLessThan(2.0);
        assertThat(c.isRegression()).isFalse();
    }

    @Test
    @DisplayName("unpaired: adjusted p-values are reported beside the raw ones and decide the verdict")
    void givenManyMetrics_whenHolm_thenAdjustedPValuesDecide() {
        double[] base = {10, 11, 12, 13, 14};
        double[] tip = {9, 9.5, 10, 10.5, 11};
        RunBuilder run = new RunBuilder();
        for (int i = 0; i < 24; i++) {
            run.metric("ub", "m" + i, true, base, i == 0 ? tip : base);
        }

        VmTestAnalysis none = new RegressionAnalyzer(new AnalysisOptions(Correction.NONE, 0.05, 0.5, 1.0,
                AnalysisOptions.Pairing.OFF)).analyze(run.build()).tests().get(0);
        VmTestAnalysis holm = new RegressionAnalyzer(new AnalysisOptions(Correction.HOLM, 0.05, 0.5, 1.0,
                AnalysisOptions.Pairing.OFF)).analyze(run.build()).tests().get(0);

        MetricComparison raw = none.comparisons().get(0);
        MetricComparison adjusted = holm.comparisons().get(0);
        assertThat(raw.tPvalue()).isLessThan(0.05);
        assertThat(raw.isRegression()).isTrue();
        assertThat(adjusted.tPvalue()).isEqualTo(raw.tPvalue());
        assertThat(adjusted.tPvalueAdjusted()).isEqualTo(Math.min(1.0, 24 * raw.tPvalue()));
        assertThat(adjusted.isRegression()).isFalse();
    }

    @Test
    @DisplayName("24 unchanged metrics: Holm keeps false alarms rare where the uncorrected rule often fires")
    void givenNoRealChange_whenManyRuns_thenHolmControlsFalseAlarms() {
        SplittableRandom random = new SplittableRandom(2026);
        int runs = 300;
        int alarmsUncorrected = 0;
        int alarmsHolm = 0;
        RegressionAnalyzer uncorrected = new RegressionAnalyzer(new AnalysisOptions(Correction.NONE, 0.05, 0.5));
        for (int r = 0; r < runs; r++) {
            RunBuilder run = new RunBuilder();
            for (int m = 0; m < 24; m++) {
                run.metric("ub", "m" + m, random.nextBoolean(), normal(random, 10), normal(random, 10));
            }
            RunSamples samples = run.build();
            alarmsUncorrected += uncorrected.analyze(samples).testsWithRegression();
            alarmsHolm += analyzer.analyze(samples).testsWithRegression();
        }

        assertThat((double) alarmsUncorrected / runs).as("uncorrected false-alarm rate").isGreaterThan(0.3);
        assertThat((double) alarmsHolm / runs).as("Holm false-alarm rate").isLessThan(0.06);
    }

    @Test
    @DisplayName("a test with base files only is skipped with a reason, not compared")
    void givenBaseOnly_whenAnalysed_thenSkippedWithReason() {
        BenchmarkSample row = new BenchmarkSample("ub", KernelRole.BASE, "m", "lps", 1, true, "6.1", "i-1", "",
                "x86_64", "b.csv:2");
        RunSamples run = new RunSamples(List.of(new VmTestSamples("ub", List.of(row), List.of(), 1, 0)));

        AnalysisReport report = analyzer.analyze(run);

        assertThat(report.tests()).isEmpty();
        assertThat(report.skippedTests()).singleElement()
                .satisfies(s -> assertThat(s.reason()).contains("no benchmark-tip*.csv"));
    }

    @Test
    @DisplayName("a metric measured on one kernel only is listed as skipped; the others are compared")
    void givenMetricOnOneSide_whenAnalysed_thenSkippedMetric() {
        RunSamples run = withExtraTipRow(new RunBuilder().metric("ub", "shared", true, BASE, LOWER).build(),
                "tip_only", true, "t.csv:9");

        VmTestAnalysis a = analyzer.analyze(run).tests().get(0);

        assertThat(a.metricsCompared()).isEqualTo(1);
        assertThat(a.skippedMetrics()).extracting(SkippedItem::name).containsExactly("tip_only");
    }

    @Test
    @DisplayName("per-arch analysis compares each architecture's VMs on their own")
    void givenTwoArches_whenAnalysed_thenPerArchVerdicts() {
        RunSamples run = new RunBuilder()
                .metric("ub", "m", true, "x86_64", BASE, BASE)
                .metric("ub", "m", true, "arm64", BASE, LOWER)
                .build();

        VmTestAnalysis a = analyzer.analyze(run).tests().get(0);

        assertThat(a.byArch()).extracting(ArchAnalysis::arch).containsExactly("arm64", "x86_64");
        assertThat(a.byArch()).extracting(ArchAnalysis::hasRegression).containsExactly(true, false);
        assertThat(a.comparisons().get(0).base().n()).isEqualTo(20);
    }

    @Test
    @DisplayName("a test whose files disagree on more_is_better is left out and listed, naming both rows")
    void givenContradictoryDirection_whenAnalysed_thenTestLeftOut() {
        RunSamples run = withExtraTipRow(new RunBuilder().metric("ub", "m", true, BASE, LOWER).build(),
                "m", false, "tip-9.csv:4");

        AnalysisReport report = analyzer.analyze(run);

        assertThat(report.tests()).isEmpty();
        assertThat(report.skippedTests()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("ub"));
        assertThat(report.excludedData()).singleElement().satisfies(x -> assertThat(x.reason())
                .contains("tip-9.csv:4").contains("base.csv:2"));
    }

    @Test
    @DisplayName("kernel versions of each side are reported")
    void kernelVersions() {
        VmTestAnalysis a = analyzer.analyze(new RunBuilder().metric("ub", "m", true, BASE, LOWER).build())
                .tests().get(0);

        assertThat(a.baseKernel()).isEqualTo("6.1.141");
        assertThat(a.tipKernel()).isEqualTo("6.1.150");
    }

    /** The run with one more tip row appended to its single test. */
    private static RunSamples withExtraTipRow(RunSamples run, String metric, boolean moreIsBetter, String source) {
        VmTestSamples t = run.tests().get(0);
        List<BenchmarkSample> tip = new java.util.ArrayList<>(t.tip());
        tip.add(new BenchmarkSample(t.test(), KernelRole.TIP, metric, "lps", 1, moreIsBetter, "6.1.150", "i-9", "",
                "x86_64", source));
        return new RunSamples(List.of(new VmTestSamples(t.test(), t.base(), tip, 1, 1)));
    }

    private static double[] normal(SplittableRandom random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1000 + 20 * random.nextGaussian();
        }
        return v;
    }

    private static MetricComparison only(AnalysisReport report) {
        assertThat(report.tests()).hasSize(1);
        assertThat(report.tests().get(0).comparisons()).hasSize(1);
        return report.tests().get(0).comparisons().get(0);
    }
}
