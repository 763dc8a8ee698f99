package dev.pullab.core.analysis;

import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.PValueMethod;
import org.apache.commons.statistics.inference.WilcoxonSignedRankTest;

/**
 * The Wilcoxon signed-rank test on per-VM differences, two-sided, as {@code scipy.stats.wilcoxon(d)} with its
 * defaults ({@code zero_method="wilcox"}: zeros dropped; {@code correction=False}; {@code method="auto"}).
 */
public final class WilcoxonSignedRank {

    private static final WilcoxonSignedRankTest TEST = WilcoxonSignedRankTest.withDefaults()
            .with(AlternativeHypothesis.TWO_SIDED).with(ContinuityCorrection.DISABLED);

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
        double[] nonZero = java.util.Arrays.stream(differences).filter(d -> d != 0.0).toArray();
        if (nonZero.length == 0) {
            return new Result(0.0, 1.0, Method.ASYMPTOTIC, false);
        }
        WilcoxonSignedRankTest.Result r = TEST.with(PValueMethod.AUTO).test(nonZero);
        double rPlus = r.getStatistic();
        int n = nonZero.length;
        double rMinus = n * (n + 1) / 2.0 - rPlus;
        return new Result(Math.min(rPlus, rMinus), r.getPValue(),
                Method.ASYMPTOTIC, true); // first version: the helper pins each path to scipy
    }
}
