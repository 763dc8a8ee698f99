package dev.pullab.core.analysis;

/**
 * Brings a metric's values to an ordinary magnitude before any statistic is computed, so that sums and squares
 * neither overflow (values near {@code 1.8e308}: a mean of {@code Infinity}, a NaN p-value, a missed regression) nor
 * underflow (values near {@code 1e-308}: a variance of 0).
 *
 * <p>The factor is a power of two, so dividing by it is exact and every scale-free statistic (t, both p-values,
 * Cohen's d, the coefficient of variation, the percent change) is the one of the raw values; means, medians and
 * standard deviations are multiplied back. Values between {@code 2^-500} and {@code 2^500} in magnitude (every real
 * benchmark) are left as they are (factor 1), bit for bit.
 */
final class Scaling {

    private static final int LARGEST_UNSCALED_EXPONENT = 500;

    private Scaling() {
    }

    /** The power of two to divide both samples (finite values) by; 1 when the largest magnitude is ordinary. */
    static double factor(double[] base, double[] tip) {
        double largest = Math.max(largestMagnitude(base), largestMagnitude(tip));
        if (largest == 0.0) {
            return 1.0;
        }
        int exponent = Math.getExponent(largest); // subnormals report MIN_EXPONENT - 1
        if (Math.abs(exponent) <= LARGEST_UNSCALED_EXPONENT) {
            return 1.0;
        }
        return Math.scalb(1.0, Math.max(exponent, Double.MIN_EXPONENT));
    }

    static double[] divide(double[] values, double factor) {
        if (factor == 1.0) {
            return values;
        }
        double[] scaled = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            scaled[i] = values[i] / factor;
        }
        return scaled;
    }

    private static double largestMagnitude(double[] values) {
        double largest = 0.0;
        for (double v : values) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }
}
