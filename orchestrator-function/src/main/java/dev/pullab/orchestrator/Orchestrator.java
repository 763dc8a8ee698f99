package dev.pullab.orchestrator;

import dev.pullab.core.job.InvalidJobDefinitionException;
import dev.pullab.core.job.JobDefinition;
import dev.pullab.core.job.JobRejection;
import dev.pullab.core.job.JobTranslator;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.job.Translation;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.kernelci.FinishOutcome;
import dev.pullab.core.kernelci.JobOutcome;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.job.JobTicket;
import dev.pullab.orchestrator.launch.RunLauncher;
import dev.pullab.orchestrator.payload.RunUploader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a claimed KernelCI job, or a pipeline config (BuildComplete event, daily schedule), into a run: translate,
 * upload the payloads, launch the VMs, record the run. A job that cannot run is finished in KernelCI as
 * {@code incomplete} with the error code and a message naming the problem, and nothing is launched.
 *
 * <p>Idempotent per trigger: the run prefix is derived from the job node id (or the event id) and the trigger's own
 * time, so every delivery of the same job plans the same run, and {@link RunLauncher} launches each VM once.
 */
public final class Orchestrator {

    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    private final LabConfig lab;
    private final JobDefinitionFetcher fetcher;
    private final RunUploader uploader;
    private final RunLauncher launcher;
    private final Function<JobOutcome, FinishOutcome> kernelci;
    private final String resultsBucket;
    private final String storageBucket;
    private final Clock clock;
    private final String region;

    /**
     * @param region the region this lab launches VMs in (its stack's); a trigger event naming another is refused
     */
    public Orchestrator(LabConfig lab, JobDefinitionFetcher fetcher, RunUploader uploader, RunLauncher launcher,
            Function<JobOutcome, FinishOutcome> kernelci, String resultsBucket, String storageBucket, Clock clock,
            String region) {
        this.lab = lab;
        this.fetcher = fetcher;
        this.uploader = uploader;
        this.launcher = launcher;
        this.kernelci = kernelci;
        this.resultsBucket = resultsBucket;
        this.storageBucket = storageBucket;
        this.clock = clock;
        this.region = region;
    }

    /**
     * What became of a trigger.
     *
     * @param plan      the run, when one was launched
     * @param instances its instances or tasks
     * @param rejection why nothing was launched
     * @param warnings  what of the config this lab did not use ({@link LabConfig#warnings()}), for a config run
     */
    public record Outcome(Optional<RunPlan> plan, List<String> instances, Optional<JobRejection> rejection,
            List<String> warnings) {

        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    /** A claimed KernelCI job from the jobs queue. */
    public Outcome runJob(JobTicket ticket) {
        Translation translation = translate(ticket);
        if (translation instanceof JobRejection rejection) {
            return refuse(ticket, rejection);
        }
        Translation.Planned planned = (Translation.Planned) translation;
        // how the job was adapted to this lab (placed by arch, a test type run as the boot test, ...)
        planned.notes().forEach(note -> LOG.info("job {} ({}): {}", ticket.nodeId(), ticket.name(), note));
        RunPlan plan = planned.plan();
        try {
            uploader.upload(plan, resultsBucket, storageBucket);
        } catch (IllegalArgumentException e) {
            // the run cannot be built from this lab's tests (a test of the storage bucket that breaks the rules, an
            // unknown test, a required storage folder without a storage bucket): every delivery would fail the same
            // way, so the job is finished rather than retried into the dead-letter queue. The details name the
            // lab's buckets: they go to the log, not to the job node anyone can read.
            LOG.warn("job {} ({}): the lab cannot build run {}: {}", ticket.nodeId(), ticket.name(),
                    plan.runPrefix(), e.getMessage());
            return refuse(ticket, new JobRejection(ErrorCode.CONFIGURATION, "this lab cannot prepare the run: one of"
                    + " its vm-tests (" + String.join(", ", plan.groups().stream().map(g -> g.test().name())
                            .distinct().toList())
                    + ") is missing or broken in the lab's configuration; the lab's orchestrator log says why"));
        }
        List<String> instances = launcher.launch(plan);
        return new Outcome(Optional.of(plan), instances, Optional.empty(), List.of());
    }

    private Outcome refuse(JobTicket ticket, JobRejection rejection) {
        FinishOutcome finished = kernelci.apply(JobOutcome.incomplete(ticket.nodeId(), rejection.code(),
                rejection.message()));
        LOG.warn("job {} ({}) cannot run: {} [{}]; KernelCI node {}", ticket.nodeId(), ticket.name(),
                rejection.message(), rejection.code().wireName(), finished.name().toLowerCase(java.util.Locale.ROOT));
        return new Outcome(Optional.empty(), List.of(), Optional.of(rejection), List.of());
    }

    /**
     * A run of a pullab_cloud pipeline config.
     *
     * @param idempotencyKey the EventBridge event id (the same event delivered twice makes one run)
     * @param when           the event's time
     * @throws IllegalArgumentException naming the problem when the config is invalid
     */
    public Outcome runConfig(byte[] configJson, String idempotencyKey, Instant when) {
        return runConfig(configJson, idempotencyKey, when, Optional.empty());
    }

    /**
     * A run of a pullab_cloud pipeline config, triggered by an event that may name the region to run in
     * (pullab_cloud's {@code region}). The config's unused keys are logged as warnings and returned.
     *
     * @param eventRegion the event's {@code region}: must be this lab's region when given (its VMs, buckets and
     *                    tables are in the region of its stack)
     * @throws IllegalArgumentException naming the problem when the config is invalid or the region is another
     */
    public Outcome runConfig(byte[] configJson, String idempotencyKey, Instant when, Optional<String> eventRegion) {
        eventRegion.filter(r -> !r.isBlank()).ifPresent(wanted -> {
            if (!wanted.trim().equals(region)) {
                throw new IllegalArgumentException("the event asks for region '" + wanted + "' but this lab runs in '"
                        + region + "' (its VMs, results bucket and tables are there): send the event to the lab"
                        + " deployed in " + wanted + ", or set region to " + region + " or drop it");
            }
        });
        LabConfig config = LabConfig.parse(configJson);
        config.warnings().forEach(warning -> LOG.warn("config: {}", warning));
        RunPlan plan = JobTranslator.fromConfig(config, suffix(idempotencyKey), when);
        Outcome launched = launch(plan);
        return new Outcome(launched.plan(), launched.instances(), launched.rejection(), config.warnings());
    }

    private Translation translate(JobTicket ticket) {
        if (ticket.jobDefinition() == null || ticket.jobDefinition().isBlank()) {
            return JobRejection.invalidParams("job node has no artifacts.job_definition");
        }
        JobDefinitionFetcher.Fetched fetched = fetcher.fetch(ticket.jobDefinition());
        if (fetched instanceof JobDefinitionFetcher.Fetched.Refused refused) {
            return refused.rejection();
        }
        try {
            JobDefinition definition = JobDefinition.parse(((JobDefinitionFetcher.Fetched.Body) fetched).bytes());
            return JobTranslator.translate(ticket, definition, lab, suffix(ticket.nodeId()),
                    eventTime(ticket.eventTimestamp()));
        } catch (InvalidJobDefinitionException e) {
            return e.rejection();
        }
    }

    private Outcome launch(RunPlan plan) {
        uploader.upload(plan, resultsBucket, storageBucket);
        List<String> instances = launcher.launch(plan);
        return new Outcome(Optional.of(plan), instances, Optional.empty(), List.of());
    }

    /** The trigger's own time (the event that announced the job), so re-deliveries plan the same run prefix. */
    private Instant eventTime(String timestamp) {
        if (timestamp == null) {
            return clock.instant();
        }
        try {
            return LocalDateTime.parse(timestamp).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return clock.instant();
        }
    }

    /** 8 hex digits derived from the trigger's key: pullab_cloud's unique test_id suffix, but stable per trigger. */
    static String suffix(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
