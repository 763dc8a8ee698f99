package dev.pullab.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Job nodes shaped like the fixture {@code node_pull_labs_job_available.json}, with the ids and labels a test needs. */
public final class KernelCiFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode JOB = load("/kernelci/node_pull_labs_job_available.json");

    private KernelCiFixtures() {
    }

    /** The fixture job node with another id, runtime and platform (state {@code available}, unclaimed). */
    public static ObjectNode job(String id, String runtime, String platform) {
        ObjectNode node = JOB.deepCopy();
        node.put("id", id);
        node.withObject("/data").put("runtime", runtime).put("platform", platform);
        node.withObject("/artifacts").put("job_definition", "https://files.kernelci.org/pull_labs_jobs/20260520/"
                + id + ".json");
        return node;
    }

    /** A kbuild node (the parent of the fixture job). */
    public static ObjectNode kbuild(String id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("kind", "kbuild").put("name", "kbuild-gcc-15-x86").put("state", "done")
                .put("result", "pass");
        node.putArray("path").add("checkout").add("kbuild-gcc-15-x86");
        node.putObject("data");
        return node;
    }

    /** A 24-hex node id made from a number. */
    public static String nodeId(int n) {
        return String.format("6825f9c0b4e0b1c9%08x", n);
    }

    private static ObjectNode load(String resource) {
        try (InputStream in = KernelCiFixtures.class.getResourceAsStream(resource)) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
