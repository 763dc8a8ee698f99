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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine against scipy 1.17's own numbers ({@code golden/scipy_two_sample.json}, made by
 * {@code core/src/test/python/generate_scipy_golden.py}): Welch t/p/df, Mann-Whitney U/p with scipy's
 * {@code method="auto"}, Cohen's d, descriptive statistics, Holm and Benjamini–Hochberg adjustments.
 */
class ScipyGoldenTest {

    private static final double RELATIVE = 1e-9;
    private static final double ABSOLUTE = 1e-12;
    private static final JsonNode GOLDEN = load();

    static Stream<JsonNode> cases() {
        return StreamSupport.stream(GOLDEN.get("cases").spliterator(), false);
    }

    static Stream<JsonNode> corrections() {
        return StreamSupport.stream(GOLDEN.get("corrections").spliterator(), false);
    }

    @Test
    @DisplayName("the golden file holds at least 50 cases covering exact and asymptotic Mann-Whitney, n 3..90")
    void goldenFileCoversTheRequiredCases() {
        List<JsonNode> all = cases().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(50);
        assertThat(all).extracting(c -> c.get("mwu_method").asText()).contains("exact", "asymptotic");
        assertThat(all).anyMatch(c -> c.get("name").asText().startsWith("ties-"));
        assertThat(all).anyMatch(c -> c.get("x").size() == 3);
        assertThat(all).anyMatch(c -> c.get("x").size() == 90);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("Welch's t-test gives scipy's t, p and df")
    void welchMatchesScipy(JsonNode c) {
        double[] x = values(c.get("x"));
        double[] y = values(c.get("y"));
        WelchT.Result r = WelchT.test(x, y, SampleSummary.of(x), SampleSummary.of(y));

        assertClose(r.statistic(), c.get("welch_t").asDouble());
        assertClose(r.pValue(), c.get("welch_p").asDouble());
        assertClose(r.df(), c.get("welch_df").asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("Mann-Whitney U gives scipy's U, p and method")
    void mannWhitneyMatchesScipy(JsonNode c) {
        MannWhitneyU.Result r = MannWhitneyU.test(values(c.get("x")), values(c.get("y")));

        assertThat(r.method().name().toLowerCase(Locale.ROOT)).isEqualTo(c.get("mwu_method").asText());
        assertClose(r.statistic(), c.get("mwu_u").asDouble());
        assertClose(r.pValue(), c.get("mwu_p").asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("Cohen's d and the descriptive statistics match numpy")
    void effectSizeAndSummariesMatchNumpy(JsonNode c) {
        SampleSummary x = SampleSummary.of(values(c.get("x")));
        SampleSummary y = SampleSummary.of(values(c.get("y")));

        assertClose(CohensD.of(x, y), c.get("cohens_d").asDouble());
        assertSummary(x, c.get("x_summary"));
        assertSummary(y, c.get("y_summary"));
    }

    @ParameterizedTest
    @MethodSource("corrections")
    @DisplayName("Holm and Benjamini-Hochberg adjust like the reference implementations")
    void correctionsMatchReference(JsonNode family) {
        double[] p = values(family.get("p"));

        assertAllClose(Correction.HOLM.adjust(p), values(family.get("holm")));
        assertAllClose(Correction.BH.adjust(p), values(family.get("bh")));
        assertThat(Correction.NONE.adjust(p)).containsExactly(p);
    }

    private static void assertSummary(SampleSummary actual, JsonNode expected) {
        assertThat(actual.n()).isEqualTo(expected.get("n").asInt());
        assertClose(actual.mean(), expected.get("mean").asDouble());
        assertClose(actual.median(), expected.get("median").asDouble());
        assertClose(actual.stddev(), expected.get("stddev").asDouble());
    }

    private static void assertAllClose(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertClose(actual[i], expected[i]);
        }
    }

    private static void assertClose(double actual, double expected) {
        assertThat(Math.abs(actual - expected))
                .as("actual %s, scipy %s", actual, expected)
                .isLessThanOrEqualTo(ABSOLUTE + RELATIVE * Math.abs(expected));
    }

    private static double[] values(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static JsonNode load() {
        try (InputStream in = ScipyGoldenTest.class.getResourceAsStream("/golden/scipy_two_sample.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
