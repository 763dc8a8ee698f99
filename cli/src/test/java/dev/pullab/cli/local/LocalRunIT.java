package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The README's {@code pullab local-run} as a test: the fixture KernelCI jobs and a BuildComplete regression run go
 * through the real poller, orchestrator, VM client and analyzer, on moto, with the KernelCI and KCIDB doubles.
 */
class LocalRunIT {

    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @DisplayName("every job claimed and launched once, every result in KCIDB and KernelCI, the regression flagged")
    void givenFixtureJobsAndRegressionRun_whenRunLocally_thenEverythingReportedOnce() throws Exception {
        List<String> lines = new ArrayList<>();
        // the emulator's EC2 instances are shared by the tests, and the fixture jobs' node ids are fixed
        List<String> earlier = instancesOfJob(null);
        try (LocalLab lab = new LocalLab(LocalLab.Options.local(RUNTIME, dir, false, Duration.ofSeconds(240)),
                lines::add)) {
            LocalLab.Outcome outcome = lab.run();
            KernelCiApiDouble api = lab.api();
            KcidbReceiverDouble kcidb = lab.kcidb();

            assertThat(outcome.runs()).hasSize(4).allSatisfy(run ->
                    assertThat(run.state()).isEqualTo(RunRecord.RunState.DONE));
            assertThat(outcome.deadLetters()).isZero();
            assertThat(outcome.jobNodes()).hasSize(3);
            for (String node : outcome.jobNodes().keySet()) {
                assertThat(api.requests()).as("claims of %s", node)
                        .filteredOn(r -> r.method().equals("PATCH") && r.path().endsWith("/node/" + node)).hasSize(1);
                assertThat(api.requests()).as("finishes of %s", node)
                        .filteredOn(r -> r.method().equals("PUT") && r.path().endsWith("/nodes/" + node)).hasSize(1);
                JsonNode finished = api.node(node).orElseThrow();
                assertThat(finished.get("state").asText()).isEqualTo("done");
                assertThat(finished.at("/data/job_id").asText()).startsWith(RUNTIME + ":");
                assertThat(api.nodes()).as("child test nodes of %s", node)
                        .anySatisfy(n -> assertThat(n.path("parent").asText()).isEqualTo(node));
                assertThat(instancesOfJob(node)).as("VMs of %s", node).filteredOn(id -> !earlier.contains(id))
                        .hasSize(1);
            }
            assertThat(kcidb.submissions()).hasSize(4);
            assertThat(kcidb.allSubmissionsValid()).isTrue();
            List<JsonNode> tests = new ArrayList<>();
            kcidb.submissions().forEach(s -> s.body().get("tests").forEach(tests::add));
            assertThat(tests).extracting(t -> t.get("path").asText())
                    .contains("boot", "unixbench-kernel-regression.Process_Creation")
                    .anyMatch(path -> path.startsWith("ltp."))
                    .anyMatch(path -> path.startsWith("kselftest.arm64."));
            assertThat(tests).filteredOn(t -> t.get("path").asText().equals("unixbench-kernel-regression.Process_Creation"))
                    .singleElement().satisfies(t -> assertThat(t.get("status").asText()).isEqualTo("FAIL"));
            assertThat(outcome.plots()).isNotEmpty();
            assertThat(outcome.reports()).anySatisfy(p -> assertThat(p.getFileName()).hasToString("report.json"));
            // the demo regression compares two kernels measured on VMs that differ, as real ones do
            Path reportJson = outcome.reports().stream().filter(p -> p.getFileName().toString().equals("report.json"))
                    .findFirst().orElseThrow();
            JsonNode regression = JSON.readTree(reportJson.toFile()).get("tests").get(0);
            assertThat(regression.get("base_kernel").asText()).startsWith("6.1.141");
            assertThat(regression.get("tip_kernel").asText()).startsWith("6.1.150");
            assertThat(regression.get("has_regression").asBoolean()).isTrue();
            regression.get("comparisons").forEach(c -> {
                if (c.get("metric").asText().equals("Process_Creation")) {
                    assertThat(c.get("is_regression").asBoolean()).as("Process_Creation flagged").isTrue();
                    assertThat(c.at("/base/stddev").asDouble()).as("spread across the VMs").isPositive();
                    assertThat(c.get("cohens_d").isNumber()).as("a finite Cohen's d: %s", c.get("cohens_d")).isTrue();
                }
            });
            assertThat(outcome.jobNodes().values()).as("the end summary names failed cases")
                    .anySatisfy(line -> assertThat(line).contains(", fail \u2014 failed: ltp."));
            assertThat(outcome.reports()).filteredOn(p -> p.getFileName().toString().equals("artifacts.json"))
                    .as("each run's manifest").hasSize(4);
            assertThat(tests).filteredOn(t -> t.get("path").asText().equals("boot")).singleElement()
                    .satisfies(t -> assertThat(t.get("log_url").asText()).contains("/logs/run_")
                            .endsWith("-output.log"));
            assertConsolesPublished(outcome);
            assertHtmlReports(outcome);
        }
    }

    /**
     * Every run has its HTML report, the regression's verdict on it, the failed ltp cases linked to the local copies
     * of their logs (which exist), and the work directory's index.html links each report.
     */
    private void assertHtmlReports(LocalLab.Outcome outcome) throws Exception {
        List<Path> pages = outcome.reports().stream().filter(p -> p.getFileName().toString().equals("report.html"))
                .toList();
        assertThat(pages).as("one report.html per run").hasSize(4);
        List<String> html = new ArrayList<>();
        for (Path page : pages) {
            html.add(java.nio.file.Files.readString(page));
        }
        assertThat(html).anySatisfy(h -> assertThat(h).contains("id=\"verdict-1\">REGRESSION in"));
        String ltp = html.stream().filter(h -> h.contains("<table class=\"cases failed\">") && h.contains("ltp."))
                .findFirst().orElseThrow();
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"(logs/[^\"]+)\"").matcher(ltp);
        assertThat(link.find()).as("a failed case links its log, locally").isTrue();
        Path ltpPage = pages.get(html.indexOf(ltp));
        assertThat(ltpPage.resolveSibling(link.group(1))).as("the linked log").isRegularFile();
        Path index = dir.resolve("index.html");
        assertThat(outcome.reports()).contains(index);
        for (RunRecord run : outcome.runs()) {
            assertThat(java.nio.file.Files.readString(index)).contains("href=\"" + run.runPrefix() + "/report.html\"");
        }
    }

    /**
     * Every VM of every run has its serial console kept at close, published scrubbed under {@code logs/} and listed
     * {@code ready} in the run's artifacts.json: the kernel's boot lines and the client's heartbeat lines.
     */
    private void assertConsolesPublished(LocalLab.Outcome outcome) throws Exception {
        int vms = 0;
        for (RunRecord run : outcome.runs()) {
            Path runDir = dir.resolve(run.runPrefix());
            JsonNode manifest = JSON.readTree(runDir.resolve("artifacts.json").toFile());
            List<JsonNode> consoles = new ArrayList<>();
            manifest.get("artifacts").forEach(a -> {
                if (a.get("kind").asText().equals("console-output.log")) {
                    consoles.add(a);
                }
            });
            assertThat(consoles).as("consoles in the manifest of %s", run.runPrefix()).hasSize(run.launched().size());
            for (JsonNode console : consoles) {
                vms++;
                assertThat(console.get("status").asText()).as("%s", console).isEqualTo("ready");
                assertThat(console.get("sha256").asText()).hasSize(64);
                String published = console.get("published_key").asText();
                assertThat(published).startsWith("logs/" + run.runPrefix() + "/test_")
                        .endsWith("/" + console.get("instance_id").asText() + "/console-output.log");
                assertThat(console.get("log_url").asText()).endsWith("/" + published);
                String text = Files.readString(publishedFile(run, published));
                assertThat(text).as("published console of %s", console.get("instance_id").asText())
                        .startsWith("[    0.000000] Linux version ")
                        .contains("console=ttyS0", "systemd[1]: Started pullab-client.service")
                        .contains("pullab: heartbeat test " + console.get("test").asText() + " run 1/")
                        .doesNotContain("Kernel panic");
                assertThat(LogScrubber.withoutLabSecrets().scrub(text).text()).as("nothing left to redact")
                        .isEqualTo(text);
            }
        }
        assertThat(vms).as("VMs with a published console").isEqualTo(6);
    }

    @Test
    @DisplayName("--api with --allow-job-code and --kcidb: the lab takes the given KernelCI's job, runs its code and "
            + "submits to the given KCIDB")
    void givenExternalPeersAndConsent_whenRunLocally_thenTheirJobRuns() throws Exception {
        try (KernelCiApiDouble external = KernelCiApiDouble.start("external-token");
                KcidbReceiverDouble receiver = KcidbReceiverDouble.start("external-secret", KcidbValidator::validate);
                LocalFixtures served = LocalFixtures.start(dir.resolve("served"))) {
            // the baseline boot job under node ids of its own (the emulator's EC2 instances are shared by the tests)
            String job = KernelCiFixtures.nodeId(0x7e570001);
            String kbuild = KernelCiFixtures.nodeId(0x7e570000);
            external.putNode(KernelCiFixtures.kbuild(kbuild));
            ObjectNode node = KernelCiFixtures.job(job, RUNTIME, "qemu-x86_64");
            node.put("name", "baseline-x86-pull-labs").put("parent", kbuild);
            node.withObject("/artifacts").put("job_definition",
                    served.jobDefinitionUrls().get("pull_labs_jobdef_baseline_qemu_x86_64").toString());
            node.withObject("/data").put("arch", "x86_64").put("kernel_type", "bzimage");
            external.addJob(node, LocalFixtures.FIRST_EVENT_TIMESTAMP);
            LocalLab.Options options = new LocalLab.Options(RUNTIME, dir, false, Duration.ofSeconds(240),
                    Optional.of(new KernelCiAccess(external.baseUri(), Optional.of("external-token"))),
                    Optional.of(new KcidbSettings(receiver.submitUrl(),
                            KcidbReceiverDouble.jwt("external-secret", "pullab_ext"), "pullab_ext")), 3, true);
            try (LocalLab lab = new LocalLab(options, line -> { })) {
                LocalLab.Outcome outcome = lab.run();

                assertThat(outcome.runs()).hasSize(2).allSatisfy(run ->
                        assertThat(run.state()).isEqualTo(RunRecord.RunState.DONE));
                assertThat(outcome.runs()).filteredOn(run -> run.jobNodeId().isPresent()).singleElement()
                        .satisfies(run -> assertThat(run.jobNodeId()).contains(job));
                JsonNode finished = external.node(job).orElseThrow();
                assertThat(finished.path("state").asText()).isEqualTo("done");
                assertThat(finished.path("result").asText()).isIn("pass", "fail");
                assertThat(instancesOfJob(job)).as("VMs of %s", job).hasSize(1);
                assertThat(external.requests()).anySatisfy(r -> assertThat(r.path()).endsWith("/events"));
                assertThat(lab.api().requests()).isEmpty();
                assertThat(receiver.submissions()).isNotEmpty()
                        .allSatisfy(s -> assertThat(s.body().toString()).contains("pullab_ext:"));
            }
        }
    }

    @Test
    @DisplayName("--api without --allow-job-code: the lab refuses to start, naming the option, before any request")
    void givenExternalApiWithoutConsent_whenRun_thenRefusedBeforeAnyRequest() throws Exception {
        try (KernelCiApiDouble external = KernelCiApiDouble.start("external-token")) {
            LocalLab.Options options = new LocalLab.Options(RUNTIME, dir, false, Duration.ofSeconds(240),
                    Optional.of(new KernelCiAccess(external.baseUri(), Optional.of("external-token"))),
                    Optional.empty(), 3);
            try (LocalLab lab = new LocalLab(options, line -> { })) {
                assertThatThrownBy(lab::run).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Pass --allow-job-code to accept that")
                        .hasMessageContaining("nothing was claimed");
            }
            assertThat(external.requests()).isEmpty();
        }
    }

    @Test
    @DisplayName("a VM whose kernel panics at boot: the sweeper's watch fails and terminates it, and its KCIDB test, "
            + "its job node's message and its published console quote the panic line")
    void givenKernelPanicAtBoot_whenRunLocally_thenPanicQuotedInReports() throws Exception {
        List<String> lines = new ArrayList<>();
        LabFaults panicOfBootJob = new LabFaults() {
            @Override
            public boolean panicsAtBoot(String test) {
                return test.equals("kernelci-boot");
            }
        };
        try (LocalLab lab = new LocalLab(new LocalLab.Options(RUNTIME, dir, false, Duration.ofSeconds(240),
                Optional.empty(), Optional.empty(), 1), panicOfBootJob, lines::add)) {
            LocalLab.Outcome outcome = lab.run();

            assertThat(outcome.runs()).hasSize(2).allSatisfy(run ->
                    assertThat(run.state()).isEqualTo(RunRecord.RunState.DONE));
            assertThat(outcome.deadLetters()).isZero();
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("sweeper: failed and terminated"));
            String node = outcome.jobNodes().keySet().iterator().next();
            JsonNode finished = lab.api().node(node).orElseThrow();
            assertThat(finished.path("state").asText()).isEqualTo("done");
            assertThat(finished.path("result").asText()).isEqualTo("incomplete");
            assertThat(finished.at("/data/error_msg").asText()).as("the job node's message")
                    .contains("FAILED: kernel panic on the serial console: \"" + LocalConsoles.ROOT_FS_PANIC + "\"");
            assertThat(finished.at("/artifacts/test_log").asText()).endsWith("/console-output.log");
            assertThat(outcome.jobNodes().get(node)).as("local-run's summary of the job")
                    .contains(LocalConsoles.ROOT_FS_PANIC);
            List<JsonNode> tests = new ArrayList<>();
            lab.kcidb().submissions().forEach(s -> s.body().path("tests").forEach(tests::add));
            assertThat(lab.kcidb().allSubmissionsValid()).isTrue();
            assertThat(tests).filteredOn(t -> t.path("path").asText().equals("kernelci-boot")).singleElement()
                    .satisfies(t -> {
                        assertThat(t.path("status").asText()).isEqualTo("ERROR");
                        assertThat(t.path("comment").asText()).contains(LocalConsoles.ROOT_FS_PANIC);
                        assertThat(t.path("log_url").asText()).endsWith("/console-output.log");
                    });
            RunRecord run = outcome.runs().stream().filter(r -> r.jobNodeId().isPresent()).findFirst().orElseThrow();
            JsonNode manifest = JSON.readTree(dir.resolve(run.runPrefix()).resolve("artifacts.json").toFile());
            JsonNode console = null;
            for (JsonNode artifact : manifest.get("artifacts")) {
                if (artifact.get("kind").asText().equals("console-output.log")) {
                    console = artifact;
                }
            }
            assertThat(console).as("the console in the manifest").isNotNull();
            assertThat(console.get("status").asText()).isEqualTo("ready");
            assertThat(Files.readString(publishedFile(run, console.get("published_key").asText())))
                    .as("its published console").contains("] " + LocalConsoles.ROOT_FS_PANIC)
                    .doesNotContain("pullab: heartbeat");
        }
    }

    /** Where local-run copied a published log: {@code <work dir>/<run>/logs/<raw key below the run>}. */
    private Path publishedFile(RunRecord run, String publishedKey) {
        return dir.resolve(run.runPrefix()).resolve("logs")
                .resolve(publishedKey.substring(("logs/" + run.runPrefix() + "/").length()));
    }

    /** The instances launched for a job node (for any job node: null). */
    private static List<String> instancesOfJob(String node) {
        Ec2Client ec2 = AwsEmulator.get().client(Ec2Client.builder());
        Filter filter = node == null ? Filter.builder().name("tag-key").values("pullab:job-node").build()
                : Filter.builder().name("tag:pullab:job-node").values(node).build();
        return ec2.describeInstances(b -> b.filters(filter)).reservations().stream()
                .flatMap(r -> r.instances().stream()).map(i -> i.instanceId()).toList();
    }
}
