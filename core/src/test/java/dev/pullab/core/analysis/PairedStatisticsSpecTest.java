package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The paired statistics' hand-checked case and their undefined cases, each compared with what scipy 1.17 returns
 * (the golden cases are in {@link ScipyPairedGoldenTest}).
 */
class PairedStatisticsSpecTest {

    @Nested
    @DisplayName("the 20 % trimmed t-test")
    class Trimmed {

        @Test
        @DisplayName("divides by (1 - 2·trim)·sqrt(n) as Wilcox's trimci does, not by (1 - 2g/n)·sqrt(n)")
        void followsTrimciByHand() {
            // n = 12, g = floor(0.2 · 12) = 2, sorted d = -1 2 3 4 5 6 7 8 9 10 11 40
            // trimmed: 3..10, mean 52 / 8 = 6.5; winsorized: 3 3 3 4 5 6 7 8 9 10 10 10, mean 78 / 12 = 6.5
            // squared deviations: 6 · 3.5² + 2 · 2.5² + 2 · 1.5² + 2 · 0.5² = 73.5 + 12.5 + 4.5 + 0.5 = 91
            // s_w = sqrt(91 / 11) = 2.876234912646614; se = s_w / (0.6 · sqrt(12)) = 1.383829167557602
            // T = 6.5 / se = 4.697111574452658, df = 12 - 4 - 1 = 7, p = 2 · P(t_7 > T) = 0.002215991529996507
            // (1 - 2g/n = 0.667 would give se = 1.2454): the generator's trimci gives the same numbers
            double[] d = {7, -1, 40, 2, 3, 11, 4, 5, 6, 8, 9, 10};
            TrimmedPairedT.Result r = TrimmedPairedT.test(d, TrimmedPairedT.DEFAULT_TRIM);

            assertThat(r.trimmedMean()).isEqualTo(6.5);
            assertThat(r.standardError()).isCloseTo(Math.sqrt(91.0 / 11.0) / (0.6 * Math.sqrt(12.0)), within(1e-15));
            assertThat(r.standardError()).isCloseTo(1.383829167557602, within(1e-12));
            assertThat(r.df()).isEqualTo(7.0);
            assertThat(r.statistic()).isCloseTo(4.697111574452658, within(1e-12));
            assertThat(r.pValue()).isCloseTo(0.002215991529996507, within(1e-15));
        }

        @Test
        @DisplayName("with fewer than 2 differences left after trimming is not computable")
        void tooFewAfterTrimming() {
            assertThat(TrimmedPairedT.test(new double[] {0.1}, 0.2).computable()).isFalse();
            assertThat(TrimmedPairedT.test(new double[] {0.1, 0.2, 0.3}, 0.4).computable()).isFalse();
        }
    }

    @Nested
    @DisplayName("the Wilcoxon signed-rank test")
    class Wilcoxon {

        @Test
        @DisplayName("with every difference zero is not computable: statistic 0, p 1 (scipy: 0 and 1 up to n = 13)")
        void allZerosSmall() {
            assertThat(WilcoxonSignedRank.test(new double[] {0.0, 0.0, 0.0}))
                    .isEqualTo(new WilcoxonSignedRank.Result(0.0, 1.0, WilcoxonSignedRank.Method.PERMUTATION, false));
        }

        @Test
        @DisplayName("with more than 13 differences all zero reports p 1 where scipy's normal approximation gives NaN")
        void allZerosLarge() {
            assertThat(WilcoxonSignedRank.test(new double[20]))
                    .isEqualTo(new WilcoxonSignedRank.Result(0.0, 1.0, WilcoxonSignedRank.Method.ASYMPTOTIC, false));
        }

        @Test
        @DisplayName("with one difference is exact: statistic 0, p 1, as scipy")
        void single() {
            assertThat(WilcoxonSignedRank.test(new double[] {0.02}))
                    .isEqualTo(new WilcoxonSignedRank.Result(0.0, 1.0, WilcoxonSignedRank.Method.EXACT, true));
        }

        @Test
        @DisplayName("chooses as scipy's auto: exact up to 50 without ties or zeros, permutation up to 13 with them")
        void choosesLikeScipy() {
            double[] distinct50 = IntStream.rangeClosed(1, 50).mapToDouble(i -> i * (i % 3 == 0 ? -0.01 : 0.01))
                    .toArray();
            double[] distinct51 = IntStream.rangeClosed(1, 51).mapToDouble(i -> i * 0.01).toArray();
            double[] zero13 = IntStream.range(0, 13).mapToDouble(i -> i * 0.01).toArray();
            double[] zero14 = IntStream.range(0, 14).mapToDouble(i -> i * 0.01).toArray();

            assertThat(WilcoxonSignedRank.test(distinct50).method()).isEqualTo(WilcoxonSignedRank.Method.EXACT);
            assertThat(WilcoxonSignedRank.test(distinct51).method()).isEqualTo(WilcoxonSignedRank.Method.ASYMPTOTIC);
            assertThat(WilcoxonSignedRank.test(zero13).method()).isEqualTo(WilcoxonSignedRank.Method.PERMUTATION);
            assertThat(WilcoxonSignedRank.test(zero14).method()).isEqualTo(WilcoxonSignedRank.Method.ASYMPTOTIC);
            assertThat(WilcoxonSignedRank.test(new double[] {0.01, -0.01, 0.02}).method())
                    .isEqualTo(WilcoxonSignedRank.Method.PERMUTATION);
        }
    }

    @Nested
    @DisplayName("the paired t-test")
    class Paired {

        @Test
        @DisplayName("with fewer than 2 differences is not computable: t 0, p 1")
        void tooFew() {
            PairedT.Result r = PairedT.test(new double[] {0.3});

            assertThat(r.computable()).isFalse();
            assertThat(r.pValue()).isEqualTo(1.0);
        }

        @Test
        @DisplayName("with every difference the same non-zero value gives t = ±Infinity, p 0, as scipy")
        void constantShift() {
            assertThat(PairedT.test(new double[] {0.1, 0.1, 0.1}).statistic()).isEqualTo(Double.POSITIVE_INFINITY);
            PairedT.Result r = PairedT.test(new double[] {-0.1, -0.1, -0.1});
            assertThat(r.statistic()).isEqualTo(Double.NEGATIVE_INFINITY);
            assertThat(r.pValue()).isZero();
        }

        @Test
        @DisplayName("with every difference zero gives t 0, p 1 where scipy gives NaN")
        void allZero() {
            PairedT.Result r = PairedT.test(new double[] {0.0, 0.0, 0.0});

            assertThat(r.statistic()).isZero();
            assertThat(r.pValue()).isEqualTo(1.0);
            assertThat(r.confidenceInterval(0.95)).containsExactly(0.0, 0.0);
        }
    }
}
