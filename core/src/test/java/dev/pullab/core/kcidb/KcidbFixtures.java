package dev.pullab.core.kcidb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.kernelci.Node;
import dev.pullab.testkit.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The KCIDB fixtures of {@code shared/fixtures/kcidb} (and the pull-lab job node of {@code shared/fixtures/kernelci}),
 * copied into {@code src/test/resources/kcidb} so the tests do not depend on {@code ../shared}.
 */
final class KcidbFixtures {

    static final String DIR = "kcidb-fixtures";
    /** The job node of {@code node_pull_labs_job_available.json} and its parent. */
    static final String JOB_NODE_ID = "6825f9c0b4e0b1c9d2a7e0a1";
    static final String KBUILD_NODE_ID = "6825f3a1b4e0b1c9d2a7e001";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private KcidbFixtures() {
    }

    static JsonNode read(String name) {
        try (InputStream in = KcidbFixtures.class.getResourceAsStream("/" + DIR + "/" + name)) {
            return MAPPER.readTree(Objects.requireNonNull(in, () -> "missing test resource " + DIR + "/" + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Map<String, Object> value) {
        return MAPPER.valueToTree(value);
    }

    /** The pull-lab job node (state available, runtime pull-labs-demo, platform qemu-x86_64). */
    static Node jobNode() {
        return Node.of(read("node_pull_labs_job_available.json"));
    }

    /** A hand-made node of a kind with a parent (null for none). */
    static Node node(String id, String kind, String parent) {
        return Node.of(json(parent == null ? Map.of("id", id, "kind", kind, "name", kind + "-" + id)
                : Map.of("id", id, "kind", kind, "name", kind + "-" + id, "parent", parent)));
    }

    /** The names of the fixture files (the testkit's {@code kcidb-fixtures/}) whose names start with {@code prefix}. */
    static List<String> names(String prefix) {
        return Fixtures.list(DIR).stream().filter(n -> n.startsWith(prefix)).toList();
    }
}
