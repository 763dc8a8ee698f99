package dev.pullab.core.kcidb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.kernelci.Node;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("KcidbStatus: lab results and Maestro nodes to KCIDB status")
class KcidbStatusTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "pass, PASS", "ok, PASS", "success, PASS",
        "fail, FAIL", "failed, FAIL",
        "skip, SKIP", "skipped, SKIP",
        "error, ERROR", "errored, ERROR", "incomplete, ERROR",
        "miss, MISS",
        "done, DONE",
    })
    @DisplayName("a lab result maps per pullab_cloud's STATUS_MAP")
    void labResultMapping(String result, KcidbStatus expected) {
        assertThat(KcidbStatus.fromLabResult(result)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PASS", " Failed ", "SKIPPED"})
    @DisplayName("a lab result is matched ignoring case and surrounding blanks")
    void labResultIgnoresCase(String result) {
        assertThat(KcidbStatus.fromLabResult(result)).isNotEqualTo(KcidbStatus.ERROR);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @NullSource
    @ValueSource(strings = {"", "timeout", "unknown", "xfail"})
    @DisplayName("an unknown or missing lab result is ERROR")
    void unknownLabResultIsError(String result) {
        assertThat(KcidbStatus.fromLabResult(result)).isEqualTo(KcidbStatus.ERROR);
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        "pass, null, PASS",
        "fail, null, FAIL",
        "skip, null, SKIP",
        "pass, Infrastructure, ERROR",
        "fail, Infrastructure, ERROR",
        "null, Infrastructure, ERROR",
        "incomplete, Infrastructure, ERROR",
        "incomplete, Canceled, ERROR",
        "incomplete, LAVATimeout, ERROR",
        "incomplete, MultinodeTimeout, ERROR",
        "incomplete, Test, ERROR",
        "incomplete, Bug, MISS",
        "incomplete, Configuration, MISS",
        "incomplete, invalid_job_params, MISS",
        "incomplete, Job, MISS",
        "incomplete, job_generation_error, MISS",
        "incomplete, ObjectNotPersisted, MISS",
        "incomplete, RequestBodyTooLarge, MISS",
        "incomplete, submit_error, MISS",
        "incomplete, 'Unexisting permission codename.', MISS",
        "incomplete, kbuild_internal_error, MISS",
    })
    @DisplayName("a node maps per Maestro's _parse_node_result")
    void nodeMapping(String result, String errorCode, KcidbStatus expected) {
        assertThat(KcidbStatus.fromNode(result, errorCode)).contains(expected);
    }

    @ParameterizedTest(name = "{0} + {1} -> none")
    @CsvSource(nullValues = "null", value = {
        "incomplete, node_timeout",
        "incomplete, null",
        "null, null",
        "null, Bug",
        "done, null",
    })
    @DisplayName("a node without a verdict (timed out, no code, no result) has no status")
    void nodeWithoutVerdictHasNoStatus(String result, String errorCode) {
        assertThat(KcidbStatus.fromNode(result, errorCode)).isEmpty();
    }

    @Test
    @DisplayName("DONE is never produced from a node")
    void nodeNeverDone() {
        assertThat(KcidbStatus.fromNode("done", null)).isEmpty();
    }

    @Test
    @DisplayName("fromNode(Node) reads result and data.error_code")
    void fromNodeReadsNode() {
        Node node = Node.of(KcidbFixtures.json(Map.of("id", "n1", "kind", "job", "result", "incomplete",
                "data", Map.of("error_code", "submit_error"))));

        assertThat(KcidbStatus.fromNode(node)).contains(KcidbStatus.MISS);
    }
}
