package dev.pullab.core.analysis;

import java.util.Arrays;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.PValueMethod;
import org.apache.commons.statistics.inference.WilcoxonSignedRankTest;

/**
 * The Wilcoxon signed-rank test on per-VM differences, two-sided, as {@code scipy.stats.wilcoxon(d)} (scipy 1.17) with
 * its defaults: {@code zero_method="wilcox"} (zero differences are dropped before ranking),
 * {@code correction=False}, {@code alternative="two-sided"}, {@code method="auto"}. Absolute differences are ranked
 * with average ranks for ties; R+ is the sum of the ranks of the positive differences.
 *
 * <p>scipy's {@code "auto"} picks the p-value's method from the number of differences n, zeros included:
 * <ul>
 * <li>{@link Method#EXACT}: n ≤ 50, no zeros and no ties among |d|: the exact null distribution of R+ over
 * n ranks, {@code p = min(1, 2·min(P(R+ ≥ r), P(R+ ≤ r)))} (Commons Statistics' exact test, which gives the same
 * numbers);</li>
 * <li>{@link Method#PERMUTATION}: n ≤ 13 with zeros or ties: scipy's exact {@code permutation_test} over all
 * {@code 2^n} sign flips of d (R+ of each flip, zeros dropped), {@code p = min(1, 2·min(#(null ≤ r), #(null ≥ r)) /
 * 2^n)}. Only the m non-zero differences are flipped here ({@code 2^m ≤ 8192} flips): flipping a zero changes
 * nothing, so each of the {@code 2^m} null values appears {@code 2^(n-m)} times in scipy's enumeration and the
 * fractions are equal. R+ is a sum of half-integers, so it is compared on doubled ranks, exactly; scipy's relative
 * tolerance of {@code 100·ulp} around the observed value cannot reach another attainable value (they are 0.5
 * apart);</li>
 * <li>{@link Method#ASYMPTOTIC}: otherwise (n > 50, or ties or zeros with n > 13): the normal approximation
 * {@code z = (R+ - m(m+1)/4) / sqrt((m(m+1)(2m+1) - Σ(t³ - t)/2) / 24)} over the m non-zero differences, t the
 * sizes of the tie groups of |d|, no continuity correction, {@code p = 2·P(Z > |z|)} (Commons Statistics' asymptotic
 * test on the non-zero differences, which gives the same numbers).</li>
 * </ul>
 *
 * <p>All differences zero (or none): {@link Result#computable()} is false, the statistic 0 and p 1. scipy returns the
 * same (statistic 0, p 1, from its permutation test) for n ≤ 13 and p = NaN for larger n (its normal approximation
 * divides by a zero standard error); the method reported is the one scipy would use.
 */
public final class WilcoxonSignedRank {

    /** Above this many differences (zeros included) scipy's "auto" always uses the normal approximation. */
    static final int MAX_EXACT = 50;
    /** Up to this many differences (zeros included) ties or zeros get the exact permutation test. */
    static final int MAX_PERMUTATION = 13;

    private static final WilcoxonSignedRankTest TWO_SIDED = WilcoxonSignedRankTest.withDefaults()
            .with(AlternativeHypothesis.TWO_SIDED).with(ContinuityCorrection.DISABLED);
    private static final WilcoxonSignedRankTest EXACT_TEST = TWO_SIDED.with(PValueMethod.EXACT);
    private static final WilcoxonSignedRankTest ASYMPTOTIC_TEST = TWO_SIDED.with(PValueMethod.ASYMPTOTIC);

    private WilcoxonSignedRank() {
    }

    /** How the p-value was found. */
    public enum Method { EXACT, PERMUTATION, ASYMPTOTIC }

    /**
     * @param statistic  {@code min(R+, R-)}, scipy's two-sided statistic
     * @param pValue     two-sided p-value in [0, 1]
     * @param method     how the p-value was found
     * @param computable false when no non-zero difference is left
     */
    public record Result(double statistic, double pValue, Method method, boolean computable) {
    }

    public static Result test(double[] differences) {
        int n = differences.length;
        double[] nonZero = Arrays.stream(differences).filter(d -> d != 0.0).toArray();
        int m = nonZero.length;
        if (m == 0) {
            return new Result(0.0, 1.0, n <= MAX_PERMUTATION ? Method.PERMUTATION : Method.ASYMPTOTIC, false);
        }
        SignedRanks ranks = SignedRanks.of(nonZero);
        double rPlus = ranks.doubledRPlus() / 2.0;
        double statistic = Math.min(rPlus, m * (m + 1) / 2.0 - rPlus);
        Method method = chooseMethod(n, m < n || ranks.hasTies());
        double p = switch (method) {
            case EXACT -> EXACT_TEST.test(nonZero).getPValue();
            case PERMUTATION -> permutationPValue(ranks);
            case ASYMPTOTIC -> ASYMPTOTIC_TEST.test(nonZero).getPValue();
        };
        return new Result(statistic, p, method, true);
    }

    /** scipy 1.17's {@code method="auto"}: n counts the zeros too. */
    static Method chooseMethod(int n, boolean tiesOrZeros) {
        if (n > MAX_EXACT) {
            return Method.ASYMPTOTIC;
        }
        if (!tiesOrZeros) {
            return Method.EXACT;
        }
        return n <= MAX_PERMUTATION ? Method.PERMUTATION : Method.ASYMPTOTIC;
    }

    /** Every sign flip of the non-zero differences: R+ of each, compared with the observed R+ (doubled, exact). */
    private static double permutationPValue(SignedRanks ranks) {
        int[] doubled = ranks.doubledRanks();
        int observed = ranks.doubledRPlus();
        int flips = 1 << doubled.length;
        long atMost = 0;
        long atLeast = 0;
        for (int mask = 0; mask < flips; mask++) {
            int sum = 0;
            for (int i = 0; i < doubled.length; i++) {
                if ((mask & (1 << i)) != 0) {
                    sum += doubled[i];
                }
            }
            if (sum <= observed) {
                atMost++;
            }
            if (sum >= observed) {
                atLeast++;
            }
        }
        return Math.min(1.0, 2.0 * Math.min(atMost, atLeast) / flips);
    }

    /**
     * The average ranks of |d| (doubled, so integers) of non-zero differences, R+ (doubled), and whether |d| ties.
     *
     * @param doubledRanks twice the average rank of each |d|, in the order of the differences
     * @param doubledRPlus twice the sum of the ranks of the positive differences
     * @param hasTies      whether two |d| are equal
     */
    private record SignedRanks(int[] doubledRanks, int doubledRPlus, boolean hasTies) {

        static SignedRanks of(double[] nonZero) {
            int m = nonZero.length;
            Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (i, j) -> Double.compare(Math.abs(nonZero[i]), Math.abs(nonZero[j])));
            int[] doubled = new int[m];
            boolean ties = false;
            for (int start = 0; start < m;) {
                int end = start + 1;
                while (end < m && Math.abs(nonZero[order[end]]) == Math.abs(nonZero[order[start]])) {
                    end++;
                }
                int doubledAverage = start + 1 + end; // (start + 1) + end = twice the average of ranks start+1..end
                for (int k = start; k < end; k++) {
                    doubled[order[k]] = doubledAverage;
                }
                ties |= end - start > 1;
                start = end;
            }
            int rPlus = 0;
            for (int i = 0; i < m; i++) {
                if (nonZero[i] > 0) {
                    rPlus += doubled[i];
                }
            }
            return new SignedRanks(doubled, rPlus, ties);
        }
    }
}
