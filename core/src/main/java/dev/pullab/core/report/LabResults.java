package dev.pullab.core.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * A VM's {@code results.json} read: either every entry, in file order, or why the file cannot be used. The file is
 * taken whole or not at all: one bad entry makes it invalid, so that a half-read file is never reported as the
 * complete result.
 *
 * <p>The format (vm-tests/README.md): an object from test path (dot-separated components of
 * {@code [A-Za-z0-9_-]}) to {@code {"status": "pass"|"fail"|"skip"|"error", "duration_ms"?: number >= 0,
 * "measurement"?: {"value": number, "unit"?: string}}}. Other fields of an entry are ignored; a {@code null}
 * {@code duration_ms}, {@code measurement} or {@code unit} counts as absent.
 *
 * @param results the entries by path, in file order; empty when the file is invalid
 * @param error   why the file cannot be used, naming the entry and field; empty when it is valid
 */
public record LabResults(Map<String, LabResult> results, Optional<String> error) {

    private static final Pattern PATH = Pattern.compile("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$");
    private static final int QUOTE_LIMIT = 80;
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    public LabResults {
        results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
        Objects.requireNonNull(error, "error");
        if (error.isPresent() && !results.isEmpty()) {
            throw new IllegalArgumentException("an invalid results.json has no results");
        }
    }

    /** Valid results. */
    public static LabResults valid(Map<String, LabResult> results) {
        return new LabResults(results, Optional.empty());
    }

    /** A file that cannot be used, and why. */
    public static LabResults invalid(String reason) {
        return new LabResults(Map.of(), Optional.of(reason));
    }

    public boolean isValid() {
        return error.isEmpty();
    }

    /** Parses the bytes (UTF-8 JSON); never throws for bad content. */
    public static LabResults parse(byte[] json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = READER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String at = where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
            return invalid("results.json is not valid JSON: " + e.getOriginalMessage() + at);
        } catch (IOException e) {
            return invalid("results.json cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            return invalid("results.json is empty; expected an object of test path to result");
        }
        if (!root.isObject()) {
            return invalid("results.json must be an object of test path to result, got " + describe(root));
        }
        Map<String, LabResult> results = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String path = entry.getKey();
            String where = "results.json entry '" + quote(path) + "'";
            if (!PATH.matcher(path).matches()) {
                return invalid(where + ": the path must be dot-separated components of [A-Za-z0-9_-]");
            }
            try {
                results.put(path, entry(entry.getValue()));
            } catch (BadEntry e) {
                return invalid(where + ": " + e.getMessage());
            }
        }
        return valid(results);
    }

    private static LabResult entry(JsonNode value) {
        if (!value.isObject()) {
            throw new BadEntry("must be an object with a status, got " + describe(value));
        }
        JsonNode statusNode = value.path("status");
        if (statusNode.isMissingNode() || statusNode.isNull()) {
            throw new BadEntry("no status (expected pass, fail, skip or error)");
        }
        LabStatus status = LabStatus.fromWireName(statusNode.isTextual() ? statusNode.asText() : null)
                .orElseThrow(() -> new BadEntry("status " + quote(statusNode.toString())
                        + " is not pass, fail, skip or error"));
        OptionalDouble duration = OptionalDouble.empty();
        JsonNode durationNode = value.path("duration_ms");
        if (present(durationNode)) {
            if (!durationNode.isNumber() || !Double.isFinite(durationNode.doubleValue())
                    || durationNode.doubleValue() < 0) {
                throw new BadEntry("duration_ms " + quote(durationNode.toString())
                        + " is not a finite, non-negative number of milliseconds");
            }
            duration = OptionalDouble.of(durationNode.doubleValue());
        }
        return new LabResult(status, duration, measurement(value.path("measurement")));
    }

    private static Optional<LabResult.Measurement> measurement(JsonNode node) {
        if (!present(node)) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new BadEntry("measurement must be an object with a value, got " + describe(node));
        }
        JsonNode value = node.path("value");
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw new BadEntry("measurement value " + (present(value) ? quote(value.toString()) : "(absent)")
                    + " is not a finite number");
        }
        JsonNode unit = node.path("unit");
        if (present(unit) && !unit.isTextual()) {
            throw new BadEntry("measurement unit " + quote(unit.toString()) + " is not a string");
        }
        return Optional.of(new LabResult.Measurement(value.doubleValue(),
                present(unit) ? Optional.of(unit.asText()) : Optional.empty()));
    }

    private static boolean present(JsonNode node) {
        return !node.isMissingNode() && !node.isNull();
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String quote(String text) {
        String clean = text.replace("\0", "");
        return clean.length() > QUOTE_LIMIT ? clean.substring(0, QUOTE_LIMIT) + "…" : clean;
    }

    /** An entry that breaks the format; its message names the field. */
    private static final class BadEntry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadEntry(String message) {
            super(message, null, false, false);
        }
    }
}
