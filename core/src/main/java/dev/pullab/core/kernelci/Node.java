package dev.pullab.core.kernelci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A KernelCI API node as the API returned it. The JSON is kept whole (a defensive copy) because writes must send
 * back fields this code does not model: {@code PATCH /node} replaces {@code data} and {@code artifacts} wholesale.
 */
public final class Node {

    private final ObjectNode json;

    private Node(ObjectNode json) {
        this.json = json;
    }

    /**
     * @throws IllegalArgumentException when the JSON has no string {@code id}
     */
    public static Node of(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("id").isTextual()) {
            throw new IllegalArgumentException("not a KernelCI node (no id): " + abbreviate(json));
        }
        return new Node(((ObjectNode) json).deepCopy());
    }

    public String id() {
        return json.get("id").asText();
    }

    public String kind() {
        return text(json, "kind").orElse("node");
    }

    public String name() {
        return text(json, "name").orElse("");
    }

    /** {@code running}, {@code available}, {@code closing} or {@code done}. */
    public String state() {
        return text(json, "state").orElse("");
    }

    public Optional<String> result() {
        return text(json, "result");
    }

    public Optional<String> parent() {
        return text(json, "parent");
    }

    /** {@code data.runtime}: the lab the scheduler gave this job to. */
    public Optional<String> runtime() {
        return text(json.path("data"), "runtime");
    }

    /** {@code data.platform}, e.g. {@code qemu-x86_64}. */
    public Optional<String> platform() {
        return text(json.path("data"), "platform");
    }

    /** {@code data.arch}, e.g. {@code x86_64}. */
    public Optional<String> arch() {
        return text(json.path("data"), "arch");
    }

    /** {@code data.job_id}: the claim marker a pull lab writes. */
    public Optional<String> jobId() {
        return text(json.path("data"), "job_id");
    }

    /** An artifact URL, e.g. {@code job_definition}, {@code kernel}. */
    public Optional<String> artifact(String name) {
        return text(json.path("artifacts"), name);
    }

    /** A copy of the whole node JSON. */
    public ObjectNode json() {
        return json.deepCopy();
    }

    /** A copy of {@code data} (empty object when absent). */
    public ObjectNode data() {
        JsonNode data = json.get("data");
        return data instanceof ObjectNode o ? o.deepCopy() : json.objectNode();
    }

    private static Optional<String> text(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty()
                ? Optional.of(value.asText()) : Optional.empty();
    }

    private static String abbreviate(JsonNode json) {
        String text = String.valueOf(json);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Node other && json.equals(other.json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(json);
    }

    @Override
    public String toString() {
        return "Node[" + id() + " " + kind() + " " + name() + " " + state() + "]";
    }
}
