package dev.pullab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the KernelCI API rejects, for {@link KernelCiApiDouble}: the node model (fields, defaults, pydantic's 422
 * answers), ObjectIds, node kinds, state transitions, {@code data.error_code} values, request bodies and Python
 * booleans in queries. Stateless; every check throws an {@link ApiError} shaped like the API's.
 */
final class NodeValidation {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-fA-F]{24}");

    private static final Set<String> STATES = Set.of("running", "available", "closing", "done");
    private static final Set<String> RESULTS = Set.of("pass", "fail", "skip", "incomplete");
    private static final Map<String, Set<String>> TRANSITIONS = Map.of(
            "running", Set.of("available", "closing", "done"),
            "available", Set.of("closing", "done"),
            "closing", Set.of("done"),
            "done", Set.of());
    /** Concrete node kinds {@code parse_node_obj} accepts. */
    private static final Set<String> KINDS = Set.of("checkout", "kbuild", "test", "job", "process", "regression");
    /** kernelci-core {@code TestData} fields: the data keys a job/test node keeps through {@code PUT /nodes}. */
    private static final Set<String> TEST_DATA_FIELDS = Set.of(
            "error_code", "error_msg", "test_source", "test_revision", "platform", "device", "runtime", "job_id",
            "job_context", "regression", "kernel_revision", "arch", "defconfig", "config_full", "compiler",
            "kernel_type", "misc");
    /** {@code NodePatchRequest} fields. */
    private static final Set<String> PATCH_FIELDS = Set.of(
            "state", "result", "artifacts", "data", "debug", "jobfilter", "platform_filter", "timeout", "holdoff",
            "processed_by_kcidb_bridge");
    /** Serialized {@code Node} field set, in the API's order. */
    private static final List<String> NODE_FIELDS = List.of(
            "id", "kind", "name", "path", "group", "parent", "state", "result", "artifacts", "data", "debug",
            "jobfilter", "platform_filter", "created", "updated", "timeout", "holdoff", "owner", "submitter",
            "treeid", "user_groups", "processed_by_kcidb_bridge", "retry_counter");
    private static final Set<String> PY_TRUE = Set.of("true", "1", "yes", "on", "t", "y");
    private static final Set<String> PY_FALSE = Set.of("false", "0", "no", "off", "f", "n");

    private NodeValidation() {
    }

    /** Whether {@code text} is a 24-hex ObjectId (any case). */
    static boolean isObjectId(String text) {
        return OBJECT_ID.matcher(text).matches();
    }

    /** The node as the model would hold it: every field, defaults for the omitted ones, values validated. */
    static ObjectNode completeNode(JsonNode body, List<Object> loc, String now) {
        if (!body.isObject()) {
            throw validation("model_attributes_type", loc, "Input should be a valid dictionary or object");
        }
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            if (!NODE_FIELDS.contains(field.getKey())) {
                throw extraForbidden(append(loc, field.getKey()));
            }
        }
        for (String required : List.of("name", "path")) {
            if (!body.has(required)) {
                throw missing(append(loc, required));
            }
        }
        ObjectNode node = NODES.objectNode();
        for (String field : NODE_FIELDS) {
            JsonNode value = body.get(field);
            node.set(field, value == null ? defaultValue(field, now) : validField(field, value, loc));
        }
        return node;
    }

    private static JsonNode defaultValue(String field, String now) {
        switch (field) {
            case "kind":
                return TextNode.valueOf("node");
            case "state":
                return TextNode.valueOf("running");
            case "artifacts":
            case "data":
            case "debug":
                return NODES.objectNode();
            case "platform_filter":
            case "user_groups":
                return NODES.arrayNode();
            case "created":
            case "updated":
                return TextNode.valueOf(now);
            case "timeout":
                return TextNode.valueOf(ApiTimestamps.parseNaiveIso(now)
                        .map(t -> ApiTimestamps.isoformat(t.plusHours(6)))
                        .orElseGet(() -> ApiTimestamps.isoformat(LocalDateTime.now(ZoneOffset.UTC).plusHours(6))));
            case "processed_by_kcidb_bridge":
                return BooleanNode.FALSE;
            case "retry_counter":
                return NODES.numberNode(0);
            default:
                return NullNode.getInstance();
        }
    }

    /** {@code NodePatchRequest} forbids other fields (422) and an empty patch is 400. */
    static void checkPatchFields(ObjectNode patch) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (!PATCH_FIELDS.contains(field.getKey())) {
                throw extraForbidden(List.of("body", field.getKey()));
            }
        }
        if (patch.isEmpty()) {
            throw new ApiError(400, "No fields to update");
        }
    }

    /** Validates one node field as pydantic would (422 otherwise); returns the value to store. */
    static JsonNode validField(String field, JsonNode value, List<Object> parentLoc) {
        List<Object> loc = append(parentLoc, field);
        switch (field) {
            case "id":
            case "parent":
                if (value.isNull() && field.equals("parent")) {
                    return value;
                }
                if (value.isNull() || !value.isTextual() || !OBJECT_ID.matcher(value.asText()).matches()) {
                    throw validation("value_error", loc, "Value error, Invalid ObjectId");
                }
                return TextNode.valueOf(value.asText().toLowerCase(Locale.ROOT));
            case "kind":
            case "name":
                return requireText(value, loc);
            case "group":
            case "owner":
            case "submitter":
            case "treeid":
                return value.isNull() ? value : requireText(value, loc);
            case "path":
            case "user_groups":
                return requireTextList(value, loc);
            case "state":
                if (!value.isTextual() || !STATES.contains(value.asText())) {
                    throw validation("enum", loc, "Input should be 'running', 'available', 'closing' or 'done'");
                }
                return value;
            case "result":
                if (!value.isNull() && (!value.isTextual() || !RESULTS.contains(value.asText()))) {
                    throw validation("enum", loc, "Input should be 'pass', 'fail', 'skip' or 'incomplete'");
                }
                return value;
            case "artifacts":
                if (value.isNull()) {
                    return value;
                }
                requireObject(value, loc);
                for (Map.Entry<String, JsonNode> artifact : value.properties()) {
                    String url = artifact.getValue().asText("");
                    if (!artifact.getValue().isTextual() || !(url.startsWith("http://") || url.startsWith("https://"))
                            || url.length() <= url.indexOf("//") + 2) {
                        throw validation("url_parsing", append(loc, artifact.getKey()),
                                "Input should be a valid URL with scheme http or https");
                    }
                }
                return value;
            case "data":
            case "debug":
                if (!value.isNull()) {
                    requireObject(value, loc);
                }
                return value;
            case "jobfilter":
            case "platform_filter":
                if (!value.isNull() && !value.isArray()) {
                    throw validation("list_type", loc, "Input should be a valid list");
                }
                return value;
            case "created":
            case "updated":
            case "timeout":
            case "holdoff":
                if (value.isNull() && field.equals("holdoff")) {
                    return value;
                }
                return TextNode.valueOf(ApiTimestamps.isoformat(ApiTimestamps.parseDatetime(value)
                        .orElseThrow(() -> validation("datetime_from_date_parsing", loc,
                                "Input should be a valid datetime"))));
            case "processed_by_kcidb_bridge":
                if (!value.isBoolean()) {
                    throw validation("bool_type", loc, "Input should be a valid boolean");
                }
                return value;
            case "retry_counter":
                if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                    throw validation("int_type", loc, "Input should be a valid integer");
                }
                return value;
            default:
                throw extraForbidden(loc);
        }
    }

    private static JsonNode requireText(JsonNode value, List<Object> loc) {
        if (!value.isTextual()) {
            throw validation("string_type", loc, "Input should be a valid string");
        }
        return value;
    }

    private static JsonNode requireTextList(JsonNode value, List<Object> loc) {
        if (!value.isArray()) {
            throw validation("list_type", loc, "Input should be a valid list");
        }
        for (int i = 0; i < value.size(); i++) {
            requireText(value.get(i), append(loc, i));
        }
        return value;
    }

    private static void requireObject(JsonNode value, List<Object> loc) {
        if (!value.isObject()) {
            throw validation("dict_type", loc, "Input should be a valid dictionary");
        }
    }

    static void checkKind(ObjectNode node) {
        String kind = node.get("kind").asText();
        if (!KINDS.contains(kind)) {
            throw new ApiError(400, "Unsupported node kind: " + kind);
        }
    }

    /** A {@code job}/{@code test} node keeps only kernelci-core {@code TestData} keys in {@code data}. */
    static void dropNonTestData(ObjectNode node) {
        if (node.get("kind").asText().equals("job") || node.get("kind").asText().equals("test")) {
            JsonNode data = node.get("data");
            if (data instanceof ObjectNode object) {
                object.retain(TEST_DATA_FIELDS);
            }
        }
    }

    static void checkTransition(String from, String to) {
        if (from.equals(to)) {
            return;
        }
        if (!TRANSITIONS.getOrDefault(from, Set.of()).contains(to)) {
            throw new ApiError(400, "Transition not allowed with state: " + to);
        }
    }

    /** {@code data.error_code} must be one of kernelci-core's {@code ErrorCodes} (or null). */
    static void checkErrorCode(ObjectNode node) {
        JsonNode code = node.path("data").path("error_code");
        if (code.isMissingNode() || code.isNull()) {
            return;
        }
        if (code.isTextual() && KernelCiApiDouble.ERROR_CODES.contains(code.asText())) {
            return;
        }
        String allowed = KernelCiApiDouble.ERROR_CODES.stream()
                .map(c -> "'" + c + "'")
                .collect(Collectors.joining(", "));
        String kind = node.path("kind").asText("node");
        String model = kind.isEmpty() ? "Node" : Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
        throw new ApiError(400, "1 validation error for " + model + "\ndata.error_code\n  Input should be "
                + allowed + " [type=enum, input_value=" + code + "]");
    }

    /** The id of a {@code /node/{id}} or {@code /nodes/{id}} route, lower-cased; 400 when not an ObjectId. */
    static String validObjectId(String id) {
        if (!OBJECT_ID.matcher(id).matches()) {
            throw new ApiError(400, "'" + id + "' is not a valid ObjectId, it must be a 12-byte input or a "
                    + "24-character hex string");
        }
        return id.toLowerCase(Locale.ROOT);
    }

    static ObjectNode bodyObject(String body, boolean emptyIsEmptyObject) {
        if (body.isBlank()) {
            if (emptyIsEmptyObject) {
                return NODES.objectNode();
            }
            throw missing(List.of("body"));
        }
        JsonNode json;
        try {
            json = KernelCiApiDouble.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw validation("json_invalid", List.of("body", 0), "JSON decode error");
        }
        if (!(json instanceof ObjectNode object)) {
            throw validation("model_attributes_type", List.of("body"), "Input should be a valid dictionary or object");
        }
        return object;
    }

    static boolean pythonBool(String value, String name) {
        if (value == null) {
            return false;
        }
        String lower = value.strip().toLowerCase(Locale.ROOT);
        if (PY_TRUE.contains(lower)) {
            return true;
        }
        if (PY_FALSE.contains(lower)) {
            return false;
        }
        throw validation("bool_parsing", List.of("query", name), "Input should be a valid boolean, unable to interpret input");
    }

    static ApiError validation(String type, List<Object> loc, String message) {
        ArrayNode locNode = NODES.arrayNode();
        for (Object part : loc) {
            if (part instanceof Integer i) {
                locNode.add(i);
            } else {
                locNode.add(String.valueOf(part));
            }
        }
        ObjectNode error = NODES.objectNode().put("type", type);
        error.set("loc", locNode);
        error.put("msg", message);
        return new ApiError(422, NODES.arrayNode().add(error));
    }

    static ApiError missing(List<Object> loc) {
        return validation("missing", loc, "Field required");
    }

    static ApiError extraForbidden(List<Object> loc) {
        return validation("extra_forbidden", loc, "Extra inputs are not permitted");
    }

    static List<Object> append(List<Object> loc, Object part) {
        List<Object> copy = new ArrayList<>(loc);
        copy.add(part);
        return copy;
    }
}
