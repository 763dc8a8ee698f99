package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.KernelCiApiDouble.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How the fault harness reads what the flow did: finish attempts from the API's request log, results compared. */
class FaultHarnessTest {

    private static final String JOB = "6825f9c0b4e0b1c9d2a7e0a1";

    @Test
    @DisplayName("a PUT /nodes/{id} whose root node is done is an attempt to finish that node")
    void hierarchyPutToDoneIsAFinish() {
        RecordedRequest put = request("PUT", "/latest/nodes/" + JOB,
                "{\"node\":{\"state\":\"done\",\"result\":\"pass\"},\"child_nodes\":[]}");

        assertThat(FaultHarness.finishedNode(put)).contains(JOB);
    }

    @Test
    @DisplayName("a PATCH or PUT /node/{id} setting state done is an attempt to finish that node")
    void singleNodeWriteToDoneIsAFinish() {
        assertThat(FaultHarness.finishedNode(request("PATCH", "/latest/node/" + JOB, "{\"state\":\"done\"}")))
                .contains(JOB);
        assertThat(FaultHarness.finishedNode(request("PUT", "/node/" + JOB, "{\"state\":\"done\"}"))).contains(JOB);
    }

    @Test
    @DisplayName("a second request to finish a node counts, but not the transport's retry of one it gave up on")
    void secondFinishCountsButTransportRetryDoesNot() {
        String done = "{\"node\":{\"state\":\"done\",\"result\":\"pass\"},\"child_nodes\":[]}";
        RecordedRequest first = request("PUT", "/latest/nodes/" + JOB, done);
        RecordedRequest retry = new RecordedRequest("PUT", "/latest/nodes/" + JOB,
                "", true, true, done, false, 2);

        assertThat(FaultHarness.FinishRequests.of(List.of(first, retry), Set.of(JOB)).beyondFirst()).isZero();
        assertThat(FaultHarness.FinishRequests.of(List.of(first, first), Set.of(JOB)).beyondFirst()).isEqualTo(1);
    }

    @Test
    @DisplayName("reads, claims (a PATCH without a state) and writes to other states are not finishes")
    void otherRequestsAreNotFinishes() {
        assertThat(FaultHarness.finishedNode(request("GET", "/latest/node/" + JOB, ""))).isEmpty();
        assertThat(FaultHarness.finishedNode(request("PATCH", "/latest/node/" + JOB,
                "{\"data\":{\"job_id\":\"lab\"}}"))).isEmpty();
        assertThat(FaultHarness.finishedNode(request("PUT", "/latest/nodes/" + JOB,
                "{\"node\":{\"state\":\"closing\"},\"child_nodes\":[]}"))).isEmpty();
        assertThat(FaultHarness.finishedNode(request("PUT", "/latest/nodes/" + JOB, "not json"))).isEmpty();
    }

    @Test
    @DisplayName("results equal to the reference give no difference")
    void equalResultsDoNotDiffer() {
        Map<String, List<String>> reference = Map.of(JOB, List.of("job boot: done, pass", "kcidb boot: PASS"));

        assertThat(FaultHarness.differences(reference, Map.of(JOB, List.of("job boot: done, pass",
                "kcidb boot: PASS")))).isEmpty();
    }

    @Test
    @DisplayName("a result missing, a result added, or a run no reference has each make its job differ, once")
    void missingExtraOrUnknownResultsDiffer() {
        Map<String, List<String>> reference = Map.of(
                JOB, List.of("kcidb boot: PASS", "kcidb boot: PASS"),
                FaultHarness.BUILD_COMPLETE_RUN, List.of("kcidb metric: DONE 1.0 lps"));
        Map<String, List<String>> actual = Map.of(
                JOB, List.of("kcidb boot: PASS"),
                FaultHarness.BUILD_COMPLETE_RUN, List.of("kcidb metric: DONE 1.0 lps", "kcidb metric: DONE 2.0 lps"),
                "another", List.of("kcidb boot: PASS"));

        List<String> differences = FaultHarness.differences(reference, actual);

        assertThat(differences).containsExactlyInAnyOrder(
                JOB + ": missing [kcidb boot: PASS], extra []",
                "BuildComplete run: missing [], extra [kcidb metric: DONE 2.0 lps]",
                "another: missing [], extra [kcidb boot: PASS]");
    }

    private static RecordedRequest request(String method, String path, String body) {
        return new RecordedRequest(method, path, "", true, true, body, false);
    }
}
