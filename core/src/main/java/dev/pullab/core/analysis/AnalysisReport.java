package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.ExcludedData;
import java.util.List;

/**
 * The regression analysis of a whole run: what operators read first.
 *
 * @param tests                 analysed tests, by name
 * @param testsWithRegression   how many tests have at least one regressed metric
 * @param regressionTestNames   their names
 * @param skippedTests          tests with benchmark files that could not be compared, and why
 * @param options               the verdict rule that was applied
 * @param excludedData          input left out of the analysis (a VM whose files cannot be used, a test that cannot
 *                              be compared), each with its reason: the report covers the rest
 */
public record AnalysisReport(
        List<VmTestAnalysis> tests,
        int testsWithRegression,
        List<String> regressionTestNames,
        List<SkippedItem> skippedTests,
        AnalysisOptions options,
        List<ExcludedData> excludedData) {

    public AnalysisReport {
        tests = List.copyOf(tests);
        regressionTestNames = List.copyOf(regressionTestNames);
        skippedTests = List.copyOf(skippedTests);
        excludedData = List.copyOf(excludedData);
    }

    public static AnalysisReport of(List<VmTestAnalysis> tests, List<SkippedItem> skippedTests, AnalysisOptions options) {
        List<String> regressed = tests.stream().filter(VmTestAnalysis::hasRegression).map(VmTestAnalysis::test).toList();
        return new AnalysisReport(tests, regressed.size(), regressed, skippedTests, options, List.of());
    }

    /** The same report, with {@code excluded} added to what was left out. */
    public AnalysisReport withExcluded(List<ExcludedData> excluded) {
        List<ExcludedData> all = new java.util.ArrayList<>(excludedData);
        all.addAll(excluded);
        return new AnalysisReport(tests, testsWithRegression, regressionTestNames, skippedTests, options, all);
    }
}
