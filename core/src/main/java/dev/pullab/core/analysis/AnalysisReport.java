package dev.pullab.core.analysis;

import java.util.List;

/**
 * The regression analysis of a whole run: what operators read first.
 *
 * @param tests                 analysed tests, by name
 * @param testsWithRegression   how many tests have at least one regressed metric
 * @param regressionTestNames   their names
 * @param skippedTests          tests with benchmark files that could not be compared, and why
 * @param options               the verdict rule that was applied
 */
public record AnalysisReport(
        List<VmTestAnalysis> tests,
        int testsWithRegression,
        List<String> regressionTestNames,
        List<SkippedItem> skippedTests,
        AnalysisOptions options) {

    public AnalysisReport {
        tests = List.copyOf(tests);
        regressionTestNames = List.copyOf(regressionTestNames);
        skippedTests = List.copyOf(skippedTests);
    }

    public static AnalysisReport of(List<VmTestAnalysis> tests, List<SkippedItem> skippedTests, AnalysisOptions options) {
        List<String> regressed = tests.stream().filter(VmTestAnalysis::hasRegression).map(VmTestAnalysis::test).toList();
        return new AnalysisReport(tests, regressed.size(), regressed, skippedTests, options);
    }
}
