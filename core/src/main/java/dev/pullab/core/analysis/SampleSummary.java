package dev.pullab.core.analysis;

import org.apache.commons.statistics.descriptive.DoubleStatistics;
import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.descriptive.Statistic;

/**
 * Descriptive statistics of one metric on one kernel, over all VMs and files.
 *
 * @param n      number of values
 * @param mean   arithmetic mean
 * @param median median (mean of the two middle values for even n)
 * @param stddev sample standard deviation (ddof 1); 0 when n is 1
 * @param cv     coefficient of variation {@code stddev / |mean|}; 0 when stddev is 0,
 *               {@code +Infinity} when the mean is 0 but the values vary (written as {@code null} in JSON)
 */
public record SampleSummary(int n, double mean, double median, double stddev, double cv) {

    /** Summarises a non-empty sample. */
    public static SampleSummary of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("empty sample");
        }
        DoubleStatistics stats = DoubleStatistics.of(
                java.util.EnumSet.of(Statistic.MEAN, Statistic.STANDARD_DEVIATION), values);
        double mean = stats.getAsDouble(Statistic.MEAN);
        double stddev = values.length < 2 ? 0.0 : stats.getAsDouble(Statistic.STANDARD_DEVIATION);
        double median = Median.withDefaults().evaluate(values.clone());
        return new SampleSummary(values.length, mean, median, stddev, coefficientOfVariation(stddev, mean));
    }

    /**
     * This summary of values that were divided by {@code factor} (see {@link Scaling}), in the values' own units:
     * mean, median and standard deviation multiplied back (the standard deviation of values spanning the whole
     * double range may then be infinite), the coefficient of variation unchanged.
     */
    SampleSummary unscaled(double factor) {
        if (factor == 1.0) {
            return this;
        }
        return new SampleSummary(n, mean * factor, median * factor, stddev * factor, cv);
    }

    private static double coefficientOfVariation(double stddev, double mean) {
        if (stddev == 0.0) {
            return 0.0;
        }
        return mean == 0.0 ? Double.POSITIVE_INFINITY : stddev / Math.abs(mean);
    }
}
