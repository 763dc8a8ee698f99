package dev.pullab.core.analysis;

/**
 * Base against tip for one metric. Field names are the JSON report's (snake_case).
 *
 * @param metric           metric name
 * @param unit             unit of the values
 * @param moreIsBetter     direction of "better"
 * @param base             base kernel sample
 * @param tip              tip kernel sample
 * @param pctChange        {@code (tip_mean - base_mean) / base_mean * 100}; 0 when both means are 0,
 *                         ±Infinity when only the base mean is 0
 * @param tStatistic       Welch t of base against tip (may be ±Infinity)
 * @param tPvalue          Welch two-sided p-value
 * @param tDf              Welch–Satterthwaite degrees of freedom (0 when not computable)
 * @param uStatistic       Mann-Whitney U of the base sample (scipy's statistic)
 * @param uPvalue          Mann-Whitney two-sided p-value
 * @param uMethod          {@code exact} or {@code asymptotic}
 * @param tPvalueAdjusted  Welch p-value after the test's correction
 * @param uPvalueAdjusted  Mann-Whitney p-value after the test's correction
 * @param cohensD          Cohen's d, {@code (base_mean - tip_mean) / pooled_sd} (may be ±Infinity)
 * @param worse            the tip moved in the worse direction (by the paired estimate when paired)
 * @param isRegression     the verdict
 * @param isImprovement    the same rule in the better direction
 * @param paired           the paired comparison the verdict is based on; null when the metric was compared unpaired
 */
public record MetricComparison(
        String metric,
        String unit,
        boolean moreIsBetter,
        SampleSummary base,
        SampleSummary tip,
        double pctChange,
        double tStatistic,
        double tPvalue,
        double tDf,
        double uStatistic,
        double uPvalue,
        String uMethod,
        double tPvalueAdjusted,
        double uPvalueAdjusted,
        double cohensD,
        boolean worse,
        boolean isRegression,
        boolean isImprovement,
        PairedComparison paired) {

    /** The change the verdict is about: the paired estimate when paired, else the change of the means. */
    public double change() {
        return paired == null ? pctChange : paired.changePct();
    }
}
