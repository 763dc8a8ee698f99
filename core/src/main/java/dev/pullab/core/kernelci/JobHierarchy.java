package dev.pullab.core.kernelci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The body of {@code PUT /nodes/{id}} that finishes a job: {@code {"node": …, "child_nodes": [{"node": …,
 * "child_nodes": […]}, …]}}, laid out as kernelci-core's {@code submit_results} does. {@code PUT /nodes} stores each
 * node as its kind's model, so only {@code TestData} keys survive in {@code data}.
 */
final class JobHierarchy {

    /** The job-node data fields every child inherits (kernelci-core {@code submit_results}). */
    private static final List<String> INHERITED = List.of(
            "kernel_revision", "kernel_type", "arch", "defconfig", "config_full", "compiler", "platform", "runtime");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JobHierarchy() {
    }

    static ObjectNode of(Node job, JobOutcome outcome) {
        ObjectNode node = job.json();
        node.put("state", "done");
        node.put("result", outcome.result().wireName());
        node.put("processed_by_kcidb_bridge", false);
        ObjectNode data = job.data();
        outcome.errorCode().ifPresent(code -> data.put("error_code", code.wireName()));
        outcome.errorMessage().ifPresent(message -> data.put("error_msg", message));
        node.set("data", data);
        node.set("artifacts", mergedArtifacts(node.get("artifacts"), outcome.artifacts()));
        ObjectNode hierarchy = JSON.objectNode();
        hierarchy.set("node", node);
        hierarchy.set("child_nodes", children(job, node.withArray("path"), outcome.tests()));
        return hierarchy;
    }

    private static ArrayNode children(Node job, ArrayNode parentPath, List<NodeTestResult> tests) {
        ArrayNode children = JSON.arrayNode();
        for (NodeTestResult test : tests) {
            ObjectNode child = JSON.objectNode();
            child.put("kind", test.children().isEmpty() ? "test" : "job");
            child.put("name", test.name());
            ArrayNode path = parentPath.deepCopy();
            path.add(test.name());
            child.set("path", path);
            child.put("group", job.name());
            child.put("state", "done");
            test.effectiveResult().ifPresentOrElse(r -> child.put("result", r.wireName()), () -> child.putNull("result"));
            child.set("data", inheritedData(job));
            if (!test.artifacts().isEmpty()) {
                child.set("artifacts", mergedArtifacts(null, test.artifacts()));
            }
            ObjectNode hierarchy = JSON.objectNode();
            hierarchy.set("node", child);
            hierarchy.set("child_nodes", children(job, path, test.children()));
            children.add(hierarchy);
        }
        return children;
    }

    private static ObjectNode inheritedData(Node job) {
        ObjectNode source = job.data();
        ObjectNode data = JSON.objectNode();
        INHERITED.forEach(key -> {
            if (source.has(key)) {
                data.set(key, source.get(key));
            }
        });
        return data;
    }

    private static ObjectNode mergedArtifacts(JsonNode existing, java.util.Map<String, String> added) {
        ObjectNode artifacts = existing instanceof ObjectNode o ? o.deepCopy() : JSON.objectNode();
        added.forEach(artifacts::put);
        return artifacts;
    }
}
