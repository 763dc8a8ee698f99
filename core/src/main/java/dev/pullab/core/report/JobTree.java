package dev.pullab.core.report;

import dev.pullab.core.kernelci.NodeResult;
import dev.pullab.core.kernelci.NodeTestResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The child nodes of a job, built from dotted result paths as kernelci-core's LAVA runtime lays them out:
 * {@code ltp.abort01} is a suite {@code ltp} with a leaf {@code abort01}, {@code boot} a leaf. The same path from
 * several VMs is one node whose result is the worst: fail, then incomplete, then pass, then skip.
 */
final class JobTree {

    private static final List<NodeResult> WORST_FIRST =
            List.of(NodeResult.FAIL, NodeResult.INCOMPLETE, NodeResult.PASS, NodeResult.SKIP);

    private final Map<String, JobTree> children = new LinkedHashMap<>();
    private Optional<NodeResult> result = Optional.empty();

    /** Adds a result at a dotted path (components in order of first appearance). */
    void add(String path, NodeResult value) {
        JobTree node = this;
        for (String component : path.split("\\.")) {
            node = node.children.computeIfAbsent(component, c -> new JobTree());
        }
        node.result = Optional.of(node.result.map(existing -> worse(existing, value)).orElse(value));
    }

    boolean isEmpty() {
        return children.isEmpty();
    }

    /** The top-level child nodes. */
    List<NodeTestResult> nodes() {
        List<NodeTestResult> nodes = new ArrayList<>();
        children.forEach((name, child) -> nodes.add(child.node(name)));
        return nodes;
    }

    private NodeTestResult node(String name) {
        if (children.isEmpty()) {
            return NodeTestResult.leaf(name, result.orElseThrow());
        }
        return new NodeTestResult(name, result, nodes(), Map.of());
    }

    static NodeResult worse(NodeResult a, NodeResult b) {
        return WORST_FIRST.indexOf(a) <= WORST_FIRST.indexOf(b) ? a : b;
    }
}
