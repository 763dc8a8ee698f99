package dev.pullab.core.report;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.analysis.SkippedItem;
import dev.pullab.core.analysis.VmTestAnalysis;
import dev.pullab.core.benchmark.ExcludedData;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.benchmark.BenchmarkCsvReader;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.RunFile;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The base/tip comparison of a run's benchmarks: analyses the usable benchmark CSVs of the read VMs test by test with
 * {@link RegressionAnalyzer}, and turns each compared metric into a KCIDB test {@code <test>.<metric>} (see
 * {@link RunReporting}).
 */
final class BenchmarkReporting {

    /**
     * @param analysis the analysis of the tests with base and tip; empty when there is none
     * @param errors   tests whose files could not be analysed together, and why
     */
    record Benchmarks(Optional<AnalysisReport> analysis, Map<String, String> errors) {
    }

    private final AnalysisOptions options;
    private final BenchmarkCsvReader csvReader;

    BenchmarkReporting(AnalysisOptions options, BenchmarkCsvReader csvReader) {
        this.options = options;
        this.csvReader = csvReader;
    }

    /** The analysis of the benchmark files of the VMs whose CSVs can all be read. */
    Benchmarks analyse(List<ReadVm> vms) {
        List<RunFile> usable = new ArrayList<>();
        vms.stream().filter(vm -> vm.csvError().isEmpty()).forEach(vm -> usable.addAll(vm.outputs().benchmarkFiles()));
        RunSamples samples = RunSamples.read(usable, csvReader);
        RegressionAnalyzer analyzer = new RegressionAnalyzer(options);
        List<VmTestAnalysis> analysed = new ArrayList<>();
        List<SkippedItem> skipped = new ArrayList<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (VmTestSamples test : samples.tests()) {
            try {
                AnalysisReport one = analyzer.analyze(new RunSamples(List.of(test)));
                Optional<ExcludedData> failed = one.excludedData().stream().filter(x -> x.instanceId().isEmpty())
                        .findFirst();
                if (failed.isPresent()) { // the test cannot be compared: an analysis error of the run
                    skipped.add(new SkippedItem(test.test(), failed.get().reason()));
                    errors.put(test.test(), failed.get().reason());
                    continue;
                }
                analysed.addAll(one.tests());
                skipped.addAll(one.skippedTests());
            } catch (InvalidInputException e) {
                skipped.add(new SkippedItem(test.test(), e.getMessage()));
                errors.put(test.test(), e.getMessage());
            }
        }
        Optional<AnalysisReport> analysis = analysed.isEmpty() ? Optional.empty()
                : Optional.of(AnalysisReport.of(analysed, skipped, options));
        return new Benchmarks(analysis, errors);
    }

    /** One KCIDB test per compared metric of the test, in comparison order. */
    static List<KcidbTestEntry> metricTests(VmTestAnalysis test) {
        List<KcidbTestEntry> tests = new ArrayList<>();
        for (MetricComparison c : test.comparisons()) {
            String path = KcidbTestEntry.pathOf(test.test(), c.metric());
            double tipMean = c.tip().mean();
            KcidbTestEntry metric = Double.isFinite(tipMean) ? KcidbTestEntry.metric(path, tipMean, c.unit(), c.isRegression())
                    : KcidbTestEntry.of(path, c.isRegression() ? KcidbStatus.FAIL : KcidbStatus.DONE);
            Map<String, Object> misc = new LinkedHashMap<>();
            putFinite(misc, "pct_change", c.pctChange());
            putFinite(misc, "t_pvalue", c.tPvalue());
            putFinite(misc, "u_pvalue", c.uPvalue());
            putFinite(misc, "t_pvalue_adjusted", c.tPvalueAdjusted());
            putFinite(misc, "u_pvalue_adjusted", c.uPvalueAdjusted());
            putFinite(misc, "cohens_d", c.cohensD());
            putFinite(misc, "base_mean", c.base().mean());
            misc.put("base_n", c.base().n());
            misc.put("tip_n", c.tip().n());
            misc.put("more_is_better", c.moreIsBetter());
            putText(misc, "base_kernel", test.baseKernel());
            putText(misc, "tip_kernel", test.tipKernel());
            metric = KcidbTestEntries.withMisc(metric, misc);
            if (c.isRegression()) {
                metric = metric.withComment(regressionComment(c));
            }
            tests.add(metric);
        }
        return tests;
    }

    /** E.g. {@code regression: tip mean 800.5 lps vs base mean 1001 lps (-20.03%)}. */
    private static String regressionComment(MetricComparison c) {
        String unit = c.unit().isBlank() ? "" : " " + c.unit();
        String change = Double.isFinite(c.pctChange()) ? String.format(Locale.ROOT, " (%+.2f%%)", c.pctChange()) : "";
        return String.format(Locale.ROOT, "regression: tip mean %.6g%s vs base mean %.6g%s%s", c.tip().mean(), unit,
                c.base().mean(), unit, change);
    }

    private static void putFinite(Map<String, Object> misc, String key, double value) {
        if (Double.isFinite(value)) {
            misc.put(key, value);
        }
    }

    private static void putText(Map<String, Object> misc, String key, String value) {
        if (value != null && !value.isBlank()) {
            misc.put(key, value);
        }
    }
}
