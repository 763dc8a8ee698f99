package dev.pullab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@link KernelCiApiDouble}'s event feed: the event documents the API's {@code _get_node_event_data} makes, and
 * {@code GET /events} over a {@link NodeStore} (its parameters and their 400s, Mongo-style filters, {@code from},
 * {@code offset}/{@code limit} paging, {@code recursive}).
 */
final class EventFeed {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String INVALID_FROM = "Invalid 'from' parameter, must be an ISO 8601 datetime";
    /** {@code /events} parameters that filter on the event's {@code data} (reference A.1 table). */
    private static final Map<String, String> EVENT_DATA_PARAMS = Map.of(
            "kind", "data.kind", "state", "data.state", "result", "data.result", "op", "data.op",
            "name", "data.name", "group", "data.group", "owner", "data.owner");

    private final NodeStore store;

    EventFeed(NodeStore store) {
        this.store = store;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Event generation

    /**
     * The event document for the node as it is now.
     *
     * @param previous {@code state}/{@code result} before the change ({@code previous_*} of an update), or null
     */
    static ObjectNode event(ObjectNode node, String op, String timestamp, boolean isHierarchy, ObjectNode previous,
                            long sequenceId, String eventId) {
        ObjectNode data = NODES.objectNode();
        data.put("op", op);
        data.put("id", node.path("id").asText());
        for (String field : List.of("kind", "name", "path", "group", "state", "result", "owner", "data")) {
            JsonNode value = node.get(field);
            data.set(field, value == null ? NullNode.getInstance() : value.deepCopy());
        }
        data.put("is_hierarchy", isHierarchy);
        if (op.equals("updated")) {
            data.set("previous_state", previous == null ? NullNode.getInstance() : previous.get("state").deepCopy());
            data.set("previous_result", previous == null ? NullNode.getInstance() : previous.get("result").deepCopy());
        }

        ObjectNode event = NODES.objectNode();
        event.put("timestamp", timestamp);
        event.put("sequence_id", sequenceId);
        event.put("channel", "node");
        JsonNode owner = node.get("owner");
        event.put("owner", owner != null && owner.isTextual() && !owner.asText().isEmpty()
                ? owner.asText() : "production");
        event.set("data", data);
        event.put("id", eventId);
        return event;
    }

    /** A node's {@code state} and {@code result}, copied ({@code null} for a missing one). */
    static ObjectNode stateAndResult(ObjectNode node) {
        ObjectNode snapshot = NODES.objectNode();
        JsonNode state = node.get("state");
        JsonNode result = node.get("result");
        snapshot.set("state", state == null ? NullNode.getInstance() : state.deepCopy());
        snapshot.set("result", result == null ? NullNode.getInstance() : result.deepCopy());
        return snapshot;
    }

    // ------------------------------------------------------------------------------------------------------------
    // GET /events

    /** {@code GET /events} with these decoded query parameters: the matching events, copied. */
    JsonNode get(Map<String, String> params) {
        Filter filter = filter(params);
        ArrayNode out = NODES.arrayNode();
        int[] skipped = {0};
        store.scanEvents((event, node) -> {
            if (!filter.matches(event)) {
                return true;
            }
            if (skipped[0] < filter.offset()) {
                skipped[0]++;
                return true;
            }
            if (filter.limit() != null && filter.limit() != 0 && out.size() >= Math.abs(filter.limit())) {
                return false;
            }
            ObjectNode copy = event.deepCopy();
            if (filter.recursive() && node != null) {
                copy.set("node", node.deepCopy());
            }
            out.add(copy);
            return true;
        });
        return out;
    }

    /**
     * What {@code GET /events} asked for.
     *
     * @param wantedIds event ids ({@code id}/{@code ids}), null for any
     * @param after     {@code from}, null for any
     * @param pathRegex {@code path}, null for any
     * @param expected  Mongo equality filters: dotted path to value
     */
    private record Filter(Set<String> wantedIds, LocalDateTime after, Pattern pathRegex,
                          Map<String[], JsonNode> expected, Integer limit, int offset, boolean recursive) {

        boolean matches(ObjectNode event) {
            return EventFeed.matches(event, wantedIds, after, pathRegex, expected);
        }
    }

    /** The parameters read as the API reads them: 400 for a malformed or contradictory one. */
    private static Filter filter(Map<String, String> params) {
        Map<String, String> query = new LinkedHashMap<>(params);
        String recursive = query.remove("recursive");
        String limitText = query.remove("limit");
        String offsetText = query.remove("offset");
        String from = query.remove("from");
        String nodeId = query.remove("node_id");
        String eventId = query.remove("id");
        String eventIds = query.remove("ids");
        String path = query.remove("path");

        Map<String, String> equality = new LinkedHashMap<>();
        for (Map.Entry<String, String> mapped : EVENT_DATA_PARAMS.entrySet()) {
            String value = query.remove(mapped.getKey());
            if (value != null && !value.isEmpty()) {
                equality.put(mapped.getValue(), value);
            }
        }
        if (nodeId != null && !nodeId.isEmpty()) {
            if (query.containsKey("data.id")) {
                throw new ApiError(400, "Provide either node_id or data.id, not both");
            }
            equality.put("data.id", nodeId);
        }
        equality.putAll(query);

        Set<String> wantedIds = eventIdFilter(eventId, eventIds);
        LocalDateTime after = null;
        if (from != null && !from.isEmpty()) {
            after = ApiTimestamps.parseNaiveIso(from).orElseThrow(() -> new ApiError(400, INVALID_FROM));
        }
        Integer limit = null;
        if (limitText != null && !limitText.isEmpty()) {
            limit = pythonInt(limitText);
        }
        boolean isRecursive = recursive != null && !recursive.isEmpty();
        if (isRecursive && (limitText == null || limitText.isEmpty() || limit > 1000)) {
            throw new ApiError(400, "Recursive limit is too large, max is 1000");
        }
        int offset = offsetText == null ? 0 : pythonInt(offsetText);
        if (offset < 0) {
            throw new ApiError(400, "offset must be >= 0");
        }
        Pattern pathRegex = null;
        if (path != null && !path.isEmpty()) {
            try {
                pathRegex = Pattern.compile(path);
            } catch (PatternSyntaxException e) {
                throw new ApiError(400, "Invalid path regex: " + e.getDescription());
            }
        }
        Map<String[], JsonNode> expected = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : equality.entrySet()) {
            expected.put(e.getKey().split("\\.", -1), queryValue(e.getValue()));
        }

        return new Filter(wantedIds, after, pathRegex, expected, limit, offset, isRecursive);
    }

    private static Set<String> eventIdFilter(String eventId, String eventIds) {
        boolean single = eventId != null && !eventId.isEmpty();
        boolean several = eventIds != null && !eventIds.isEmpty();
        if (single && several) {
            throw new ApiError(400, "Provide either id or ids, not both");
        }
        if (single) {
            if (!NodeValidation.isObjectId(eventId)) {
                throw new ApiError(400, "Invalid id format");
            }
            return Set.of(eventId.toLowerCase(Locale.ROOT));
        }
        if (several) {
            Set<String> ids = new HashSet<>();
            for (String id : eventIds.split(",")) {
                String trimmed = id.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (!NodeValidation.isObjectId(trimmed)) {
                    throw new ApiError(400, "Invalid ids format");
                }
                ids.add(trimmed.toLowerCase(Locale.ROOT));
            }
            if (ids.isEmpty()) {
                throw new ApiError(400, "ids must contain at least one id");
            }
            return ids;
        }
        return null;
    }

    private static boolean matches(ObjectNode event, Set<String> wantedIds, LocalDateTime after, Pattern pathRegex,
                                   Map<String[], JsonNode> expected) {
        if (wantedIds != null) {
            JsonNode id = event.get("id");
            if (id == null || !id.isTextual() || !wantedIds.contains(id.asText().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        if (after != null) {
            // Mongo compares dates with dates only: a missing or non-date timestamp never matches $gt
            JsonNode ts = event.get("timestamp");
            Optional<LocalDateTime> at = ts != null && ts.isTextual()
                    ? ApiTimestamps.parseNaiveIso(ts.asText()) : Optional.empty();
            if (at.isEmpty() || !at.get().isAfter(after)) {
                return false;
            }
        }
        if (pathRegex != null && !anyTextMatches(event.path("data").path("path"), pathRegex)) {
            return false;
        }
        for (Map.Entry<String[], JsonNode> e : expected.entrySet()) {
            if (!pathEquals(event, e.getKey(), 0, e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyTextMatches(JsonNode value, Pattern regex) {
        if (value.isTextual()) {
            return regex.matcher(value.asText()).find();
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (element.isTextual() && regex.matcher(element.asText()).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Mongo equality on a dotted path: arrays are traversed, and an array matches when an element equals. */
    private static boolean pathEquals(JsonNode node, String[] path, int index, JsonNode expected) {
        if (index == path.length) {
            if (node.equals(expected)) {
                return true;
            }
            if (node.isArray()) {
                for (JsonNode element : node) {
                    if (element.equals(expected)) {
                        return true;
                    }
                }
            }
            return false;
        }
        if (node.isObject()) {
            JsonNode child = node.get(path[index]);
            return child != null && pathEquals(child, path, index + 1, expected);
        }
        if (node.isArray()) {
            if (path[index].matches("\\d+")) {
                int i = Integer.parseInt(path[index]);
                if (i < node.size() && pathEquals(node.get(i), path, index + 1, expected)) {
                    return true;
                }
            }
            for (JsonNode element : node) {
                if (element.isObject() && pathEquals(element, path, index, expected)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code _convert_bool_values}: "true"/"false" (any case) become booleans; everything else stays a string. */
    private static JsonNode queryValue(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return BooleanNode.TRUE;
        }
        if (lower.equals("false")) {
            return BooleanNode.FALSE;
        }
        return TextNode.valueOf(value);
    }

    private static int pythonInt(String text) {
        try {
            return Integer.parseInt(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ApiError(400, "invalid literal for int() with base 10: '" + text + "'");
        }
    }
}
