package dev.pullab.core.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.job.JobTicket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

/** The job definitions and lab config of {@code src/test/resources/job/}, and tickets that go with them. */
final class JobFixtures {

    static final String BASELINE = "pull_labs_jobdef_baseline_qemu_x86_64.json";
    static final String LTP = "pull_labs_jobdef_ltp_smoke_qemu_arm64.json";
    static final String KSELFTEST = "pull_labs_jobdef_kselftest_arm64_dtb.json";
    static final String LAB_CONFIG = "lab_config.json";

    static final String BASELINE_NODE = "6825f9c0b4e0b1c9d2a7e0a1";
    static final String LTP_NODE = "6825f9c0b4e0b1c9d2a7e0a2";
    static final String KSELFTEST_NODE = "6825f9c0b4e0b1c9d2a7e0a3";
    static final Instant NOW = Instant.parse("2026-05-20T10:15:30.123Z");
    static final String SUFFIX = "a1b2c3";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JobFixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = JobFixtures.class.getResourceAsStream("/job/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /job/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static JobDefinition definition(String name) {
        return JobDefinition.parse(bytes(name));
    }

    static LabConfig labConfig() {
        return LabConfig.parse(bytes(LAB_CONFIG));
    }

    /** The fixture {@code name} as a mutable tree, changed by {@code change}, as bytes. */
    static byte[] changed(String name, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) MAPPER.readTree(bytes(name));
            change.accept(root);
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode firstTest(ObjectNode root) {
        return (ObjectNode) root.get("tests").get(0);
    }

    static JobTicket ticket(String nodeId, String name, String platform, String arch) {
        return new JobTicket(nodeId, name, "pull-labs-demo", platform, arch,
                "https://files.kernelci.org/pull_labs_jobs/20260520/3f0c9a1e5b7d4c2a8e6f1b0d9c8a7e6f.json",
                "6825f3a1b4e0b1c9d2a7e001", "pullab:" + nodeId, "evt-1", "2026-05-20T10:15:30.412000");
    }

    static JobTicket baselineTicket() {
        return ticket(BASELINE_NODE, "baseline-x86-pull-labs-demo", "qemu-x86_64", "x86_64");
    }

    static JobTicket ltpTicket() {
        return ticket(LTP_NODE, "ltp-smoketest-arm64-pull-labs-demo", "qemu-arm64", "arm64");
    }

    static JobTicket kselftestTicket() {
        return ticket(KSELFTEST_NODE, "kselftest-arm64-pull-labs-demo", "exynos850-e850-96", "arm64");
    }
}
