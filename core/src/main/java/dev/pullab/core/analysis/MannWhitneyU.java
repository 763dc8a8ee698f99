package dev.pullab.core.analysis;

import java.util.Arrays;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * Mann-Whitney U, two-sided, with the semantics of {@code scipy.stats.mannwhitneyu(x, y, method="auto")}.
 *
 * <p>scipy computes the exact distribution when {@code min(n1, n2) <= 8} and there are no ties, and otherwise the
 * normal approximation with tie correction and continuity correction. Commons Statistics' own {@code AUTO} goes
 * exact up to 50 values, so the method is chosen here explicitly. The statistic is U of x, as scipy reports it.
 *
 * <p>Undefined case, pinned by tests: when every value of both samples is the same the ranks carry no information;
 * p = 1 (as scipy), where Commons Statistics would give NaN.
 */
public final class MannWhitneyU {

    /** scipy's {@code _mwu_choose_method}: exact only for small samples without ties. */
    static final int EXACT_MAX_MIN_SIZE = 8;

    private static final MannWhitneyUTest BASE = MannWhitneyUTest.withDefaults()
            .with(AlternativeHypothesis.TWO_SIDED)
            .with(ContinuityCorrection.ENABLED);
    private static final MannWhitneyUTest EXACT = BASE.with(PValueMethod.EXACT);
    private static final MannWhitneyUTest ASYMPTOTIC = BASE.with(PValueMethod.ASYMPTOTIC);

    private MannWhitneyU() {
    }

    /** How the p-value was computed. */
    public enum Method {
        EXACT, ASYMPTOTIC
    }

    /**
     * @param statistic U of x
     * @param pValue    two-sided p-value in [0, 1]
     * @param method    exact or asymptotic
     */
    public record Result(double statistic, double pValue, Method method) {
    }

    public static Result test(double[] x, double[] y) {
        double[] pooled = new double[x.length + y.length];
        System.arraycopy(x, 0, pooled, 0, x.length);
        System.arraycopy(y, 0, pooled, x.length, y.length);
        Arrays.sort(pooled);
        boolean ties = hasTies(pooled);
        Method method = Math.min(x.length, y.length) <= EXACT_MAX_MIN_SIZE && !ties ? Method.EXACT : Method.ASYMPTOTIC;
        if (pooled[0] == pooled[pooled.length - 1]) {
            return new Result(x.length * (double) y.length / 2.0, 1.0, method);
        }
        MannWhitneyUTest.Result r = (method == Method.EXACT ? EXACT : ASYMPTOTIC).test(x, y);
        return new Result(r.getStatistic(), Math.min(1.0, r.getPValue()), method);
    }

    private static boolean hasTies(double[] sorted) {
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                return true;
            }
        }
        return false;
    }
}
