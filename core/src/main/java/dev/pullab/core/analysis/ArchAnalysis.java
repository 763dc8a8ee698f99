package dev.pullab.core.analysis;

import java.util.List;

/**
 * The comparisons of one test restricted to the VMs of one architecture (same rule, own correction family).
 *
 * @param arch            architecture, e.g. {@code x86_64}
 * @param baseKernel      kernel version(s) of this arch's base files
 * @param tipKernel       kernel version(s) of this arch's tip files
 * @param metricsCompared number of metrics with both base and tip values on this arch
 * @param hasRegression   any metric regressed on this arch
 * @param comparisons     one per metric
 */
public record ArchAnalysis(String arch, String baseKernel, String tipKernel, int metricsCompared, boolean hasRegression,
        List<MetricComparison> comparisons) {

    public ArchAnalysis {
        comparisons = List.copyOf(comparisons);
    }
}
