package dev.pullab.core.job;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads JSON documents field by field, naming the JSON path of whatever does not have the expected shape. JSON
 * {@code null} counts as absent. Package-private: {@link JobDefinition} and {@link LabConfig} turn a {@link Mismatch}
 * into their own exception.
 */
final class JsonShape {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonShape() {
    }

    /** A value with the wrong shape; the message starts with its JSON path when it has one. */
    static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The document's root object, or a {@link Mismatch} saying why there is none ({@code empty document},
     * {@code not JSON: ... (line L, column C)}, {@code must be a JSON object, got an array}).
     */
    static ObjectNode readObject(byte[] json) {
        if (json == null || json.length == 0) {
            throw new Mismatch("empty document");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (MismatchedInputException e) {
            String problem = e.getOriginalMessage().startsWith("Trailing token")
                    ? "content after the JSON value" : e.getOriginalMessage();
            throw new Mismatch("not JSON: " + problem + where(e.getLocation()));
        } catch (JsonProcessingException e) {
            throw new Mismatch("not JSON: " + e.getOriginalMessage() + where(e.getLocation()));
        } catch (IOException e) {
            throw new Mismatch("not readable JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new Mismatch("empty document");
        }
        if (!root.isObject()) {
            throw new Mismatch("must be a JSON object, got " + describe(root));
        }
        return (ObjectNode) root;
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** {@code path.name}, or {@code name} at the root. */
    static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** {@code path[index]}. */
    static String element(String path, int index) {
        return path + "[" + index + "]";
    }

    static Optional<JsonNode> field(ObjectNode object, String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    static Optional<ObjectNode> optionalObject(ObjectNode object, String name, String path) {
        return field(object, name).map(value -> asObject(value, child(path, name)));
    }

    static ObjectNode requiredObject(ObjectNode object, String name, String path) {
        return optionalObject(object, name, path).orElseThrow(() -> missing(child(path, name)));
    }

    static ObjectNode asObject(JsonNode value, String path) {
        if (!value.isObject()) {
            throw wrongType(path, "an object", value);
        }
        return (ObjectNode) value;
    }

    /** The array's elements, or empty when the field is absent. */
    static Optional<List<JsonNode>> optionalArray(ObjectNode object, String name, String path) {
        return field(object, name).map(value -> {
            if (!value.isArray()) {
                throw wrongType(child(path, name), "an array", value);
            }
            List<JsonNode> elements = new ArrayList<>();
            value.forEach(elements::add);
            return elements;
        });
    }

    static List<JsonNode> requiredArray(ObjectNode object, String name, String path) {
        return optionalArray(object, name, path).orElseThrow(() -> missing(child(path, name)));
    }

    /** The string, empty when absent or blank. */
    static Optional<String> optionalString(ObjectNode object, String name, String path) {
        return field(object, name).map(value -> asString(value, child(path, name))).filter(s -> !s.isBlank());
    }

    static String requiredString(ObjectNode object, String name, String path) {
        return optionalString(object, name, path).orElseThrow(() -> missing(child(path, name)));
    }

    static String asString(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw wrongType(path, "a string", value);
        }
        return value.textValue();
    }

    /** A list of strings; empty when the field is absent. */
    static List<String> stringList(ObjectNode object, String name, String path) {
        List<JsonNode> elements = optionalArray(object, name, path).orElse(List.of());
        List<String> strings = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            strings.add(asString(elements.get(i), element(child(path, name), i)));
        }
        return List.copyOf(strings);
    }

    /** A whole number within {@code [min, max]}, empty when absent. */
    static OptionalLong optionalWholeNumber(ObjectNode object, String name, String path, long min, long max) {
        Optional<JsonNode> field = field(object, name);
        if (field.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonNode value = field.get();
        String at = child(path, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw wrongType(at, "a whole number", value);
        }
        long number = value.longValue();
        if (number < min || number > max) {
            throw new Mismatch(at + ": must be between " + min + " and " + max + ", got " + number);
        }
        return OptionalLong.of(number);
    }

    static int wholeNumber(ObjectNode object, String name, String path, int min, int max, int fallback) {
        return (int) optionalWholeNumber(object, name, path, min, max).orElse(fallback);
    }

    /** Refuses a key of {@code object} that is not in {@code known}: in a block of our own, it is a typo. */
    static void onlyKeys(ObjectNode object, String path, Set<String> known) {
        object.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new Mismatch(path + ": unknown key \"" + name + "\" (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        });
    }

    static Mismatch missing(String path) {
        return new Mismatch(path + ": missing");
    }

    static Mismatch wrongType(String path, String expected, JsonNode actual) {
        return new Mismatch(path + ": expected " + expected + ", got " + describe(actual));
    }

    static Mismatch invalid(String path, String problem) {
        return new Mismatch(path + ": " + problem);
    }

    /** What a value is, for messages: {@code an object}, {@code the string "abc"}, {@code the number -5}, ... */
    static String describe(JsonNode value) {
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isTextual()) {
            String text = value.textValue();
            return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        }
        if (value.isNumber()) {
            return "the number " + value.asText();
        }
        if (value.isBoolean()) {
            return value.asText();
        }
        return value.isNull() ? "null" : value.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** The value as compact JSON text. */
    static String text(JsonNode value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write back a parsed JSON value", e);
        }
    }
}
