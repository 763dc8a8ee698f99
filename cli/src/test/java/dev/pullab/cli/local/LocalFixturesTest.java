package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.job.JobDefinition;
import dev.pullab.core.job.JobDefinitionSource;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.run.Executor;
import dev.pullab.testkit.KernelCiApiDouble;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path workDir;

    private static LocalFixtures fixtures;

    @BeforeAll
    static void start() {
        fixtures = LocalFixtures.start(workDir);
    }

    @AfterAll
    static void stop() {
        fixtures.close();
    }

    @Test
    void everyRewrittenDefinitionParsesAndEveryArtifactIsServedLocally() throws Exception {
        String prefix = "http://127.0.0.1:" + fixtures.baseUri().getPort() + "/";
        assertThat(fixtures.baseUri().toString()).isEqualTo(prefix.substring(0, prefix.length() - 1));
        Map<String, URI> urls = fixtures.jobDefinitionUrls();
        assertThat(urls).containsOnlyKeys(LocalFixtures.DEFINITION_NAMES);

        List<String> artifactUrls = new ArrayList<>();
        for (Map.Entry<String, URI> entry : urls.entrySet()) {
            assertThat(entry.getValue().toString()).isEqualTo(prefix + "jobs/" + entry.getKey() + ".json");
            HttpResponse<byte[]> response = get(entry.getValue());
            assertThat(response.statusCode()).isEqualTo(200);
            JobDefinition definition = JobDefinition.parse(response.body());
            Map<String, String> present = definition.artifacts().present();
            assertThat(present).isNotEmpty().containsKeys("kernel", "modules");
            assertThat(present.values()).allSatisfy(url -> assertThat(url).startsWith(prefix + "artifacts/"));
            // every string under "artifacts", also ones JobDefinition does not model
            JsonNode raw = JSON.readTree(response.body()).path("artifacts");
            raw.forEach(url -> assertThat(url.asText()).startsWith(prefix));
            raw.forEach(url -> artifactUrls.add(url.asText()));
            // the lab's download policy accepts the definition URL with the local lab config
            LabConfig lab = LabConfig.parse(fixtures.labConfigJson().getBytes(StandardCharsets.UTF_8));
            assertThat(JobDefinitionSource.refuse(entry.getValue().toString(), lab.jobDefinitions().allowedHosts()))
                    .isEmpty();
            assertThat(lab.platform(definition.environment().platform().orElseThrow())).isPresent();
        }
        assertThat(artifactUrls).hasSizeGreaterThanOrEqualTo(3 + 3 + 5);
        for (String url : artifactUrls) {
            HttpResponse<byte[]> response = get(URI.create(url));
            assertThat(response.statusCode()).as(url).isEqualTo(200);
            assertThat(response.body()).as(url).isNotEmpty();
        }
    }

    @Test
    void unknownPathsAndEscapesAre404() throws Exception {
        assertThat(get(fixtures.baseUri().resolve("/artifacts/nope")).statusCode()).isEqualTo(404);
        assertThat(get(URI.create(fixtures.baseUri() + "/../../etc/passwd")).statusCode()).isEqualTo(404);
        assertThat(get(fixtures.baseUri().resolve("/artifacts")).statusCode()).isEqualTo(404);
    }

    @Test
    void modulesTarballHasTheKernelVersionDirectory() throws Exception {
        List<String> listing = tarList(workDir.resolve("artifacts/modules.tar.xz"));
        assertThat(listing).anySatisfy(entry -> assertThat(entry).matches("(\\./)?lib/modules/6\\.15\\.0-rc7-pullab/"));
        assertThat(listing).anySatisfy(entry -> assertThat(entry)
                .matches("(\\./)?lib/modules/6\\.15\\.0-rc7-pullab/kernel/.+\\.ko"));
        // kci_modules_version needs exactly one version
        assertThat(listing.stream().filter(e -> e.matches("(\\./)?lib/modules/[^/]+/?")).map(e -> e.replace("./", ""))
                .map(e -> e.endsWith("/") ? e : e + "/").distinct()).containsExactly("lib/modules/6.15.0-rc7-pullab/");
    }

    @Test
    void rootfsHasAnExecutableRunltpAndKselftestARunner() throws Exception {
        Path out = Files.createDirectories(workDir.resolve("unpacked-test"));
        tar(out, "-xf", workDir.resolve("artifacts/full.rootfs.tar.xz").toString());
        Path runltp = out.resolve("opt/ltp/runltp");
        assertThat(Files.isExecutable(runltp)).isTrue();
        assertThat(out.resolve("opt/ltp/runtest/smoketest")).isRegularFile();

        Path log = out.resolve("ltp-results.log");
        Process ltp = new ProcessBuilder(runltp.toString(), "-p", "-f", "smoketest", "-l", log.toString())
                .redirectErrorStream(true).start();
        ltp.getInputStream().readAllBytes();
        assertThat(ltp.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ltp.exitValue()).isEqualTo(1); // splice02 FAIL
        String results = Files.readString(log);
        assertThat(results).contains("Testcase").containsPattern("access01\\s+PASS\\s+0")
                .containsPattern("splice02\\s+FAIL\\s+1").containsPattern("utime07\\s+CONF\\s+32");

        Path ks = Files.createDirectories(workDir.resolve("unpacked-kselftest"));
        tar(ks, "-xf", workDir.resolve("artifacts/kselftest.tar.xz").toString());
        Process run = new ProcessBuilder("bash", "./run_kselftest.sh", "-c", "arm64").directory(ks.toFile())
                .redirectErrorStream(true).start();
        String tap = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isZero();
        assertThat(tap).startsWith("TAP version 13\n").contains("ok 1 selftests: arm64: tags_test\n")
                .contains("ok 3 selftests: arm64: sve-ptrace # SKIP\n")
                .contains("not ok 4 selftests: arm64: pac # exit=1\n");
    }

    @Test
    void publishAddsThreeAvailableJobsWithKbuildParents() throws Exception {
        try (KernelCiApiDouble api = KernelCiApiDouble.start("token")) {
            fixtures.publish(api, "pull-labs-local");

            assertThat(fixtures.jobNodeIds()).hasSize(3).doesNotHaveDuplicates();
            List<URI> definitionUrls = List.copyOf(fixtures.jobDefinitionUrls().values());
            for (int i = 0; i < 3; i++) {
                String id = fixtures.jobNodeIds().get(i);
                ObjectNode job = api.node(id).orElseThrow();
                assertThat(job.path("kind").asText()).isEqualTo("job");
                assertThat(job.path("state").asText()).isEqualTo("available");
                assertThat(job.path("data").path("runtime").asText()).isEqualTo("pull-labs-local");
                assertThat(job.path("artifacts").path("job_definition").asText())
                        .isEqualTo(definitionUrls.get(i).toString());
                byte[] definition = get(definitionUrls.get(i)).body();
                assertThat(job.path("data").path("platform").asText())
                        .isEqualTo(JobDefinition.parse(definition).environment().platform().orElseThrow());
                String parent = job.path("parent").asText();
                assertThat(parent).isEqualTo(fixtures.kbuildNodeIds().get(i));
                ObjectNode kbuild = api.node(parent).orElseThrow();
                assertThat(kbuild.path("kind").asText()).isEqualTo("kbuild");
                assertThat(job.path("path").get(1).asText()).isEqualTo(kbuild.path("name").asText());
            }
            assertThat(api.nodes()).hasSize(6);

            List<ObjectNode> events = api.events();
            assertThat(events).hasSize(3);
            List<String> timestamps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonNode event = events.get(i);
                assertThat(event.path("data").path("id").asText()).isEqualTo(fixtures.jobNodeIds().get(i));
                assertThat(event.path("data").path("kind").asText()).isEqualTo("job");
                assertThat(event.path("data").path("state").asText()).isEqualTo("available");
                timestamps.add(event.path("timestamp").asText());
            }
            assertThat(timestamps).containsExactly("2026-05-20T10:00:01.000000", "2026-05-20T10:00:02.000000",
                    "2026-05-20T10:00:03.000000");
        }
    }

    @Test
    void labConfigParses() {
        LabConfig lab = LabConfig.parse(fixtures.labConfigJson().getBytes(StandardCharsets.UTF_8));
        assertThat(lab.platforms()).containsOnlyKeys("qemu-x86_64", "qemu-arm64", "exynos850-e850-96");
        assertThat(lab.platform("qemu-x86_64").orElseThrow()).isEqualTo(new LabConfig.Platform("qemu-x86_64",
                Executor.EC2, "x86_64", LabConfig.AL2023_X86_64, "m5.large", 1, 7200));
        assertThat(lab.platform("qemu-arm64").orElseThrow()).isEqualTo(new LabConfig.Platform("qemu-arm64",
                Executor.EC2, "arm64", LabConfig.AL2023_ARM64, "m7g.large", 1, 7200));
        assertThat(lab.platform("exynos850-e850-96").orElseThrow()).isEqualTo(new LabConfig.Platform(
                "exynos850-e850-96", Executor.EC2, "arm64", LabConfig.AL2023_ARM64, "m7g.large", 1, 7200));
        assertThat(lab.jobDefinitions().allowedHosts()).containsExactly("http://127.0.0.1");
        assertThat(lab.jobDefinitions().maxBytes()).isEqualTo(1_048_576);
    }

    private static HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static List<String> tarList(Path tarball) throws IOException, InterruptedException {
        return List.of(tar(null, "-tf", tarball.toString()).split("\n"));
    }

    private static String tar(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tar"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("publish with a count puts only the first N fixture jobs")
    void givenCount_whenPublished_thenOnlyThoseJobs() throws Exception {
        try (LocalFixtures fixtures = LocalFixtures.start(java.nio.file.Files.createTempDirectory("fixtures"));
                dev.pullab.testkit.KernelCiApiDouble api = dev.pullab.testkit.KernelCiApiDouble.start("t")) {
            fixtures.publish(api, "pull-labs-aws-ec2", 1);

            org.assertj.core.api.Assertions.assertThat(fixtures.jobNodeIds()).hasSize(1);
            org.assertj.core.api.Assertions.assertThat(api.events()).hasSize(1);
        }
    }
}
