package dev.pullab.core.kernelci;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns one element of {@code /events} into an {@link EventPage.Entry}, never throwing on bad input. A node id that
 * is not a KernelCI object id (24 lower-case hex digits, what the API writes) makes the event malformed: the API
 * could never be asked about that node, so taking it would fail every poll at its claim.
 */
final class EventParser {

    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{24}");

    private EventParser() {
    }

    static EventPage.Entry parse(JsonNode element) {
        String key = text(element, "id").orElseGet(() -> "sha256:" + digest(String.valueOf(element)));
        Optional<EventTime> time = text(element, "timestamp").flatMap(EventTime::parse);
        Optional<String> problem = problem(element, time);
        if (problem.isPresent()) {
            return new EventPage.Entry(key, time, Optional.empty(), problem);
        }
        JsonNode data = element.get("data");
        JsonNode nodeData = data.path("data");
        Optional<Node> node = Optional.empty();
        JsonNode nodeJson = element.get("node");
        if (nodeJson != null && !nodeJson.isNull()) {
            if (!nodeJson.isObject() || !nodeJson.path("id").isTextual()) {
                return new EventPage.Entry(key, time, Optional.empty(), Optional.of("node is not a node object"));
            }
            if (!OBJECT_ID.matcher(nodeJson.get("id").asText()).matches()) {
                return new EventPage.Entry(key, time, Optional.empty(),
                        Optional.of(notAnObjectId("node.id", nodeJson.get("id").asText())));
            }
            node = Optional.of(Node.of(nodeJson));
        }
        Event event = new Event(key, time.orElseThrow().text(), element.path("sequence_id").asLong(0),
                text(data, "op").orElse(""), data.get("id").asText(), text(data, "kind").orElse(""),
                text(data, "state").orElse(""), text(nodeData, "runtime"), text(nodeData, "platform"), node);
        return new EventPage.Entry(key, time, Optional.of(event), Optional.empty());
    }

    private static Optional<String> problem(JsonNode element, Optional<EventTime> time) {
        if (element == null || !element.isObject()) {
            return Optional.of("not a JSON object");
        }
        if (!element.path("id").isTextual()) {
            return Optional.of("no event id");
        }
        if (time.isEmpty()) {
            return Optional.of("no valid timestamp (" + element.path("timestamp") + ")");
        }
        JsonNode data = element.get("data");
        if (data == null || !data.isObject()) {
            return Optional.of("no data object");
        }
        if (!data.path("id").isTextual()) {
            return Optional.of("no node id in data.id");
        }
        if (!OBJECT_ID.matcher(data.get("id").asText()).matches()) {
            return Optional.of(notAnObjectId("data.id", data.get("id").asText()));
        }
        return Optional.empty();
    }

    private static String notAnObjectId(String field, String id) {
        String shown = id.length() > 40 ? id.substring(0, 40) + "…" : id;
        return field + " '" + shown + "' is not a KernelCI node id (24 lower-case hex digits)";
    }

    private static Optional<String> text(JsonNode parent, String field) {
        JsonNode value = parent == null ? null : parent.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
