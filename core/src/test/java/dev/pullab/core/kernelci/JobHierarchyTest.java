package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@code PUT /nodes/{id}} body that finishes a job, as kernelci-core's {@code submit_results} lays it out. */
class JobHierarchyTest {

    private static Node job() throws Exception {
        try (InputStream in = JobHierarchyTest.class.getResourceAsStream("/kernelci/node_pull_labs_job_available.json")) {
            return Node.of(new ObjectMapper().readTree(in));
        }
    }

    @Test
    @DisplayName("the job node becomes done with its result, merged artifacts and the bridge flag reset")
    void givenPassingJob_whenBuilt_thenDoneWithArtifacts() throws Exception {
        JobOutcome outcome = new JobOutcome("6825f9c0b4e0b1c9d2a7e0a1", NodeResult.PASS, Optional.empty(),
                Optional.empty(), Map.of("test_log", "https://results.example/log.txt"),
                List.of(NodeTestResult.leaf("boot", NodeResult.PASS)));

        JsonNode body = JobHierarchy.of(job(), outcome);

        JsonNode node = body.get("node");
        assertThat(node.get("state").asText()).isEqualTo("done");
        assertThat(node.get("result").asText()).isEqualTo("pass");
        assertThat(node.get("processed_by_kcidb_bridge").asBoolean()).isFalse();
        assertThat(node.at("/artifacts/job_definition").asText()).startsWith("https://");
        assertThat(node.at("/artifacts/test_log").asText()).isEqualTo("https://results.example/log.txt");
        assertThat(node.at("/data/runtime").asText()).isEqualTo("pull-labs-demo");
    }

    @Test
    @DisplayName("children inherit the job's kernel data, take its name as group and extend its path")
    void givenTests_whenBuilt_thenChildrenLikeSubmitResults() throws Exception {
        JobOutcome outcome = new JobOutcome("6825f9c0b4e0b1c9d2a7e0a1", NodeResult.FAIL, Optional.empty(),
                Optional.empty(), Map.of(), List.of(NodeTestResult.suite("ltp", List.of(
                        NodeTestResult.leaf("abort01", NodeResult.PASS),
                        NodeTestResult.leaf("chdir01", NodeResult.FAIL)))));

        JsonNode suite = JobHierarchy.of(job(), outcome).get("child_nodes").get(0);

        assertThat(suite.at("/node/kind").asText()).isEqualTo("job");
        assertThat(suite.at("/node/result").asText()).isEqualTo("fail");
        assertThat(suite.at("/node/group").asText()).isEqualTo("baseline-x86-pull-labs-demo");
        assertThat(suite.at("/node/data/platform").asText()).isEqualTo("qemu-x86_64");
        assertThat(suite.at("/node/data/kernel_revision/commit").asText()).isNotEmpty();
        JsonNode leaf = suite.get("child_nodes").get(1).get("node");
        assertThat(leaf.get("kind").asText()).isEqualTo("test");
        assertThat(leaf.get("path")).extracting(JsonNode::asText).containsExactly(
                "checkout", "kbuild-gcc-15-x86", "baseline-x86-pull-labs-demo", "ltp", "chdir01");
    }

    @Test
    @DisplayName("a job that could not run carries KernelCI's error code and the message")
    void givenIncomplete_whenBuilt_thenErrorCode() throws Exception {
        JsonNode node = JobHierarchy.of(job(), JobOutcome.incomplete("6825f9c0b4e0b1c9d2a7e0a1",
                ErrorCode.INVALID_JOB_PARAMS, "job definition has no kernel artifact")).get("node");

        assertThat(node.get("result").asText()).isEqualTo("incomplete");
        assertThat(node.at("/data/error_code").asText()).isEqualTo("invalid_job_params");
        assertThat(node.at("/data/error_msg").asText()).isEqualTo("job definition has no kernel artifact");
    }

    @Test
    @DisplayName("suites roll up like evaluate_test_suite_result: fail, else pass, else skip, else none")
    void rollUp() {
        assertThat(NodeResult.rollUp(List.of(NodeResult.PASS, NodeResult.FAIL))).contains(NodeResult.FAIL);
        assertThat(NodeResult.rollUp(List.of(NodeResult.SKIP, NodeResult.PASS))).contains(NodeResult.PASS);
        assertThat(NodeResult.rollUp(List.of(NodeResult.SKIP))).contains(NodeResult.SKIP);
        assertThat(NodeResult.rollUp(List.of(NodeResult.INCOMPLETE))).isEmpty();
    }
}
