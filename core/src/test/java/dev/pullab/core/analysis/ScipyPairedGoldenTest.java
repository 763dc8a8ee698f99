package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The paired statistics (issue 18) against scipy 1.17's own numbers ({@code golden/scipy_paired.json}, made by
 * {@code core/src/test/python/generate_paired_golden.py}): {@code ttest_rel} t/p/df and its 95 % interval,
 * {@code wilcoxon(d)} statistic/p and the method its {@code "auto"} picks, and Wilcox's {@code trimci} at 20 %.
 *
 * <p>Tolerance: relative 1e-9 of scipy's value, with an absolute floor of 1e-12 for values at or near 0 (a t of 0,
 * an interval end near 0). The p-values are compared relatively too, so a p of 1e-20 must be right to 1e-29.
 */
class ScipyPairedGoldenTest {

    private static final double RELATIVE = 1e-9;
    private static final double ABSOLUTE = 1e-12;
    private static final JsonNode GOLDEN = load();
    private static double maxRelativeError;

    static Stream<JsonNode> cases() {
        return StreamSupport.stream(GOLDEN.get("cases").spliterator(), false);
    }

    static Stream<JsonNode> trimmedCases() {
        return cases().filter(c -> c.has("trimmed"));
    }

    @Test
    @DisplayName("the golden file covers n 3..100, every Wilcoxon method, ties, zeros, both shifts and an outlier")
    void goldenFileCoversTheRequiredCases() {
        List<JsonNode> all = cases().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(100);
        assertThat(all).extracting(c -> c.get("wilcoxon_method").asText())
                .contains("exact", "permutation", "asymptotic");
        assertThat(all).anyMatch(c -> c.get("d").size() == 3).anyMatch(c -> c.get("d").size() == 100);
        assertThat(all).filteredOn(c -> c.get("wilcoxon_method").asText().equals("permutation"))
                .anyMatch(c -> hasZero(c.get("d"))).anyMatch(c -> !hasZero(c.get("d")));
        assertThat(all).filteredOn(c -> c.get("wilcoxon_method").asText().equals("asymptotic"))
                .anyMatch(c -> c.get("d").size() <= 50).anyMatch(c -> c.get("d").size() > 50);
        assertThat(all).anyMatch(c -> c.get("paired_t").asDouble() < -2).anyMatch(c -> c.get("paired_t").asDouble() > 2);
        assertThat(all).anyMatch(c -> c.get("name").asText().startsWith("outlier-"));
        assertThat(trimmedCases().count()).isGreaterThanOrEqualTo(100);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("the paired t-test gives ttest_rel's t, p, df and 95 % confidence interval")
    void pairedTMatchesScipy(JsonNode c) {
        PairedT.Result r = PairedT.test(values(c.get("d")));

        assertThat(r.computable()).isTrue();
        assertClose(r.statistic(), c.get("paired_t").asDouble());
        assertClose(r.pValue(), c.get("paired_p").asDouble());
        assertClose(r.df(), c.get("paired_df").asDouble());
        assertInterval(r.confidenceInterval(0.95), c.get("paired_ci95"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("the Wilcoxon signed-rank test gives wilcoxon(d)'s statistic and p by the method scipy's auto picks")
    void wilcoxonMatchesScipy(JsonNode c) {
        WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(values(c.get("d")));

        assertThat(r.computable()).isTrue();
        assertThat(r.method().name().toLowerCase(Locale.ROOT)).isEqualTo(c.get("wilcoxon_method").asText());
        assertClose(r.statistic(), c.get("wilcoxon_statistic").asDouble());
        assertClose(r.pValue(), c.get("wilcoxon_p").asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trimmedCases")
    @DisplayName("the 20 % trimmed t-test gives Wilcox's trimci estimate, se, df, t, p and 95 % interval")
    void trimmedTMatchesTrimci(JsonNode c) {
        JsonNode expected = c.get("trimmed");
        TrimmedPairedT.Result r = TrimmedPairedT.test(values(c.get("d")), GOLDEN.get("trim").asDouble());

        assertThat(r.computable()).isTrue();
        assertClose(r.trimmedMean(), expected.get("estimate").asDouble());
        assertClose(r.standardError(), expected.get("se").asDouble());
        assertClose(r.df(), expected.get("df").asDouble());
        assertClose(r.statistic(), expected.get("t").asDouble());
        assertClose(r.pValue(), expected.get("p").asDouble());
        assertInterval(r.confidenceInterval(0.95), expected.get("ci"));
    }

    @AfterAll
    static void reportLargestError() {
        System.out.printf(Locale.ROOT, "ScipyPairedGoldenTest: largest relative error against scipy %.3g%n",
                maxRelativeError);
    }

    private static boolean hasZero(JsonNode d) {
        return StreamSupport.stream(d.spliterator(), false).anyMatch(v -> v.asDouble() == 0.0);
    }

    private static void assertInterval(double[] actual, JsonNode expected) {
        assertThat(actual).hasSize(2);
        assertClose(actual[0], expected.get(0).asDouble());
        assertClose(actual[1], expected.get(1).asDouble());
    }

    private static void assertClose(double actual, double expected) {
        double error = Math.abs(actual - expected);
        if (expected != 0.0) {
            maxRelativeError = Math.max(maxRelativeError, error / Math.abs(expected));
        }
        assertThat(error).as("actual %s, scipy %s", actual, expected)
                .isLessThanOrEqualTo(ABSOLUTE + RELATIVE * Math.abs(expected));
    }

    static double[] values(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static JsonNode load() {
        try (InputStream in = ScipyPairedGoldenTest.class.getResourceAsStream("/golden/scipy_paired.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
