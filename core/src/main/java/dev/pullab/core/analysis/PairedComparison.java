package dev.pullab.core.analysis;

import java.util.List;

/**
 * Base against tip of one metric on the same VMs: the lab's own design (each VM measures both kernels), where the
 * spread between VMs cancels out. Field names are the JSON report's (snake_case).
 *
 * @param pairs              VMs with both kernels measured (the pairs analysed)
 * @param reducedToMedian    some VM measured a kernel more than once: each VM's values per kernel were first reduced
 *                           to their median
 * @param unpairedVms        VMs that measured one kernel only: left out of the pairing
 * @param outlierVms         VMs screened out as outliers: their change is more than 4 normalised MADs from the
 *                           median change of the metric (a noisy neighbour during one kernel's run)
 * @param vmChanges          per VM: its base and tip value and the change {@code (tip / base - 1) * 100}
 * @param changePct          the estimated change, {@code (exp(m) - 1) * 100} with {@code m} the mean of the per-VM
 *                           {@code log(tip / base)} of the VMs kept
 * @param ciLowPct           lower end of the change's 95 % confidence interval (moderated t), in percent
 * @param ciHighPct          upper end
 * @param trimmedT           the 20 % trimmed-mean t of all pairs of this metric on its own ({@link TrimmedPairedT}),
 *                           a robust reference
 * @param trimmedDf          its degrees of freedom
 * @param trimmedPvalue      its two-sided p-value
 * @param moderatedT         the verdict's statistic: {@code m} over its standard error, the kept VMs' variance
 *                           moderated across the test's paired metrics ({@link VariancePrior})
 * @param moderatedDf        its degrees of freedom, the metric's own plus the prior's (null in JSON when infinite)
 * @param moderatedPvalue    its two-sided p-value
 * @param moderatedPvalueAdjusted the same after the test's correction across its paired metrics: the verdict's
 * @param priorDf            the prior degrees of freedom borrowed from the test's metrics (0: none borrowed)
 * @param pairedT            the textbook paired t of the log ratios ({@link PairedT}), for reference
 * @param pairedTPvalue      its two-sided p-value
 * @param wilcoxonStatistic  the Wilcoxon signed-rank statistic of the log ratios, {@code min(R+, R-)}
 * @param wilcoxonPvalue     its two-sided p-value
 * @param wilcoxonMethod     {@code exact}, {@code permutation} or {@code asymptotic}
 */
public record PairedComparison(
        int pairs,
        boolean reducedToMedian,
        List<String> unpairedVms,
        List<String> outlierVms,
        List<VmChange> vmChanges,
        double changePct,
        double ciLowPct,
        double ciHighPct,
        double trimmedT,
        double trimmedDf,
        double trimmedPvalue,
        double moderatedT,
        double moderatedDf,
        double moderatedPvalue,
        double moderatedPvalueAdjusted,
        double priorDf,
        double pairedT,
        double pairedTPvalue,
        double wilcoxonStatistic,
        double wilcoxonPvalue,
        String wilcoxonMethod) {

    public PairedComparison {
        unpairedVms = List.copyOf(unpairedVms);
        outlierVms = List.copyOf(outlierVms);
        vmChanges = List.copyOf(vmChanges);
    }

    /** One VM's pair. */
    public record VmChange(String instanceId, double base, double tip, double changePct) {
    }
}
