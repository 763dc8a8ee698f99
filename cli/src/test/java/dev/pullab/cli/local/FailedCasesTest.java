package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** local-run's end summary names each job's failed cases, read from the KCIDB submissions. */
class FailedCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode test(String path, String status, String job) {
        var t = JSON.createObjectNode().put("path", path).put("status", status);
        if (job != null) {
            t.putObject("misc").put("job_id", job);
        }
        return t;
    }

    private static JsonNode submission(JsonNode... tests) {
        var body = JSON.createObjectNode();
        var array = body.putArray("tests");
        List.of(tests).forEach(array::add);
        return body;
    }

    @Test
    @DisplayName("FAIL and ERROR cases are listed under their job, once each; PASS, SKIP and cases without a job are not")
    void givenMixedStatuses_whenGrouped_thenFailAndErrorPerJob() {
        var bodies = List.of(
                submission(test("ltp.abort01", "FAIL", "j1"), test("ltp.splice02", "PASS", "j1"),
                        test("ltp.df01_sh", "ERROR", "j1"), test("ltp.utime07", "SKIP", "j1")),
                submission(test("ltp.abort01", "FAIL", "j1"), test("kselftest.arm64.pac", "FAIL", "j2"),
                        test("unixbench-kernel-regression.Process_Creation", "FAIL", null)));

        assertThat(FailedCases.byJob(bodies)).containsExactly(
                java.util.Map.entry("j1", List.of("ltp.abort01", "ltp.df01_sh")),
                java.util.Map.entry("j2", List.of("kselftest.arm64.pac")));
    }

    @Test
    @DisplayName("the summary names the first cases and counts the rest; nothing failed gives nothing")
    void givenManyFailures_whenSummarised_thenBoundedLine() {
        List<String> many = IntStream.rangeClosed(1, 11).mapToObj(i -> "ltp.case" + i).toList();

        assertThat(FailedCases.summary(List.of())).isEmpty();
        assertThat(FailedCases.summary(List.of("ltp.abort01"))).isEqualTo(" \u2014 failed: ltp.abort01");
        assertThat(FailedCases.summary(many)).startsWith(" \u2014 failed: ltp.case1, ltp.case2,")
                .endsWith("ltp.case8 (+3 more)");
    }

    @Test
    @DisplayName("a case name with a newline or an escape sequence cannot forge a summary line nor reach the terminal")
    void givenHostileName_whenSummarised_thenEscaped() {
        assertThat(FailedCases.summary(List.of("ltp.x\nKernelCI node 1: done, pass\u001b[2J")))
                .doesNotContain("\n").doesNotContain("\u001b");
    }
}
