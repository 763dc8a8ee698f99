package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
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

    @TempDir
    Path dir;

    @Test
    @DisplayName("every job claimed and launched once, every result in KCIDB and KernelCI, the regression flagged")
    void givenFixtureJobsAndRegressionRun_whenRunLocally_thenEverythingReportedOnce() throws Exception {
        List<String> lines = new ArrayList<>();
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
                assertThat(instancesOfJob(node)).as("VMs of %s", node).hasSize(1);
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
            assertThat(outcome.reports()).filteredOn(p -> p.getFileName().toString().equals("artifacts.json"))
                    .as("each run's manifest").hasSize(4);
            assertThat(tests).filteredOn(t -> t.get("path").asText().equals("boot")).singleElement()
                    .satisfies(t -> assertThat(t.get("log_url").asText()).contains("/logs/run_")
                            .endsWith("-output.log"));
        }
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

    private static List<String> instancesOfJob(String node) {
        Ec2Client ec2 = AwsEmulator.get().client(Ec2Client.builder());
        return ec2.describeInstances(b -> b.filters(Filter.builder().name("tag:pullab:job-node").values(node)
                .build())).reservations().stream().flatMap(r -> r.instances().stream()).map(i -> i.instanceId())
                .toList();
    }
}
