package dev.pullab.core.analysis;

import org.apache.commons.statistics.inference.TTest;

/**
 * Welch's unequal-variances t-test, two-sided, as {@code scipy.stats.ttest_ind(x, y, equal_var=False)}:
 * Student-t p-value with Welch–Satterthwaite degrees of freedom (no normal shortcut for large df).
 *
 * <p>Undefined cases, pinned by tests:
 * <ul>
 *   <li>fewer than 2 values in either sample: t = 0, p = 1, df = 0 ({@link Result#computable()} false);</li>
 *   <li>both samples constant and equal: t = 0, p = 1;</li>
 *   <li>both samples constant and different: t = ±Infinity, p = 0 (as scipy).</li>
 * </ul>
 */
public final class WelchT {

    private static final TTest WELCH = TTest.withDefaults(); // heteroscedastic, two-sided

    private WelchT() {
    }

    /**
     * @param statistic  t of x against y (positive when mean(x) > mean(y)); may be infinite
     * @param pValue     two-sided p-value in [0, 1]
     * @param df         Welch–Satterthwaite degrees of freedom (0 when not computable)
     * @param computable false when a sample has fewer than 2 values
     */
    public record Result(double statistic, double pValue, double df, boolean computable) {
    }

    public static Result test(double[] x, double[] y, SampleSummary sx, SampleSummary sy) {
        if (x.length < 2 || y.length < 2) {
            return new Result(0.0, 1.0, 0.0, false);
        }
        if (sx.stddev() == 0.0 && sy.stddev() == 0.0) {
            if (sx.mean() == sy.mean()) {
                return new Result(0.0, 1.0, x.length + y.length - 2.0, true);
            }
            double t = sx.mean() > sy.mean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            return new Result(t, 0.0, x.length + y.length - 2.0, true);
        }
        TTest.Result r = WELCH.test(x, y);
        return new Result(r.getStatistic(), r.getPValue(), r.getDegreesOfFreedom(), true);
    }
}
