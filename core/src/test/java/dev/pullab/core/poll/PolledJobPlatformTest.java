package dev.pullab.core.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.job.ArtifactUrlPolicy;
import dev.pullab.core.job.JobRejection;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import dev.pullab.core.job.JobTranslator;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.job.Translation;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.testkit.KernelCiApiDouble;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The node's {@code data.platform} reaches the job translator: the KernelCI job node fixture
 * ({@code node_pull_labs_job_available.json}, platform {@code qemu-x86_64}) is announced by the KernelCI API double,
 * polled by the real {@link PollCycle} and {@link KernelCiClient}, sent as the jobs-queue message body
 * ({@link JobTicketJson}) and read back as the orchestrator reads it, then translated.
 */
@DisplayName("a polled job node carries its platform to the translator")
class PolledJobPlatformTest {

    private static final String TOKEN = "lab-token";
    private static final String RUNTIME = "pull-labs-demo";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LabConfig LAB = withHttp(LabConfig.defaults());

    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final InMemoryJobs jobs = new InMemoryJobs();

    @AfterEach
    void stop() {
        api.close();
    }

    /** The default lab config with plain http allowed (the fixture definition's ramdisk is on http). */
    private static LabConfig withHttp(LabConfig config) {
        return new LabConfig(config.testConfig(), config.storage(), config.platforms(), config.jobDefinitions(),
                new ArtifactUrlPolicy(true, List.of()));
    }

    private static ObjectNode resource(String path) {
        try (InputStream in = PolledJobPlatformTest.class.getResourceAsStream(path)) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture node, announced and polled; the ticket as the orchestrator reads it from the jobs queue. */
    private JobTicket polledTicket() {
        api.addJob(resource("/kernelci/node_pull_labs_job_available.json"), "2026-05-20T10:15:30.412000");
        KernelCiClient client = new KernelCiClient(api.baseUri(), Optional.of(TOKEN), new RetryingHttp("KernelCI API",
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5))));
        new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), 100, false), client, new InMemoryCursorStore(), jobs,
                jobs, () -> "claim-1").run();
        assertThat(jobs.sent).hasSize(1);
        return JobTicketJson.read(JobTicketJson.write(jobs.sent.get(0)));
    }

    /** The fixture baseline job definition with {@code environment.platform} set to {@code platform}. */
    private static byte[] definitionOn(String platform) {
        ObjectNode definition = resource("/job/pull_labs_jobdef_baseline_qemu_x86_64.json");
        definition.withObjectProperty("environment").put("platform", platform);
        try {
            return JSON.writeValueAsBytes(definition);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Translation translate(JobTicket ticket, byte[] definition) {
        return JobTranslator.translate(ticket, definition, LAB, "a1b2c3", Instant.parse("2026-05-20T10:15:30Z"));
    }

    @Test
    @DisplayName("the queued ticket holds the node's data.platform and data.arch")
    void ticketCarriesPlatform() {
        JobTicket ticket = polledTicket();

        assertThat(ticket.nodeId()).isEqualTo("6825f9c0b4e0b1c9d2a7e0a1");
        assertThat(ticket.platform()).isEqualTo("qemu-x86_64");
        assertThat(ticket.arch()).isEqualTo("x86_64");
    }

    @Test
    @DisplayName("a definition for another platform than the polled node's is refused as invalid_job_params")
    void definitionOnAnotherPlatformRefused() {
        Translation translation = translate(polledTicket(), definitionOn("aws-ec2-x86_64"));

        assertThat(translation).isInstanceOf(JobRejection.class);
        JobRejection rejection = (JobRejection) translation;
        assertThat(rejection.code()).isEqualTo(ErrorCode.INVALID_JOB_PARAMS);
        assertThat(rejection.message()).isEqualTo("the job node's platform 'qemu-x86_64' (data.platform) differs"
                + " from its job definition's platform 'aws-ec2-x86_64' (environment.platform)");
    }

    @Test
    @DisplayName("a definition for the polled node's own platform is planned on it")
    void definitionOnSamePlatformPlanned() {
        Translation translation = translate(polledTicket(), definitionOn("qemu-x86_64"));

        assertThat(translation).isInstanceOf(Translation.Planned.class);
        assertThat(((Translation.Planned) translation).plan().groups().get(0).test().params())
                .containsEntry("PULLAB_PLATFORM", "qemu-x86_64");
    }
}
