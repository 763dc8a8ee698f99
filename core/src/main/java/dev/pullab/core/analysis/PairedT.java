package dev.pullab.core.analysis;

import org.apache.commons.statistics.inference.TTest;

/**
 * The paired t-test on per-VM differences (pullab uses {@code log(tip/base)}), two-sided, as
 * {@code scipy.stats.ttest_rel(tip, base)} on the same pairs: the one-sample t of the differences against 0, Student-t
 * p-value with {@code n - 1} degrees of freedom.
 *
 * {@link Result#confidenceInterval(double)} is {@code ttest_rel(...).confidence_interval(level)}: the mean difference
 * ± the Student-t quantile times {@code sd / sqrt(n)}. Pinned to scipy 1.17 to 1e-9 relative by
 * {@code ScipyPairedGoldenTest}.
 *
 * <p>Undefined cases: fewer than 2 differences gives t = 0, p = 1 ({@link Result#computable()} false); all differences
 * equal and 0 gives t = 0, p = 1 (scipy: NaN); all equal and not 0 gives t = ±Infinity, p = 0 (as scipy).
 */
public final class PairedT {

    private static final TTest ONE_SAMPLE = TTest.withDefaults();

    private PairedT() {
    }

    /**
     * @param statistic      t (positive when the mean difference is positive); may be infinite
     * @param pValue         two-sided p-value in [0, 1]
     * @param df             {@code n - 1}
     * @param meanDifference the mean of the differences
     * @param standardError  {@code sd / sqrt(n)}
     * @param computable     false with fewer than 2 differences
     */
    public record Result(double statistic, double pValue, double df, double meanDifference, double standardError,
                         boolean computable) {

        /** The two-sided confidence interval of the mean difference at {@code level} (e.g. 0.95). */
        public double[] confidenceInterval(double level) {
            return StudentInterval.of(meanDifference, standardError, df, level, computable);
        }
    }

    public static Result test(double[] differences) {
        int n = differences.length;
        if (n < 2) {
            return new Result(0.0, 1.0, 0.0, n == 1 ? differences[0] : 0.0, 0.0, false);
        }
        double mean = 0.0;
        for (double d : differences) {
            mean += d;
        }
        mean /= n;
        double ss = 0.0;
        for (double d : differences) {
            ss += (d - mean) * (d - mean);
        }
        double se = Math.sqrt(ss / (n - 1) / n);
        if (se == 0.0) {
            if (mean == 0.0) {
                return new Result(0.0, 1.0, n - 1, mean, 0.0, true);
            }
            return new Result(Math.copySign(Double.POSITIVE_INFINITY, mean), 0.0, n - 1, mean, 0.0, true);
        }
        TTest.Result r = ONE_SAMPLE.test(differences);
        return new Result(r.getStatistic(), r.getPValue(), r.getDegreesOfFreedom(), mean, se, true);
    }
}
