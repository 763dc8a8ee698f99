package dev.pullab.core.report;

import static dev.pullab.core.report.ReportFixtures.LOG_URLS;
import static dev.pullab.core.report.ReportFixtures.jobNode;
import static dev.pullab.core.report.ReportFixtures.jobRun;
import static dev.pullab.core.report.ReportFixtures.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.kcidb.KcidbResource;
import dev.pullab.core.kcidb.KcidbRevisionBuilder;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.report.ArtifactManifest.Artifact;
import dev.pullab.core.report.ArtifactManifest.KcidbRole;
import dev.pullab.core.report.ArtifactManifest.Status;
import dev.pullab.core.run.RunRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunReporting with a manifest: every link KCIDB and KernelCI get comes from artifacts.json")
class RunReportingLinksTest {

    private static final String BOOT = "kernelci-boot";
    private static final String VM_A = "i-0aaa";
    private static final String VM_B = "i-0bbb";
    private static final String LOGS = "https://logs.example.org/";

    private final RunReporting reporting = new RunReporting(AnalysisOptions.defaults(), LOG_URLS);
    private final RunRecord run = jobRun(BOOT, 2, List.of(VM_A, VM_B));

    private static URI link(String instanceId, String kind) {
        return URI.create(LOGS + "run/test_" + BOOT + "/output/" + instanceId + "/" + kind);
    }

    private static Artifact ready(String instanceId, String kind, KcidbRole role) {
        return new Artifact(BOOT, instanceId, kind, role, Status.READY, "s3://results/run/" + kind,
                Optional.of(link(instanceId, kind)), Optional.empty(), 1, ArtifactManifest.TEXT_PLAIN,
                Optional.of("logs/run/" + kind), Optional.empty());
    }

    private final ArtifactManifest manifest = ArtifactManifest.of(Instant.EPOCH, "run", "results", Optional.empty(),
            List.of(ready(VM_A, "client-1.log", KcidbRole.OUTPUT), ready(VM_A, "console-output.log", KcidbRole.OUTPUT),
                    ready(VM_A, "run-1-output.log", KcidbRole.LOG),
                    ready(VM_B, "console-output.log", KcidbRole.LOG)));

    private final VmOutputs reported = succeeded(BOOT, VM_A, "x86_64", 1).withResultsJson(
            "{\"boot\": {\"status\": \"pass\"}}".getBytes(StandardCharsets.UTF_8));

    private static KcidbTestEntry test(RunReport report, String idSuffix) {
        return report.kcidbTests().stream().filter(t -> t.idSuffix().equals(idSuffix)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("a reported VM's tests link the manifest's log as log_url and its other logs as output_files")
    void reportedVmLinks() {
        RunReport report = reporting.report(run, List.of(reported), List.of(new MissingVm(BOOT, Optional.of(VM_B))),
                manifest);

        KcidbTestEntry boot = test(report, "boot@" + VM_A);
        assertThat(boot.logUrl()).contains(link(VM_A, "run-1-output.log"));
        assertThat(boot.outputFiles()).containsExactly(
                new KcidbResource("client-1.log", link(VM_A, "client-1.log")),
                new KcidbResource("console-output.log", link(VM_A, "console-output.log")));
    }

    @Test
    @DisplayName("a VM that did not report but left a console gets the console as the log_url of its MISS test")
    void missingVmLinksItsConsole() {
        RunReport report = reporting.report(run, List.of(reported), List.of(new MissingVm(BOOT, Optional.of(VM_B))),
                manifest);

        assertThat(test(report, BOOT + "@" + VM_B).logUrl()).contains(link(VM_B, "console-output.log"));
    }

    @Test
    @DisplayName("the job node's test_log is the first reported VM's log from the manifest")
    void testLogFromManifest() {
        RunReport report = reporting.report(run, List.of(reported), List.of(new MissingVm(BOOT, Optional.of(VM_B))),
                manifest);

        assertThat(report.jobOutcome().orElseThrow().artifacts())
                .containsEntry(RunReporting.TEST_LOG_ARTIFACT, link(VM_A, "run-1-output.log").toString());
    }

    @Test
    @DisplayName("with no VM reporting, the job node's test_log is a silent VM's console")
    void testLogOfSilentRunIsConsole() {
        RunReport report = reporting.reportOverdue(run, List.of(), List.of(new MissingVm(BOOT, Optional.of(VM_A)),
                new MissingVm(BOOT, Optional.of(VM_B))), manifest);

        assertThat(report.jobOutcome().orElseThrow().artifacts())
                .containsEntry(RunReporting.TEST_LOG_ARTIFACT, link(VM_A, "run-1-output.log").toString());
    }

    @Test
    @DisplayName("the KCIDB revision with log_url and output_files passes the v5.3 schema")
    void revisionValid() {
        RunReport report = reporting.report(run, List.of(reported), List.of(new MissingVm(BOOT, Optional.of(VM_B))),
                manifest);

        ObjectNode revision = new KcidbRevisionBuilder(ReportFixtures.ORIGIN,
                id -> ReportFixtures.KBUILD_NODE_ID.equals(id) ? Optional.of(ReportFixtures.kbuildNode()) : Optional.empty())
                .build(jobNode(), report.kcidbTests());

        assertThat(KcidbValidator.validate(revision)).isEmpty();
        assertThat(revision.at("/tests/0/output_files/0/name").asText()).isEqualTo("client-1.log");
        assertThat(revision.at("/tests/0/output_files/0/url").asText())
                .isEqualTo(link(VM_A, "client-1.log").toString());
    }
}
