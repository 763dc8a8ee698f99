package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.BenchmarkSample;
import dev.pullab.core.benchmark.ExcludedData;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Compares base and tip kernels of every test of a run and gives the regression verdict per metric.
 * Pure domain code: the same input always gives the same report.
 */
public final class RegressionAnalyzer {

    private final AnalysisOptions options;

    public RegressionAnalyzer(AnalysisOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public AnalysisReport analyze(RunSamples run) {
        List<VmTestAnalysis> analysed = new ArrayList<>();
        List<SkippedItem> skipped = new ArrayList<>();
        List<ExcludedData> excluded = new ArrayList<>();
        for (VmTestSamples test : run.tests()) {
            if (test.base().isEmpty()) {
                skipped.add(new SkippedItem(test.test(), "no benchmark-base*.csv files (" + test.tipFiles()
                        + " benchmark-tip*.csv): nothing to compare the tip kernel against"));
            } else if (test.tip().isEmpty()) {
                skipped.add(new SkippedItem(test.test(), "no benchmark-tip*.csv files (" + test.baseFiles()
                        + " benchmark-base*.csv): the tip kernel was not measured"));
            } else {
                try {
                    analysed.add(analyzeTest(test));
                } catch (InvalidInputException e) {
                    skipped.add(new SkippedItem(test.test(), e.getMessage()));
                    excluded.add(new ExcludedData(test.test(), "", e.getMessage()));
                }
            }
        }
        return AnalysisReport.of(analysed, skipped, options).withExcluded(excluded);
    }

    private VmTestAnalysis analyzeTest(VmTestSamples test) {
        checkDirections(test);
        Comparisons overall = compare(test.base(), test.tip());
        List<ArchAnalysis> byArch = new ArrayList<>();
        TreeSet<String> arches = new TreeSet<>();
        test.base().forEach(s -> arches.add(s.arch()));
        test.tip().forEach(s -> arches.add(s.arch()));
        for (String arch : arches) {
            Predicate<BenchmarkSample> onArch = s -> s.arch().equals(arch);
            List<BenchmarkSample> base = test.base().stream().filter(onArch).toList();
            List<BenchmarkSample> tip = test.tip().stream().filter(onArch).toList();
            Comparisons c = compare(base, tip);
            byArch.add(new ArchAnalysis(arch, kernels(base), kernels(tip), c.compared().size(), c.hasRegression(),
                    c.compared()));
        }
        return new VmTestAnalysis(test.test(), kernels(test.base()), kernels(test.tip()), overall.compared().size(),
                overall.hasRegression(), overall.compared(), overall.skipped(), byArch);
    }

    private record Comparisons(List<MetricComparison> compared, List<SkippedItem> skipped) {
        boolean hasRegression() {
            return compared.stream().anyMatch(MetricComparison::isRegression);
        }
    }

    /** A metric's values on both kernels, before the correction across metrics; {@code paired} when they pair up. */
    private record MetricSamples(String metric, String unit, boolean moreIsBetter, double[] base, double[] tip,
            String source, Optional<VmPairs.Pairs> paired) {
    }

    private Comparisons compare(List<BenchmarkSample> base, List<BenchmarkSample> tip) {
        Map<String, List<BenchmarkSample>> baseByMetric = byMetric(base);
        Map<String, List<BenchmarkSample>> tipByMetric = byMetric(tip);
        List<MetricSamples> both = new ArrayList<>();
        List<SkippedItem> skipped = new ArrayList<>();
        LinkedHashSet<String> metrics = new LinkedHashSet<>(baseByMetric.keySet());
        metrics.addAll(tipByMetric.keySet());
        for (String metric : metrics) {
            List<BenchmarkSample> b = baseByMetric.get(metric);
            List<BenchmarkSample> t = tipByMetric.get(metric);
            if (b == null || t == null) {
                skipped.add(new SkippedItem(metric, "measured on the " + (b == null ? "tip" : "base")
                        + " kernel only"));
                continue;
            }
            BenchmarkSample first = b.get(0);
            Optional<VmPairs.Pairs> paired = options.pairing() == AnalysisOptions.Pairing.OFF ? Optional.empty()
                    : VmPairs.of(b, t);
            both.add(new MetricSamples(metric, first.unit(), first.moreIsBetter(), values(b), values(t),
                    first.source(), paired));
        }
        return new Comparisons(verdicts(both), skipped);
    }

    private List<MetricComparison> verdicts(List<MetricSamples> metrics) {
        int m = metrics.size();
        SampleSummary[][] summaries = new SampleSummary[m][];
        WelchT.Result[] welch = new WelchT.Result[m];
        MannWhitneyU.Result[] mwu = new MannWhitneyU.Result[m];
        double[] tP = new double[m];
        double[] uP = new double[m];
        double[] factors = new double[m];
        for (int i = 0; i < m; i++) {
            MetricSamples s = metrics.get(i);
            // every statistic is computed at an ordinary magnitude: no sum or square overflows (see Scaling)
            factors[i] = Scaling.factor(s.base(), s.tip());
            double[] baseValues = Scaling.divide(s.base(), factors[i]);
            double[] tipValues = Scaling.divide(s.tip(), factors[i]);
            SampleSummary base = SampleSummary.of(baseValues);
            SampleSummary tip = SampleSummary.of(tipValues);
            summaries[i] = new SampleSummary[] {base, tip};
            welch[i] = WelchT.test(baseValues, tipValues, base, tip);
            mwu[i] = MannWhitneyU.test(baseValues, tipValues);
            tP[i] = welch[i].pValue();
            uP[i] = mwu[i].pValue();
            if (Double.isNaN(tP[i]) || Double.isNaN(uP[i])) {
                throw new InvalidInputException(s.source() + ": metric '" + s.metric()
                        + "': the t-test or U-test p-value is not defined for its values; no verdict can be given");
            }
        }
        double[] tAdjusted = options.correction().adjust(tP);
        double[] uAdjusted = options.correction().adjust(uP);
        PairedComparison[] paired = adjustPaired(metrics);
        List<MetricComparison> out = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            MetricSamples s = metrics.get(i);
            SampleSummary base = summaries[i][0];
            SampleSummary tip = summaries[i][1];
            double d = CohensD.of(base, tip);
            double pct = pctChange(base.mean(), tip.mean());
            boolean worse;
            boolean significant;
            boolean large;
            if (paired[i] != null) {
                double change = paired[i].changePct();
                worse = s.moreIsBetter() ? change < 0.0 : change > 0.0;
                significant = paired[i].moderatedPvalueAdjusted() < options.alpha();
                large = Math.abs(change) >= options.minChangePct() && change != 0.0;
            } else {
                worse = s.moreIsBetter() ? tip.mean() < base.mean() : tip.mean() > base.mean();
                significant = tAdjusted[i] < options.alpha() || uAdjusted[i] < options.alpha();
                large = Math.abs(d) >= options.minEffect() && tip.mean() != base.mean();
            }
            boolean regression = worse && significant && large;
            boolean improvement = !worse && significant && large;
            out.add(new MetricComparison(s.metric(), s.unit(), s.moreIsBetter(), base.unscaled(factors[i]),
                    tip.unscaled(factors[i]), pct, welch[i].statistic(), welch[i].pValue(), welch[i].df(),
                    mwu[i].statistic(), mwu[i].pValue(), mwu[i].method().name().toLowerCase(java.util.Locale.ROOT),
                    tAdjusted[i], uAdjusted[i], d, worse, regression, improvement, paired[i]));
        }
        return out;
    }

    /**
     * The paired comparisons of a test's metrics (null: unpaired): each metric's variance of its kept log ratios
     * moderated by the prior fitted across the test's paired metrics ({@link VariancePrior}), the moderated t, and
     * its p-values adjusted across those metrics.
     */
    private PairedComparison[] adjustPaired(List<MetricSamples> metrics) {
        PairedComparison[] out = new PairedComparison[metrics.size()];
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).paired().isPresent()) {
                index.add(i);
            }
        }
        VmPairs.Pairs[] pairs = index.stream().map(i -> metrics.get(i).paired().orElseThrow())
                .toArray(VmPairs.Pairs[]::new);
        double[] variances = new double[pairs.length];
        double[] dfs = new double[pairs.length];
        for (int k = 0; k < pairs.length; k++) {
            variances[k] = pairs[k].keptVariance();
            dfs[k] = pairs[k].kept().length - 1.0;
        }
        Optional<VariancePrior> prior = VariancePrior.fit(variances, dfs);
        ModeratedT[] moderated = new ModeratedT[pairs.length];
        double[] p = new double[pairs.length];
        for (int k = 0; k < pairs.length; k++) {
            moderated[k] = ModeratedT.of(pairs[k], prior);
            p[k] = moderated[k].pValue();
        }
        double[] adjusted = options.correction().adjust(p);
        for (int k = 0; k < pairs.length; k++) {
            VmPairs.Pairs x = pairs[k];
            ModeratedT m = moderated[k];
            double[] ci = m.confidenceInterval(CONFIDENCE);
            out[index.get(k)] = new PairedComparison(x.changes().size(), x.reduced(), x.unpaired(), x.outliers(),
                    x.changes(), VmPairs.percent(m.estimate()), VmPairs.percent(ci[0]), VmPairs.percent(ci[1]),
                    x.trimmed().statistic(), x.trimmed().df(), x.trimmed().pValue(), m.statistic(), m.df(),
                    m.pValue(), adjusted[k], prior.map(VariancePrior::df).orElse(0.0), x.paired().statistic(),
                    x.paired().pValue(), x.wilcoxon().statistic(), x.wilcoxon().pValue(),
                    x.wilcoxon().method().name().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private static final double CONFIDENCE = 0.95;

    static double pctChange(double baseMean, double tipMean) {
        if (baseMean == 0.0) {
            return tipMean == 0.0 ? 0.0 : Math.copySign(Double.POSITIVE_INFINITY, tipMean);
        }
        return (tipMean - baseMean) / baseMean * 100.0;
    }

    private static Map<String, List<BenchmarkSample>> byMetric(List<BenchmarkSample> samples) {
        Map<String, List<BenchmarkSample>> byMetric = new LinkedHashMap<>();
        samples.forEach(s -> byMetric.computeIfAbsent(s.metric(), k -> new ArrayList<>()).add(s));
        return byMetric;
    }

    private static double[] values(List<BenchmarkSample> samples) {
        return samples.stream().mapToDouble(BenchmarkSample::value).toArray();
    }

    private static String kernels(List<BenchmarkSample> samples) {
        return String.join(", ", samples.stream().map(BenchmarkSample::kernelVersion)
                .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
    }

    /** A metric whose files disagree on more_is_better has no defined "worse": refuse it, naming both rows. */
    private static void checkDirections(VmTestSamples test) {
        Map<String, BenchmarkSample> firstSeen = new HashMap<>();
        for (List<BenchmarkSample> side : List.of(test.base(), test.tip())) {
            for (BenchmarkSample s : side) {
                BenchmarkSample first = firstSeen.putIfAbsent(s.metric(), s);
                if (first != null && first.moreIsBetter() != s.moreIsBetter()) {
                    throw new InvalidInputException(s.source() + ": more_is_better of metric '" + s.metric() + "' is "
                            + s.moreIsBetter() + " but " + first.source() + " says " + first.moreIsBetter());
                }
            }
        }
    }
}
