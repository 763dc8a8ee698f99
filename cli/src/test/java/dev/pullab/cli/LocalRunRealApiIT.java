package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.cli.local.LocalFixtures;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pullab local-run --api} from the shaded jar, as a user runs it, against the real upstream KernelCI API (the
 * peer kit) holding three pull-lab jobs seeded the way the pipeline makes them. Their definitions and artifacts are
 * the local-run fixtures, served on loopback. What the lab did is read back from the API.
 */
class LocalRunRealApiIT {

    /** Definition name to the seed.py job (NAME:ARCH:PLATFORM) scheduled on the definition's own platform. */
    private static final Map<String, String> JOBS = Map.of(
            "pull_labs_jobdef_baseline_qemu_x86_64", "baseline-x86:x86_64:qemu-x86_64",
            "pull_labs_jobdef_ltp_smoke_qemu_arm64", "ltp-smoketest-arm64:arm64:qemu-arm64",
            "pull_labs_jobdef_kselftest_arm64_dtb", "kselftest-arm64:arm64:exynos850-e850-96");

    @TempDir
    Path dir;

    @Test
    @DisplayName("local-run --api --allow-job-code finishes every seeded job of its runtime, the API rejecting no"
            + " request, and links logs in the region of AWS_REGION")
    void localRunAgainstTheRealApi() throws Exception {
        KernelCiApiKit api = KernelCiApiKit.get();
        List<KernelCiApiKit.SeededJob> seeded = new ArrayList<>();
        try (LocalFixtures fixtures = LocalFixtures.start(dir.resolve("served"))) {
            fixtures.jobDefinitionUrls().forEach((name, url) -> seeded.addAll(api.seed(url.toString(),
                    List.of(JOBS.get(name)), Optional.empty())));
            int logMark = api.accessLog().size();

            JarRun run = JarRun.run(dir, Duration.ofMinutes(6), List.of("KERNELCI_API_TOKEN=" + api.labToken(),
                    "AWS_REGION=us-west-2"), "local-run", "--api", api.baseUri().toString(), "--allow-job-code", "--runtime",
                    api.runtime(), "--work-dir", dir.resolve("lab").toString(), "--timeout", "300");

            assertThat(run.exitCode()).as("exit status; stderr:%n%s", run.err()).isZero();
            assertThat(api.rejectedSince(logMark)).as("requests the API rejected").isEmpty();
        }
        // the run's KCIDB submissions (written by the child JVM) join the module's for kcidb-io's check at verify
        Path kept = Files.createDirectories(Path.of(System.getProperty(KcidbReceiverDouble.SUBMISSIONS_PROPERTY,
                "target/kcidb-submissions")));
        try (Stream<Path> files = Files.list(dir.resolve("lab/kcidb"))) {
            List<Path> submissions = files.toList();
            assertThat(submissions).as("KCIDB submissions of the run").isNotEmpty();
            for (Path submission : submissions) {
                Files.copy(submission, kept.resolve("local-run-api-" + submission.getFileName()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        assertThat(seeded).hasSize(3);
        for (KernelCiApiKit.SeededJob job : seeded) {
            JsonNode node = api.node(job.id());
            assertThat(node.path("state").asText()).as("state of %s", job.name()).isEqualTo("done");
            assertThat(node.path("result").asText()).as("result of %s", job.name()).isIn("pass", "fail");
            assertThat(node.at("/data/error_code").isMissingNode() || node.at("/data/error_code").isNull())
                    .as("no error code on %s: %s", job.name(), node.at("/data/error_msg")).isTrue();
            assertThat(node.at("/data/job_id").asText()).startsWith(api.runtime() + ":");
            assertThat(node.at("/artifacts/test_log").asText()).as("test_log of %s", job.name())
                    .contains(".s3.us-west-2.amazonaws.com/");
            assertThat(api.children(job.id())).as("child test nodes of %s", job.name()).isNotEmpty();
        }
    }
}
