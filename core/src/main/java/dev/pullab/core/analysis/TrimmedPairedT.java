package dev.pullab.core.analysis;

import java.util.Arrays;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * The trimmed-mean t-test (Tukey and McLaughlin 1963; Wilcox, "Introduction to Robust Estimation and Hypothesis
 * Testing", 4th ed., section 4.5) on per-VM differences, two-sided: with {@code g = floor(trim * n)} values cut from
 * each end, the statistic is {@code T = trimmed_mean / (s_w / ((1 - 2 * trim) * sqrt(n)))}, {@code s_w} the standard
 * deviation of the winsorized differences, and T follows Student's t with {@code n - 2g - 1} degrees of freedom. One
 * or two VMs whose difference is far out (a noisy neighbour during one kernel's run) barely move it, where they
 * inflate the paired t's variance. The confidence interval is {@code trimmed_mean ± t(1 - (1 - level)/2, df) · se}.
 * With {@code trim = 0} it is the paired t-test.
 *
 * <p>This follows Wilcox's R function {@code trimci} (Rallfun) exactly:
 * {@code se <- sqrt(winvar(x, tr)) / ((1 - 2 * tr) * sqrt(length(x)))} with {@code tr} the trim as given, not the
 * fraction {@code 2g/n} actually cut (they differ when {@code trim * n} is not an integer, e.g. n = 12: 0.4 against
 * 4/12), {@code g <- floor(tr * length(x))}, {@code df <- length(x) - 2 * g - 1}, {@code p = 2 * (1 - pt(|T|, df))}.
 * The winsorized values are the sorted differences with the g lowest set to the (g+1)-th and the g highest to the
 * (n-g)-th ({@code scipy.stats.mstats.winsorize(d, limits=(trim, trim))}), {@code s_w} their sample standard
 * deviation (n - 1 in the denominator); the trimmed mean is {@code scipy.stats.trim_mean(d, trim)}.
 *
 * <p>Undefined cases: fewer than 2 differences left after trimming gives {@link Result#computable()} false, T = 0,
 * p = 1; a zero winsorized spread gives T = 0, p = 1 when the trimmed mean is 0 (Wilcox's function gives NaN) and
 * T = ±Infinity, p = 0 otherwise.
 */
public final class TrimmedPairedT {

    /** The trim pullab uses: 20 % from each end, Wilcox's recommended default. */
    public static final double DEFAULT_TRIM = 0.2;

    private TrimmedPairedT() {
    }

    /**
     * @param trimmedMean   the mean of the differences after trimming (the estimate)
     * @param standardError {@code s_w / ((1 - 2 * trim) * sqrt(n))}
     * @param df            {@code n - 2g - 1}
     * @param statistic     {@code trimmedMean / standardError}; may be infinite
     * @param pValue        two-sided p-value in [0, 1]
     * @param computable    false when fewer than 2 differences remain after trimming
     */
    public record Result(double trimmedMean, double standardError, double df, double statistic, double pValue,
                         boolean computable) {

        /** The two-sided confidence interval of the trimmed mean at {@code level} (e.g. 0.95). */
        public double[] confidenceInterval(double level) {
            return StudentInterval.of(trimmedMean, standardError, df, level, computable);
        }
    }

    public static Result test(double[] differences, double trim) {
        if (!(trim >= 0.0 && trim < 0.5)) {
            throw new IllegalArgumentException("trim must be in [0, 0.5), got " + trim);
        }
        int n = differences.length;
        double[] sorted = differences.clone();
        Arrays.sort(sorted);
        int g = (int) Math.floor(trim * n);
        int h = n - 2 * g;
        if (h < 2) {
            double mid = n == 0 ? 0.0 : h == 1 ? sorted[g] : 0.0;
            return new Result(mid, 0.0, 0.0, 0.0, 1.0, false);
        }
        double trimmedMean = 0.0;
        for (int i = g; i < n - g; i++) {
            trimmedMean += sorted[i];
        }
        trimmedMean /= h;
        double winsorizedMean = 0.0;
        double[] winsorized = new double[n];
        for (int i = 0; i < n; i++) {
            winsorized[i] = sorted[Math.min(Math.max(i, g), n - g - 1)];
            winsorizedMean += winsorized[i];
        }
        winsorizedMean /= n;
        double ss = 0.0;
        for (double w : winsorized) {
            ss += (w - winsorizedMean) * (w - winsorizedMean);
        }
        double sw = Math.sqrt(ss / (n - 1));
        double se = sw / ((1.0 - 2.0 * trim) * Math.sqrt(n)); // trimci: the trim itself, not 2g/n
        double df = h - 1.0;
        if (se == 0.0) {
            if (trimmedMean == 0.0) {
                return new Result(0.0, 0.0, df, 0.0, 1.0, true);
            }
            return new Result(trimmedMean, 0.0, df, Math.copySign(Double.POSITIVE_INFINITY, trimmedMean), 0.0, true);
        }
        double t = trimmedMean / se;
        double p = Math.min(1.0, 2.0 * TDistribution.of(df).survivalProbability(Math.abs(t)));
        return new Result(trimmedMean, se, df, t, p, true);
    }
}
