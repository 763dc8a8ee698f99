package dev.pullab.core.kernelci;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a job ended, to be written to its KernelCI node: {@code state: done}, the result, an error code for
 * infrastructure or job problems, artifacts (log URLs) and child test nodes.
 *
 * @param nodeId       the job node
 * @param result       the job's result
 * @param errorCode    why it could not complete (only KernelCI's codes are accepted)
 * @param errorMessage a message naming the problem, with the error code
 * @param artifacts    artifact URLs to merge into the node's, e.g. {@code test_log}
 * @param tests        child test nodes
 */
public record JobOutcome(String nodeId, NodeResult result, Optional<ErrorCode> errorCode,
        Optional<String> errorMessage, Map<String, String> artifacts, List<NodeTestResult> tests) {

    public JobOutcome {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(result, "result");
        artifacts = Map.copyOf(artifacts);
        tests = List.copyOf(tests);
    }

    /** A job that could not run: {@code incomplete} with the code and a message naming the problem. */
    public static JobOutcome incomplete(String nodeId, ErrorCode code, String message) {
        return new JobOutcome(nodeId, NodeResult.INCOMPLETE, Optional.of(code), Optional.of(message), Map.of(),
                List.of());
    }
}
