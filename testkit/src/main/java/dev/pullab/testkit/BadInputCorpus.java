package dev.pullab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The bad-input corpus of one stage: test resources under {@code bad-input/<stage>/}, listed with their expectations
 * in {@code bad-input/<stage>/cases.json}:
 *
 * <pre>{@code
 * {"cases": [
 *   {"name": "what is wrong, as the test's display name",
 *    "file": "the-input.json",                     // the input's bytes, verbatim (may be absent: see the stage)
 *    "expand": [{"marker": "@PAD@", "repeat": "x", "times": 70000}],   // optional, see below
 *    ... the stage's own expectations: error code, message fragments, counts ...}
 * ]}
 * }</pre>
 *
 * Oversized inputs are not committed: a small file carries a marker that {@code expand} replaces, at test time, by
 * {@code repeat} written {@code times} times ({@code {i}} in {@code repeat} becomes the 1-based repetition number,
 * zero-padded to {@code pad} digits; {@code separator} goes between repetitions). The replacement works on bytes, so a file's non-UTF-8 bytes stay as
 * they are.
 */
public final class BadInputCorpus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BadInputCorpus() {
    }

    /**
     * One input of the corpus.
     *
     * @param stage the corpus folder, e.g. {@code jobdefs}
     * @param name  what is wrong with it
     * @param spec  its entry of {@code cases.json}
     */
    public record Case(String stage, String name, JsonNode spec) {

        public Case {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(spec, "spec");
        }

        /** The input file's name, when the case has one. */
        public Optional<String> file() {
            return Optional.ofNullable(spec.get("file")).map(JsonNode::asText);
        }

        /** The input's bytes with its {@code expand} markers replaced. */
        public byte[] bytes() {
            String file = file().orElseThrow(() -> new IllegalStateException("case '" + name + "' has no file"));
            byte[] bytes = read("bad-input/" + stage + "/" + file);
            for (JsonNode expansion : spec.path("expand")) {
                bytes = expand(bytes, expansion);
            }
            return bytes;
        }

        /** The input as UTF-8 text (lossy for the non-UTF-8 cases: use {@link #bytes()} for those). */
        public String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** A text field of the spec, when present. */
        public Optional<String> string(String field) {
            JsonNode value = spec.get(field);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
        }

        /** A text field of the spec that must be present. */
        public String required(String field) {
            return string(field).orElseThrow(() -> new IllegalStateException("case '" + name + "' of " + stage
                    + " has no " + field));
        }

        /** A list of strings (a single string reads as a list of one); empty when absent. */
        public List<String> strings(String field) {
            JsonNode value = spec.path(field);
            List<String> strings = new ArrayList<>();
            if (value.isArray()) {
                value.forEach(v -> strings.add(v.asText()));
            } else if (value.isTextual()) {
                strings.add(value.asText());
            }
            return strings;
        }

        public boolean flag(String field) {
            return spec.path(field).asBoolean(false);
        }

        public int number(String field, int fallback) {
            return spec.path(field).asInt(fallback);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The cases of {@code bad-input/<stage>/cases.json} on the test class path, in file order.
     *
     * @throws IllegalStateException when the index is missing or malformed, a name repeats or a file is missing
     */
    public static List<Case> cases(String stage) {
        JsonNode index;
        try {
            index = JSON.readTree(read("bad-input/" + stage + "/cases.json"));
        } catch (IOException e) {
            throw new IllegalStateException("bad-input/" + stage + "/cases.json is not JSON", e);
        }
        List<Case> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode spec : index.path("cases")) {
            String name = spec.path("name").asText("");
            if (name.isBlank() || !names.add(name)) {
                throw new IllegalStateException("bad-input/" + stage + ": case name missing or repeated: '" + name
                        + "'");
            }
            Case c = new Case(stage, name, spec);
            c.file().ifPresent(file -> read("bad-input/" + stage + "/" + file));
            cases.add(c);
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("bad-input/" + stage + "/cases.json lists no cases");
        }
        return List.copyOf(cases);
    }

    /** {@link #cases(String)} as a stream, for {@code @MethodSource}. */
    public static Stream<Case> stream(String stage) {
        return cases(stage).stream();
    }

    private static byte[] read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + resource + " missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] expand(byte[] bytes, JsonNode expansion) {
        byte[] marker = expansion.path("marker").asText().getBytes(StandardCharsets.UTF_8);
        String repeat = expansion.path("repeat").asText();
        String separator = expansion.path("separator").asText("");
        int times = expansion.path("times").asInt();
        String number = "%0" + Math.max(1, expansion.path("pad").asInt(1)) + "d";
        int at = indexOf(bytes, marker);
        if (marker.length == 0 || at < 0) {
            throw new IllegalStateException("expand marker '" + expansion.path("marker").asText() + "' not found");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + times * (repeat.length() + 2));
        out.write(bytes, 0, at);
        boolean numbered = repeat.contains("{i}");
        byte[] constant = repeat.getBytes(StandardCharsets.UTF_8);
        byte[] gap = separator.getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i <= times; i++) {
            if (i > 1) {
                out.writeBytes(gap);
            }
            out.writeBytes(numbered ? repeat.replace("{i}", String.format(number, i)).getBytes(StandardCharsets.UTF_8)
                    : constant);
        }
        out.write(bytes, at + marker.length, bytes.length - at - marker.length);
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= bytes.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (bytes[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
