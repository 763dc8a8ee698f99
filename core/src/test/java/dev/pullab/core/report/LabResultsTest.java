package dev.pullab.core.report;

import static dev.pullab.core.report.ReportFixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kernelci.NodeResult;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LabResults: a VM's results.json, or why it cannot be used")
class LabResultsTest {

    private static LabResults parse(String json) {
        return LabResults.parse(bytes(json));
    }

    @Test
    @DisplayName("the README's example is read entry by entry, in file order")
    void givenReadmeExample_whenParsed_thenEntriesInOrder() {
        LabResults results = parse("{\"boot\": {\"status\": \"pass\", \"duration_ms\": 5120}, "
                + "\"ltp.abort01\": {\"status\": \"fail\", \"duration_ms\": 40}, "
                + "\"kselftest.timers.posix_timers\": {\"status\": \"skip\"}}");

        assertThat(results.error()).isEmpty();
        assertThat(results.results()).containsOnlyKeys("boot", "ltp.abort01", "kselftest.timers.posix_timers");
        assertThat(results.results().keySet()).containsExactly("boot", "ltp.abort01", "kselftest.timers.posix_timers");
        assertThat(results.results().get("boot"))
                .isEqualTo(new LabResult(LabStatus.PASS, OptionalDouble.of(5120), Optional.empty()));
    }

    @Test
    @DisplayName("a measurement is read with its unit")
    void givenMeasurement_whenParsed_thenValueAndUnit() {
        LabResults results = parse("{\"perf.latency\": {\"status\": \"pass\", \"measurement\": "
                + "{\"value\": 1.5, \"unit\": \"ms\"}}}");

        assertThat(results.results().get("perf.latency").measurement())
                .contains(new LabResult.Measurement(1.5, Optional.of("ms")));
    }

    @Test
    @DisplayName("null duration, measurement and unit count as absent")
    void givenNulls_whenParsed_thenAbsent() {
        LabResults results = parse("{\"boot\": {\"status\": \"pass\", \"duration_ms\": null, \"measurement\": null}}");

        assertThat(results.results().get("boot")).isEqualTo(LabResult.of(LabStatus.PASS));
    }

    @Test
    @DisplayName("an empty object is valid and has no results")
    void givenEmptyObject_whenParsed_thenValidWithoutResults() {
        LabResults results = parse("{}");

        assertThat(results.isValid()).isTrue();
        assertThat(results.results()).isEmpty();
    }

    @Test
    @DisplayName("malformed JSON is invalid, with the parser's reason and position")
    void givenTruncatedJson_whenParsed_thenInvalidNamingPosition() {
        LabResults results = parse("{\"boot\": {\"status\": \"pass\"");

        assertThat(results.isValid()).isFalse();
        assertThat(results.results()).isEmpty();
        assertThat(results.error()).hasValueSatisfying(e -> assertThat(e)
                .startsWith("results.json is not valid JSON: ").contains("line 1"));
    }

    @Test
    @DisplayName("an empty file is invalid")
    void givenEmptyFile_whenParsed_thenInvalid() {
        assertThat(parse("").error()).hasValueSatisfying(e -> assertThat(e).contains("results.json is empty"));
    }

    @Test
    @DisplayName("a top-level array is invalid, naming what it got")
    void givenArray_whenParsed_thenInvalid() {
        assertThat(parse("[{\"status\": \"pass\"}]").error())
                .contains("results.json must be an object of test path to result, got an array");
    }

    @Test
    @DisplayName("a status outside pass, fail, skip, error is invalid, naming the entry and the status")
    void givenUnknownStatus_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": {\"status\": \"passed\"}}").error())
                .contains("results.json entry 'boot': status \"passed\" is not pass, fail, skip or error");
    }

    @Test
    @DisplayName("an entry without status is invalid")
    void givenNoStatus_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": {\"duration_ms\": 5}}").error())
                .contains("results.json entry 'boot': no status (expected pass, fail, skip or error)");
    }

    @Test
    @DisplayName("an entry that is not an object is invalid")
    void givenStringEntry_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": \"pass\"}").error())
                .contains("results.json entry 'boot': must be an object with a status, got a string");
    }

    @Test
    @DisplayName("a duration given as text is invalid")
    void givenTextDuration_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": {\"status\": \"pass\", \"duration_ms\": \"5s\"}}").error())
                .hasValueSatisfying(e -> assertThat(e).contains("entry 'boot'").contains("duration_ms \"5s\""));
    }

    @Test
    @DisplayName("a negative duration is invalid")
    void givenNegativeDuration_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": {\"status\": \"pass\", \"duration_ms\": -1}}").error())
                .hasValueSatisfying(e -> assertThat(e).contains("duration_ms -1 is not a finite, non-negative"));
    }

    @Test
    @DisplayName("a duration too large for a double is invalid")
    void givenOverflowingDuration_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": {\"status\": \"pass\", \"duration_ms\": 1e400}}").isValid()).isFalse();
    }

    @Test
    @DisplayName("a measurement without a numeric value is invalid")
    void givenTextMeasurement_whenParsed_thenInvalid() {
        assertThat(parse("{\"perf\": {\"status\": \"pass\", \"measurement\": {\"value\": \"fast\"}}}").error())
                .hasValueSatisfying(e -> assertThat(e).contains("measurement value \"fast\" is not a finite number"));
    }

    @Test
    @DisplayName("a path with characters outside [A-Za-z0-9_-] is invalid")
    void givenSlashInPath_whenParsed_thenInvalid() {
        assertThat(parse("{\"ltp/abort01\": {\"status\": \"pass\"}}").error())
                .hasValueSatisfying(e -> assertThat(e).contains("'ltp/abort01'").contains("[A-Za-z0-9_-]"));
    }

    @Test
    @DisplayName("a path given twice is invalid rather than silently keeping one")
    void givenDuplicatePath_whenParsed_thenInvalid() {
        assertThat(parse("{\"boot\": {\"status\": \"pass\"}, \"boot\": {\"status\": \"fail\"}}").error())
                .hasValueSatisfying(e -> assertThat(e).contains("boot"));
    }

    @Test
    @DisplayName("one bad entry invalidates the whole file")
    void givenOneBadEntry_whenParsed_thenNoResultsKept() {
        LabResults results = parse("{\"a\": {\"status\": \"pass\"}, \"b\": {\"status\": \"maybe\"}}");

        assertThat(results.results()).isEmpty();
    }

    @Test
    @DisplayName("statuses map to KCIDB PASS/FAIL/SKIP/ERROR and node pass/fail/skip/incomplete")
    void givenStatuses_whenMapped_thenKcidbAndNodeResults() {
        assertThat(LabStatus.values()).extracting(LabStatus::kcidbStatus)
                .containsExactly(KcidbStatus.PASS, KcidbStatus.FAIL, KcidbStatus.SKIP, KcidbStatus.ERROR);
        assertThat(LabStatus.values()).extracting(LabStatus::nodeResult)
                .containsExactly(NodeResult.PASS, NodeResult.FAIL, NodeResult.SKIP, NodeResult.INCOMPLETE);
    }
}
