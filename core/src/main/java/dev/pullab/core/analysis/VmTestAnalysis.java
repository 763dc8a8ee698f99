package dev.pullab.core.analysis;

import java.util.List;

/**
 * The regression analysis of one test of a run.
 *
 * @param test            test name
 * @param baseKernel      kernel version(s) of the base files (comma-separated when they differ)
 * @param tipKernel       kernel version(s) of the tip files
 * @param metricsCompared number of metrics with both base and tip values
 * @param hasRegression   any metric regressed
 * @param comparisons     one per compared metric, in the order metrics first appear in the run
 * @param skippedMetrics  metrics present on one kernel only
 * @param byArch          the same comparison per architecture
 */
public record VmTestAnalysis(
        String test,
        String baseKernel,
        String tipKernel,
        int metricsCompared,
        boolean hasRegression,
        List<MetricComparison> comparisons,
        List<SkippedItem> skippedMetrics,
        List<ArchAnalysis> byArch) {

    public VmTestAnalysis {
        comparisons = List.copyOf(comparisons);
        skippedMetrics = List.copyOf(skippedMetrics);
        byArch = List.copyOf(byArch);
    }

    /** The metrics flagged as regressions. */
    public List<MetricComparison> regressions() {
        return comparisons.stream().filter(MetricComparison::isRegression).toList();
    }

    /** The metrics flagged as improvements. */
    public List<MetricComparison> improvements() {
        return comparisons.stream().filter(MetricComparison::isImprovement).toList();
    }
}
