package dev.pullab.core.kernelci;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A result to post as a child node of a job: a leaf test ({@code kind: test}) or a suite with children
 * ({@code kind: job}), as kernelci-core's LAVA runtime lays them out.
 *
 * @param name      node name, e.g. {@code boot} or {@code abort01}
 * @param result    the leaf's result; for a suite, empty to roll it up from the children
 * @param children  sub-results (a suite), empty for a leaf
 * @param artifacts artifact URLs of this node, e.g. {@code test_log}
 */
public record NodeTestResult(String name, Optional<NodeResult> result, List<NodeTestResult> children,
        Map<String, String> artifacts) {

    public NodeTestResult {
        children = List.copyOf(children);
        artifacts = Map.copyOf(artifacts);
    }

    public static NodeTestResult leaf(String name, NodeResult result) {
        return new NodeTestResult(name, Optional.of(result), List.of(), Map.of());
    }

    public static NodeTestResult suite(String name, List<NodeTestResult> children) {
        return new NodeTestResult(name, Optional.empty(), children, Map.of());
    }

    /** The result posted: the leaf's own, or the suite's roll-up. */
    public Optional<NodeResult> effectiveResult() {
        if (result.isPresent() || children.isEmpty()) {
            return result;
        }
        return NodeResult.rollUp(children.stream().flatMap(c -> c.effectiveResult().stream()).toList());
    }
}
