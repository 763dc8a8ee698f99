package dev.pullab.core.kcidb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.testkit.Fixtures;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("KcidbValidator: the kcidb-io v5.3 schema with format assertions")
class KcidbValidatorTest {

    private static final String VALID_TEST =
            "{\"version\":{\"major\":5,\"minor\":3},\"tests\":[{\"id\":\"lab:1\",\"build_id\":\"maestro:1\","
                    + "\"origin\":\"lab\",%s}]}";

    static List<String> validFixtures() {
        return KcidbFixtures.names("submission_");
    }

    static List<String> invalidFixtures() {
        return KcidbFixtures.names("invalid_");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFixtures")
    @DisplayName("every valid fixture passes")
    void validFixturePasses(String fixture) {
        assertThat(KcidbValidator.validate(KcidbFixtures.read(fixture))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFixtures")
    @DisplayName("every invalid fixture is rejected")
    void invalidFixtureIsRejected(String fixture) {
        assertThat(KcidbValidator.validate(KcidbFixtures.read(fixture))).isNotEmpty();
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource({
        "invalid_id_without_origin_prefix.json, $.tests[0].id: does not match the regex pattern",
        "invalid_log_url_not_uri.json,          $.tests[0].log_url: does not match the uri pattern",
        "invalid_missing_build_id.json,         $.tests[0]: required property 'build_id' not found",
        "invalid_missing_version.json,          $: required property 'version' not found",
        "invalid_naive_start_time.json,         $.tests[0].start_time: does not match the date-time pattern",
        "invalid_null_value.json,               '$.tests[0].status: null found, string expected'",
        "invalid_origin_with_hyphen.json,       $.tests[0].origin: does not match the regex pattern",
        "invalid_path_slash.json,               $.tests[0].path: does not match the regex pattern",
        "invalid_status_lowercase.json,         $.tests[0].status: does not have a value in the enumeration",
        "invalid_unknown_property.json,         $.tests[0]: property 'result' is not defined in the schema",
    })
    @DisplayName("each rejection names the faulty field by its JSON path")
    void rejectionNamesTheField(String fixture, String expectedProblem) {
        assertThat(KcidbValidator.validate(KcidbFixtures.read(fixture)))
                .anySatisfy(problem -> assertThat(problem).startsWith(expectedProblem));
    }

    @Test
    @DisplayName("the named rejection cases cover every invalid fixture")
    void everyInvalidFixtureHasANamedCase() {
        assertThat(invalidFixtures()).hasSize(10);
    }

    @Test
    @DisplayName("requireValid throws InvalidKcidbPayloadException listing the problems")
    void requireValidThrowsWithProblems() {
        JsonNode invalid = KcidbFixtures.read("invalid_status_lowercase.json");

        assertThatThrownBy(() -> KcidbValidator.requireValid(invalid))
                .isInstanceOf(InvalidKcidbPayloadException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$.tests[0].status: does not have a value in the enumeration")
                .satisfies(e -> assertThat(((InvalidKcidbPayloadException) e).problems()).hasSize(1));
    }

    @Test
    @DisplayName("requireValid accepts a valid revision")
    void requireValidAcceptsValid() {
        KcidbValidator.requireValid(KcidbFixtures.read("submission_tests_only_pull_lab.json"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-05-20T10:20:00.000000+00:00", "2026-05-20T10:20:00Z", "2026-05-20T12:20:00+02:00"})
    @DisplayName("a date-time with a UTC offset is accepted")
    void dateTimeWithOffsetIsAccepted(String startTime) {
        assertThat(KcidbValidator.validate(test("\"start_time\":\"" + startTime + "\""))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-05-20T10:20:00.000000", "2026-05-20 10:20:00+00:00", "2026-05-20", "yesterday"})
    @DisplayName("a naive, space-separated or partial date-time is rejected")
    void dateTimeWithoutOffsetIsRejected(String startTime) {
        assertThat(KcidbValidator.validate(test("\"start_time\":\"" + startTime + "\"")))
                .singleElement().asString().startsWith("$.tests[0].start_time:");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"not a uri", "relative/log.txt", "https://lab.example.org/a b"})
    @DisplayName("a log_url that is not an absolute URI is rejected")
    void nonUriIsRejected(String logUrl) {
        assertThat(KcidbValidator.validate(test("\"log_url\":\"" + logUrl + "\"")))
                .singleElement().asString().startsWith("$.tests[0].log_url:");
    }

    @Test
    @DisplayName("the schema's NUL-excluding patterns accept any text without NUL")
    void nulPatternAcceptsText() {
        assertThat(KcidbValidator.validate(test("\"comment\":\"any text: ünïcode, \\\\0 and \\n\""))).isEmpty();
    }

    @Test
    @DisplayName("the schema's NUL-excluding patterns reject a NUL")
    void nulPatternRejectsNul() {
        assertThat(KcidbValidator.validate(test("\"comment\":\"nul \\u0000 inside\"")))
                .singleElement().asString().startsWith("$.tests[0].comment:");
    }

    @Test
    @DisplayName("ECMA-262 \\0 escapes are rewritten for java.util.regex, other escapes are kept")
    void nulEscapeRewrite() {
        assertThat(KcidbValidator.rewriteNulEscapes("^[^ \\0]+(,[^ \\0]+)*$")).isEqualTo("^[^ \\x00]+(,[^ \\x00]+)*$");
        assertThat(KcidbValidator.rewriteNulEscapes("a\\\\0b\\.c\\01")).isEqualTo("a\\\\0b\\.c\\01");
    }

    @Test
    @DisplayName("every problem is reported, not just the first")
    void allProblemsReported() {
        ObjectNode twoFaults = (ObjectNode) test("\"status\":\"pass\",\"path\":\"a/b\"");

        assertThat(KcidbValidator.validate(twoFaults)).hasSize(2);
    }

    @Test
    @DisplayName("the bundled schema and fixtures are verbatim copies of ../shared (when it is there)")
    void copiesMatchShared() throws IOException, URISyntaxException {
        String shared = System.getProperty("pullab.shared.dir");
        assumeThat(shared).isNotNull();
        Path dir = Path.of(shared, "fixtures", "kcidb");
        assumeThat(Files.isDirectory(dir)).isTrue();
        Path mainSchema = Path.of(KcidbValidator.class.getResource(KcidbValidator.SCHEMA_RESOURCE).toURI());

        assertThat(Files.mismatch(dir.resolve("kcidb_io_v05_03.schema.json"), mainSchema)).isEqualTo(-1L);
        for (String name : KcidbFixtures.names("")) {
            Path original = name.startsWith("node_") ? Path.of(shared, "fixtures", "kernelci", name)
                    : dir.resolve(name);
            assertThat(Fixtures.bytes("kcidb-fixtures/" + name)).as(name).isEqualTo(Files.readAllBytes(original));
        }
    }

    private static JsonNode test(String extraFields) {
        return KcidbFixtures.json(String.format(VALID_TEST, extraFields));
    }
}
