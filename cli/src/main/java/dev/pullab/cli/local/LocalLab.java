package dev.pullab.cli.local;

import dev.pullab.core.log.PublishedLogs;
import dev.pullab.core.report.ArtifactManifest;
import dev.pullab.core.report.html.RunsIndex;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.analyzer.close.AnalyzerSettings;
import dev.pullab.analyzer.close.CloserAssembly;
import dev.pullab.analyzer.close.ClosingConsoles;
import dev.pullab.analyzer.close.ResultsQueueHandler;
import dev.pullab.analyzer.close.RunCloser;
import dev.pullab.analyzer.close.SweepHandler;
import dev.pullab.core.launch.WatchSettings;
import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.launch.ConsoleWatch;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.aws.DeadLetterReplay;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.LabResources;
import dev.pullab.cli.run.RunTrigger;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.kernelci.Node;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.orchestrator.JobsQueueHandler;
import dev.pullab.orchestrator.Orchestrator;
import dev.pullab.orchestrator.OrchestratorAssembly;
import dev.pullab.orchestrator.OrchestratorSettings;
import dev.pullab.orchestrator.TriggerHandler;
import dev.pullab.core.launch.LaunchSettings;
import dev.pullab.poller.PollHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The whole lab on one machine: AWS on the emulator (the resources of {@link LabResources}), KernelCI and KCIDB as
 * local doubles (or real endpoints), and the real handlers driven in-process with the events Lambda would pass: the
 * poller's schedule, the jobs queue, a BuildComplete event, the results queue, and the sweeper's schedule once per
 * round (with its watch over running VMs). A local VM executor boots every launched instance by running its client,
 * each with a serial console ({@link LocalConsoles}) that the closer keeps, scrubbed, and publishes under
 * {@code logs/} with the VM's other logs. The loop ends when every run is closed.
 */
public final class LocalLab implements AutoCloseable {

    /**
     * @param runtime  the runtime whose jobs to take
     * @param workDir  where reports, plots, KCIDB submissions and VM sandboxes go
     * @param keep     keep the VM sandboxes
     * @param timeout  give up after this long
     * @param api      a real KernelCI API (and its token) instead of the double with the fixture jobs
     * @param kcidb    a real KCIDB receiver instead of the local one
     * @param jobs     how many of the fixture jobs the double publishes (0 to 3)
     * @param allowJobCode run the code of jobs taken from a real API ({@code --allow-job-code}): a job's kselftest
     *                 tarball and rootfs (LTP) hold programs the VM client runs, here on this machine as the invoking
     *                 user; the fixture jobs of the double are the lab's own and need no consent
     */
    public record Options(String runtime, Path workDir, boolean keep, Duration timeout, Optional<KernelCiAccess> api,
            Optional<KcidbSettings> kcidb, int jobs, boolean allowJobCode) {

        /** The option of {@code pullab local-run} that gives the consent. */
        public static final String ALLOW_JOB_CODE_OPTION = "--allow-job-code";

        /** Without consent to run job code ({@code allowJobCode} false). */
        public Options(String runtime, Path workDir, boolean keep, Duration timeout, Optional<KernelCiAccess> api,
                Optional<KcidbSettings> kcidb, int jobs) {
            this(runtime, workDir, keep, timeout, api, kcidb, jobs, false);
        }

        /** The defaults: the doubles, all fixture jobs. */
        public static Options local(String runtime, Path workDir, boolean keep, Duration timeout) {
            return new Options(runtime, workDir, keep, timeout, Optional.empty(), Optional.empty(), 3);
        }

        /**
         * Why these options must not run, or empty when they may: jobs from a real KernelCI API bring their own code
         * (kselftest, LTP), which a local run executes on this machine, not in a VM; that needs
         * {@value #ALLOW_JOB_CODE_OPTION}. Checked before anything is started, so no job is claimed and left open.
         */
        public Optional<String> refusal() {
            if (api.isEmpty() || allowJobCode) {
                return Optional.empty();
            }
            return Optional.of("--api " + api.get().apiBaseUri() + " takes real KernelCI jobs, and a local run "
                    + "executes their own test code (the kselftest tarball's and the rootfs's LTP programs) on this "
                    + "machine as " + System.getProperty("user.name", "the current user") + ", not in a VM. Pass "
                    + ALLOW_JOB_CODE_OPTION + " to accept that, e.g. pullab local-run --api "
                    + api.get().apiBaseUri() + " " + ALLOW_JOB_CODE_OPTION + "; nothing was claimed.");
        }
    }

    /**
     * What a local run did.
     *
     * @param runs        the runs, closed or not
     * @param submissions KCIDB submissions written under the work directory
     * @param plots       plots downloaded under the work directory
     * @param reports     text reports downloaded under the work directory
     * @param jobNodes    the KernelCI job nodes and their final state/result
     * @param notFinished the jobs this lab should have run whose node is not {@code done}, each with what it is
     *                    instead (published or taken jobs still open, claims refused, a last poll that failed)
     * @param deadLetters messages left in the dead-letter queues
     * @param replayed    messages moved back from the dead-letter queues during the run (fault runs only)
     * @param elapsed     how long it took
     */
    public record Outcome(List<RunRecord> runs, List<Path> submissions, List<Path> plots, List<Path> reports,
            Map<String, String> jobNodes, Map<String, String> notFinished, int deadLetters, int replayed,
            Duration elapsed) {

        /** Every run closed, every job this lab should have run finished, and nothing dead-lettered. */
        public boolean succeeded() {
            return !runs.isEmpty() && runs.stream().allMatch(r -> r.state() == RunRecord.RunState.DONE)
                    && notFinished.isEmpty() && deadLetters == 0;
        }
    }

    private static final String TOKEN = "pullab-local-token";
    private static final String KCIDB_SECRET = "pullab-local-kcidb-secret";
    private static final String ORIGIN = "pullab_local";
    /** A served lab runs its functions about this often. */
    private static final Duration SERVE_ROUND = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A served lab looks at its trigger queue about this often. */
    private static final Duration TRIGGER_POLL = Duration.ofMillis(300);

    private final Options options;
    private final LabFaults faults;
    private final Consumer<String> progress;
    private final AwsEmulator aws = AwsEmulator.get();
    // the lab's own plumbing (Lambda's event sources, the VMs, the outcome): never faulted
    private final S3Client s3;
    private final SqsClient sqs;
    private final DynamoDbClient dynamo;
    private final Ec2Client ec2;
    // what the functions use: the fault plan's interceptors apply
    private final FunctionClients functionClients;
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final KcidbReceiverDouble kcidb;
    private LocalFixtures fixtures;
    /** The running lab, once {@link #open()} (or {@link #run()}) started it. */
    private Session session;
    /** A served lab's trigger function: takes the trigger queue's events ({@link #open()}). */
    private final ExecutorService triggerLoop = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "pullab-local-trigger");
        thread.setDaemon(true);
        return thread;
    });
    private boolean triggering;
    private volatile boolean closing;
    /** With {@code --api}: the client that reads the real API's job nodes back at the end (one HTTP client). */
    private final Optional<KernelCiClient> externalApi;
    /** EventBridge events whose invocations all failed: the rule target's dead-letter queue. */
    private final List<Map<String, Object>> deadEvents = new ArrayList<>();
    /** With a real API: the jobs the poller queued, in order (with the double: the published fixture jobs). */
    private final Set<String> takenJobs = new LinkedHashSet<>();
    /** With a real API: jobs the poller found and did not queue, with why (a refused claim, a skip). */
    private final Map<String, String> notTaken = new LinkedHashMap<>();
    /** Why the last poll failed, if it did. */
    private volatile Optional<String> lastPollFailure = Optional.empty();
    /** The two threads of deliveries handed over at once ({@link LabFaults#concurrently}). */
    private final ExecutorService concurrentDeliveries = Executors.newFixedThreadPool(2, task -> {
        Thread thread = new Thread(task, "pullab-local-delivery");
        thread.setDaemon(true);
        return thread;
    });

    public LocalLab(Options options, Consumer<String> progress) {
        this(options, LabFaults.NONE, progress);
    }

    /** A local run with faults injected (the fault harness). */
    public LocalLab(Options options, LabFaults faults, Consumer<String> progress) {
        this.options = options;
        this.faults = faults;
        this.progress = progress;
        this.s3 = aws.s3();
        this.sqs = aws.client(SqsClient.builder());
        this.dynamo = aws.client(DynamoDbClient.builder());
        this.ec2 = aws.client(Ec2Client.builder());
        this.functionClients = new FunctionClients(aws, faults.interceptors());
        this.kcidb = options.kcidb().isEmpty() ? KcidbReceiverDouble.start(KCIDB_SECRET, KcidbValidator::validate) : null;
        this.externalApi = options.api().map(access -> new KernelCiClient(access.apiBaseUri(), access.apiToken(),
                new RetryingHttp("KernelCI API", faults.retryPolicy())));
    }

    /** The AWS clients of the functions, each with the fault plan's interceptors. */
    private record FunctionClients(S3Client s3, SqsClient sqs, DynamoDbClient dynamo, Ec2Client ec2, SsmClient ssm,
            EcsClient ecs) {

        FunctionClients(AwsEmulator aws, List<ExecutionInterceptor> interceptors) {
            this(aws.client(S3Client.builder().forcePathStyle(true).overrideConfiguration(faulted(interceptors))),
                    aws.client(SqsClient.builder().overrideConfiguration(faulted(interceptors))),
                    aws.client(DynamoDbClient.builder().overrideConfiguration(faulted(interceptors))),
                    aws.client(Ec2Client.builder().overrideConfiguration(faulted(interceptors))),
                    aws.client(SsmClient.builder().overrideConfiguration(faulted(interceptors))),
                    aws.client(EcsClient.builder().overrideConfiguration(faulted(interceptors))));
        }

        private static ClientOverrideConfiguration faulted(List<ExecutionInterceptor> interceptors) {
            ClientOverrideConfiguration.Builder config = ClientOverrideConfiguration.builder();
            interceptors.forEach(config::addExecutionInterceptor);
            return config.build();
        }
    }

    /**
     * Runs the lab until every run is closed or the timeout.
     *
     * @throws IllegalStateException with {@link Options#refusal()}, before anything starts, when the options need a
     *                               consent not given
     */
    public Outcome run() throws IOException {
        if (session == null) {
            session = start();
        }
        Session session = this.session;
        Instant start = session.start();
        LabResources.Created lab = session.lab();
        String regressionConfig = uploadRegressionRun(session.storage());
        progress.accept("BuildComplete event: benchmark regression run of " + regressionConfig);
        TriggerHandler trigger = session.trigger();
        Map<String, Object> buildComplete = Map.of("id", "local-" + session.prefix(), "source",
                "custom.kernel-build", "detail-type", "BuildComplete", "time", Instant.now().toString(),
                "detail", Map.of("config_s3_uri", regressionConfig, "region", session.region()));
        for (int delivery = 0; delivery < faults.deliveries("trigger"); delivery++) {
            deliverEvent(trigger, buildComplete);
        }

        DynamoDbRunStore runs = session.runs();
        Instant deadline = start.plus(options.timeout());
        int replayed = 0;
        int failedPolls = 0;
        for (int round = 1; Instant.now().isBefore(deadline); round++) {
            Map<String, Object> polled = round(session, round);
            List<RunRecord> all = allRuns(runs);
            long open = all.stream().filter(r -> r.state() != RunRecord.RunState.DONE).count();
            long finishedJobs = fixtures.jobNodeIds().stream().filter(this::nodeDone).count();
            progress.accept("runs: " + all.size() + " started, " + (all.size() - open) + " closed; KernelCI jobs: "
                    + (options.api().isPresent() ? (polled == null ? "poll failed" : polled.get("jobs_found")
                            + " found this poll") : finishedJobs + "/" + fixtures.jobNodeIds().size() + " finished"));
            // a job that cannot run is finished without a run: done when every job node is and every run is closed
            boolean jobsDone = options.api().isPresent()
                    ? polled != null && ((List<?>) polled.get("jobs_queued")).isEmpty()
                    : finishedJobs == fixtures.jobNodeIds().size();
            if (jobsDone && open == 0 && all.stream().anyMatch(r -> r.jobNodeId().isEmpty())) {
                break;
            }
            failedPolls = polled == null ? failedPolls + 1 : 0;
            if (options.api().isPresent() && failedPolls >= 3 && open == 0) {
                progress.accept("the poller failed " + failedPolls + " times in a row: stopping");
                break;
            }
            if (faults != LabFaults.NONE) {
                replayed += replayIdleDeadLetters(lab);
                replayed += replayDeadEvents(trigger);
            }
        }
        if (faults != LabFaults.NONE) {
            // the operator's last step after an outage: what reached a dead-letter queue in the final rounds (a
            // result that came while its run's launches were not all recorded, failed until they were) is replayed
            // once the lab is idle; each must now be handled, or it is counted as left
            int late = replayIdleDeadLetters(lab);
            if (late > 0) {
                replayed += late;
                drain("jobs", lab.queueUrls().get("jobs"), "orchestrator",
                        batch -> session.jobs().handleRequest(batch, null));
                drain("results", lab.queueUrls().get("results"), "analyzer",
                        batch -> session.closer().handleRequest(batch, null));
            }
        }
        return outcome(lab, allRuns(runs), replayed, Duration.between(start, Instant.now()));
    }

    /**
     * The lab running: its resources on the emulator, the doubles, and the functions wired to them as the stack wires
     * them (plus the trigger queue a served lab reads BuildComplete events from).
     */
    /**
     * @param peers the KernelCI and KCIDB settings of this lab (the doubles' or the real services'), under the
     *              functions' variables, for the lab file
     */
    private record Session(Instant start, String prefix, String region, LabResources.Created lab, String storage,
            String triggerQueueUrl, PollHandler poller, JobsQueueHandler jobs, LocalVmExecutor vms,
            SweepHandler sweeper, ResultsQueueHandler closer, TriggerHandler trigger, DynamoDbRunStore runs,
            Map<String, String> peers) {
    }

    /**
     * Starts the lab (once): creates its resources, starts the doubles and wires the functions, and writes the lab
     * file {@code <work-dir>/lab.env} that the operator commands take ({@code --lab}), naming its trigger queue.
     *
     * @return the lab file
     */
    public Path open() throws IOException {
        if (session == null) {
            session = start();
        }
        writeLabFile(session);
        if (!triggering) {
            triggering = true;
            Session served = session;
            triggerLoop.submit(() -> takeTriggerEvents(served));
        }
        return labFile();
    }

    private Session start() throws IOException {
        Optional<String> refusal = options.refusal();
        if (refusal.isPresent()) {
            throw new IllegalStateException(refusal.get());
        }
        Instant start = Instant.now();
        Files.createDirectories(options.workDir());
        // which AWS emulator: AwsEmulator.get() said it on stderr
        String prefix = "pullab-local-" + UUID.randomUUID().toString().substring(0, 8);
        LabResources.Created lab = LabResources.create(prefix, dynamo, sqs, s3);
        String triggerQueue = sqs.createQueue(b -> b.queueName(prefix + "-trigger")).queueUrl();
        progress.accept("created " + lab.tables().size() + " tables, " + (2 * lab.queueUrls().size() + 1)
                + " queues and " + lab.buckets().size() + " buckets (" + prefix + "-*)");
        fixtures = LocalFixtures.start(options.workDir().resolve("fixtures"));
        KernelCiAccess kernelci = options.api().orElse(new KernelCiAccess(api.baseUri(), Optional.of(TOKEN)));
        if (options.api().isEmpty()) {
            fixtures.publish(api, options.runtime(), options.jobs());
            progress.accept("KernelCI API double at " + api.baseUri() + ": " + fixtures.jobNodeIds().size()
                    + " pull-lab jobs available for " + options.runtime());
        } else {
            progress.accept("KernelCI API: " + kernelci.apiBaseUri() + " (jobs of " + options.runtime() + ")");
        }
        KcidbSettings kcidbSettings = options.kcidb().orElseGet(() -> new KcidbSettings(kcidb.submitUrl(),
                KcidbReceiverDouble.jwt(KCIDB_SECRET, ORIGIN), ORIGIN));
        progress.accept("KCIDB: " + kcidbSettings.submitUrl() + (kcidb == null ? "" : " (local receiver)"));
        String results = lab.buckets().get("results");
        String storage = lab.buckets().get("storage");
        Path labConfig = options.workDir().resolve("lab-config.json");
        Files.writeString(labConfig, labConfigJson());

        String region = aws.region().id();
        FunctionClients fc = functionClients;
        PollHandler poller = new PollHandler(new PollerSettings(kernelci.apiBaseUri(), kernelci.apiToken(),
                options.runtime(),
                Set.of(), 30, 100, Optional.of(lab.tables().get("cursor")), Optional.of(lab.tables().get("jobs")),
                Optional.of(lab.queueUrls().get("jobs"))), fc.dynamo(), fc.sqs(), faults.retryPolicy());
        Orchestrator orchestrator = OrchestratorAssembly.create(new OrchestratorSettings(results,
                Optional.of(storage), lab.tables().get("runs"), lab.tables().get("launches"),
                Optional.of(labConfig.toString()), new LaunchSettings(region, results, Optional.empty(), List.of(),
                List.of(), 900, Optional.empty(), Optional.empty()), Optional.of(kernelci)),
                new OrchestratorAssembly.Clients(fc.s3(), fc.dynamo(), fc.ec2(), fc.ssm(), fc.ecs()),
                faults.retryPolicy(), faults.clock());
        JobsQueueHandler jobs = new JobsQueueHandler(orchestrator);
        // the VMs' serial consoles: kept scrubbed at close (and by the sweeper), published under logs/ with the rest
        LocalConsoles consoles = new LocalConsoles(options.workDir().resolve("vms"));
        S3ObjectStore functionStore = new S3ObjectStore(fc.s3());
        LogScrubber scrubber = LogScrubber.forLab(kernelci.apiToken().orElse(null), kcidbSettings.jwt());
        ConsoleCapture capture = new ConsoleCapture(consoles, scrubber, functionStore, results);
        RunCloser runCloser = CloserAssembly.create(new AnalyzerSettings(region,
                lab.tables().get("runs"), Optional.of(results), Optional.of(kcidbSettings), Optional.of(kernelci),
                AnalysisOptions.defaults()), fc.s3(), fc.dynamo(), faults.retryPolicy(), faults.clock(),
                new ClosingConsoles(functionStore, capture, WatchSettings.DEFAULT_MAX_VMS));
        ResultsQueueHandler closer = new ResultsQueueHandler(runCloser);
        SweepHandler sweeper = sweeper(lab, fc, runCloser, consoles, scrubber, capture);
        LocalVmExecutor vms = new LocalVmExecutor(ec2, s3, aws.endpoint(), region, aws.environment(),
                options.workDir().resolve("vms"), progress, consoles, faults::panicsAtBoot,
                LocalVmExecutor.defaultParallelism());
        TriggerHandler trigger = new TriggerHandler(orchestrator, new S3ObjectStore(fc.s3()));
        Session started = new Session(start, prefix, region, lab, storage, triggerQueue, poller, jobs, vms, sweeper,
                closer, trigger, new DynamoDbRunStore(dynamo, lab.tables().get("runs")), peers(kernelci, kcidbSettings));
        return started;
    }

    /** The KernelCI and KCIDB settings a lab file carries, so the operator commands reach the same services. */
    private Map<String, String> peers(KernelCiAccess kernelci, KcidbSettings kcidbSettings) {
        Map<String, String> peers = new LinkedHashMap<>();
        peers.put("KERNELCI_API_BASE_URI", kernelci.apiBaseUri().toString());
        kernelci.apiToken().ifPresent(token -> peers.put("KERNELCI_API_TOKEN", token));
        peers.put("KERNELCI_RUNTIME_NAME", options.runtime());
        peers.put("KCIDB_SUBMIT_URL", kcidbSettings.submitUrl().toString());
        peers.put("KCIDB_JWT", kcidbSettings.jwt());
        peers.put("KCIDB_ORIGIN", kcidbSettings.origin());
        return peers;
    }

    /** Where the lab file is: {@code <work-dir>/lab.env}. */
    public Path labFile() {
        return options.workDir().resolve("lab.env");
    }

    /**
     * {@code KEY=VALUE} lines: the region and the emulator, the emulator's dummy credentials, and every resource under
     * the variable the functions (and {@link dev.pullab.core.config.LabNames}) use; the trigger is the queue this lab
     * reads ({@code PULLAB_TRIGGER_QUEUE_URL}): an emulator has no Lambda.
     */
    private void writeLabFile(Session session) throws IOException {
        LabResources.Created lab = session.lab();
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("AWS_REGION", session.region());
        lines.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
        lines.put("AWS_ACCESS_KEY_ID", aws.environment().get("AWS_ACCESS_KEY_ID"));
        lines.put("AWS_SECRET_ACCESS_KEY", aws.environment().get("AWS_SECRET_ACCESS_KEY"));
        lines.put(LabNames.RUNS_TABLE.variable(), lab.tables().get("runs"));
        lines.put(LabNames.JOBS_TABLE.variable(), lab.tables().get("jobs"));
        lines.put(LabNames.CURSOR_TABLE.variable(), lab.tables().get("cursor"));
        lines.put(LabNames.LAUNCHES_TABLE.variable(), lab.tables().get("launches"));
        lines.put(LabNames.RESULTS_BUCKET.variable(), lab.buckets().get("results"));
        lines.put(LabNames.STORAGE_BUCKET.variable(), lab.buckets().get("storage"));
        lines.put(LabNames.JOBS_QUEUE.variable(), lab.queueUrls().get("jobs"));
        lines.put(LabNames.RESULTS_QUEUE.variable(), lab.queueUrls().get("results"));
        lines.put(LabNames.JOBS_DLQ.variable(), lab.dlqUrls().get("jobs"));
        lines.put(LabNames.RESULTS_DLQ.variable(), lab.dlqUrls().get("results"));
        lines.put(LabNames.TRIGGER_QUEUE.variable(), session.triggerQueueUrl());
        lines.putAll(session.peers());
        StringBuilder text = new StringBuilder("# pullab local lab (pullab local-run --serve), valid while it runs: "
                + "pullab <command> --lab " + labFile() + "\n# the credentials are the emulator's dummy ones; the "
                + "KernelCI and KCIDB tokens are this lab's (readable by you only)\n");
        lines.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        // written beside it, readable by the owner only, then moved over it: a reader never sees it absent or half
        // written (the lab file is rewritten each time the lab is opened)
        Path file = labFile();
        Path next;
        try {
            next = Files.createTempFile(file.getParent(), "lab.env.", ".tmp",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            next = Files.createTempFile(file.getParent(), "lab.env.", ".tmp");
        }
        Files.writeString(next, text.toString(), StandardCharsets.UTF_8);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * One round of the lab, as the stack's triggers would run the functions: the poller's schedule, the jobs queue, the
     * VMs launched, the sweeper's schedule, the results queue, and the BuildComplete events on the trigger queue.
     *
     * @return the poller's answer, or null when the poll failed
     */
    private Map<String, Object> round(Session session, int round) {
        faults.round(round, api, kcidb);
        Map<String, Object> polled = null;
        for (Optional<Map<String, Object>> answer : handOver("poller", "poller",
                () -> session.poller().handleRequest(Map.of(), null))) {
            polled = answer.orElse(polled);
        }
        notePoll(polled);
        drain("jobs", session.lab().queueUrls().get("jobs"), "orchestrator",
                batch -> session.jobs().handleRequest(batch, null));
        session.vms().bootPending();
        invoke("sweeper", () -> session.sweeper().handleRequest(Map.of(), null)).ifPresent(this::noteSweep);
        drain("results", session.lab().queueUrls().get("results"), "analyzer",
                batch -> session.closer().handleRequest(batch, null));
        return polled;
    }

    /**
     * Keeps the lab running (rounds about every second) until {@code stopped} says so, for runs started from another
     * terminal ({@code pullab run --lab <lab file>}); starts it first if {@link #open()} was not called.
     */
    public void serve(BooleanSupplier stopped) throws IOException, InterruptedException {
        open();
        String last = "";
        for (int round = 1; !stopped.getAsBoolean(); round++) {
            round(session, round);
            List<RunRecord> all = allRuns(session.runs());
            long open = all.stream().filter(r -> r.state() != RunRecord.RunState.DONE).count();
            String status = "runs: " + all.size() + " started, " + (all.size() - open) + " closed";
            if (!status.equals(last)) {
                progress.accept(status);
                last = status;
            }
            Thread.sleep(SERVE_ROUND.toMillis());
        }
    }

    /**
     * The trigger function of a served lab, on a thread of its own as Lambda runs it beside the other functions (a
     * round booting VMs takes a while): until the lab closes, takes the events of the trigger queue.
     */
    private void takeTriggerEvents(Session session) {
        String lastFailure = "";
        while (!closing) {
            try {
                takeTriggerEventsOnce(session);
                lastFailure = "";
                Thread.sleep(TRIGGER_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                String failure = String.valueOf(e.getMessage());
                if (!closing && !failure.equals(lastFailure)) {
                    progress.accept("trigger queue: " + failure + " (retrying every second)");
                }
                lastFailure = failure;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * BuildComplete events sent to the trigger queue ({@code pullab run --lab}): each handed to the trigger handler,
     * as the trigger function gets them, its answer (the run started, or why none was) written to the storage bucket
     * under {@link RunTrigger#answerKey}, where the sender waits for it.
     */
    private void takeTriggerEventsOnce(Session session) {
        List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(session.triggerQueueUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(0)).messages();
        for (Message message : batch) {
            sqs.deleteMessage(b -> b.queueUrl(session.triggerQueueUrl()).receiptHandle(message.receiptHandle()));
            Map<String, Object> event;
            try {
                event = JSON.readValue(message.body(), new TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                progress.accept("trigger queue: dropped a message that is not a JSON event");
                continue;
            }
            if (!(event.get("id") instanceof String id) || !RunTrigger.EVENT_ID.matcher(id).matches()) {
                progress.accept("trigger queue: dropped an event without a valid id");
                continue;
            }
            Map<String, Object> answer;
            try {
                answer = session.trigger().handleRequest(event, null);
                progress.accept("trigger: BuildComplete event " + id + " started " + answer.get("run_prefix"));
            } catch (RuntimeException e) {
                answer = Map.of("error", String.valueOf(e.getMessage()));
                progress.accept("trigger: BuildComplete event " + id + " failed: " + e.getMessage());
            }
            try {
                byte[] body = JSON.writeValueAsBytes(answer);
                s3.putObject(b -> b.bucket(session.storage()).key(RunTrigger.answerKey(id)),
                        RequestBody.fromBytes(body));
            } catch (IOException e) {
                progress.accept("trigger: cannot write the answer to event " + id + ": " + e.getMessage());
            }
        }
    }

    /**
     * The sweeper as the stack schedules it, run once per round: terminates the VMs of overdue runs (keeping their
     * consoles) and closes those runs, and watches the VMs of open runs ({@link ConsoleWatch}, {@link WatchSettings}
     * defaults: a kernel panic, oops or BUG on a console fails and terminates the VM). On the system clock, not the
     * fault plan's: the sweeper's schedule is wall-clock time, and a plan's clock that jumps past leases must not make
     * runs overdue (a local run's VMs finish within the round that boots them).
     */
    private static SweepHandler sweeper(LabResources.Created lab, FunctionClients fc, RunCloser closer,
            LocalConsoles consoles, LogScrubber scrubber, ConsoleCapture capture) {
        String results = lab.buckets().get("results");
        DynamoDbRunStore runs = new DynamoDbRunStore(fc.dynamo(), lab.tables().get("runs"));
        WatchSettings watch = WatchSettings.defaults();
        return new SweepHandler(runs, closer, new Ec2InstanceReaper(fc.ec2(), capture), results, Clock.systemUTC(),
                new ConsoleWatch(runs, new Ec2InstanceReaper(fc.ec2()), consoles, scrubber,
                        new S3ObjectStore(fc.s3()), results, watch.rule(), watch.maxVms()));
    }

    /** Says what a sweep did when it did something: a VM failed by the watch, an overdue run closed. */
    private void noteSweep(Map<String, Object> swept) {
        Object failed = swept.get("failed_vms");
        if (failed instanceof List<?> list && !list.isEmpty()) {
            progress.accept("sweeper: failed and terminated " + list);
        }
        Object closed = swept.get("closed");
        if (closed instanceof List<?> list && !list.isEmpty()) {
            progress.accept("sweeper: closed overdue " + list);
        }
        Object error = swept.get("watch_error");
        if (error != null) {
            progress.accept("sweeper: the watch failed: " + error);
        }
    }

    /**
     * An EventBridge event to the trigger function: invoked asynchronously, a failed invocation is retried twice
     * (the stack's {@code retryAttempts}), then the event goes to the rule target's dead-letter queue.
     */
    private void deliverEvent(TriggerHandler trigger, Map<String, Object> event) {
        for (int attempt = 1; attempt <= 3; attempt++) {
            if (invoke("trigger", () -> trigger.handleRequest(event, null)).isPresent()) {
                return;
            }
        }
        progress.accept("trigger: event " + event.get("id") + " failed 3 times; kept in the trigger dead-letter queue");
        deadEvents.add(event);
    }

    /** What an operator does with the trigger dead-letter queue after an outage: invokes the function again. */
    private int replayDeadEvents(TriggerHandler trigger) {
        List<Map<String, Object>> events = new ArrayList<>(deadEvents);
        deadEvents.clear();
        events.forEach(event -> deliverEvent(trigger, event));
        return events.size();
    }

    /**
     * One invocation of a function, as Lambda runs it: an injected crash kills it (nothing after the crash point
     * happens) and is reported to the fault plan, and an invocation that throws fails as a whole. Either way the
     * caller retries as the function's trigger would (SQS redelivers the batch, the schedule fires again).
     */
    private <T> Optional<T> invoke(String function, Supplier<T> call) {
        faults.invoking(function);
        try {
            return Optional.of(call.get());
        } catch (InjectedCrash crash) {
            faults.crashed(function, crash);
            progress.accept(function + ": " + crash.getMessage() + " (the invocation died; retried as AWS would)");
        } catch (RuntimeException e) {
            progress.accept(function + ": the invocation failed (" + e + "); retried as AWS would");
            if (function.equals("poller")) {
                lastPollFailure = Optional.of(e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Hands one batch (or schedule firing) to {@code function} {@link LabFaults#deliveries} times, as SQS and the
     * scheduler deliver at least once; when {@link LabFaults#concurrently} says so, the first two deliveries run at
     * the same moment on two threads. The answers of the invocations that returned, in delivery order.
     */
    private <T> List<Optional<T>> handOver(String queue, String function, Supplier<T> call) {
        int deliveries = faults.deliveries(queue);
        List<Optional<T>> answers = new ArrayList<>();
        int next = 0;
        if (deliveries >= 2 && faults.concurrently(queue)) {
            answers.addAll(atOnce(function, call));
            next = 2;
        }
        for (int delivery = next; delivery < deliveries; delivery++) {
            answers.add(invoke(function, call));
        }
        return answers;
    }

    /** Two invocations of {@code function} released together (a barrier), each on a thread of its own. */
    private <T> List<Optional<T>> atOnce(String function, Supplier<T> call) {
        CyclicBarrier start = new CyclicBarrier(2);
        List<CompletableFuture<Optional<T>>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted before a concurrent delivery to " + function, e);
                } catch (BrokenBarrierException e) {
                    throw new IllegalStateException("a concurrent delivery to " + function + " did not start", e);
                }
                return invoke(function, call);
            }, concurrentDeliveries));
        }
        return running.stream().map(CompletableFuture::join).toList();
    }

    /** With a real API, what the poll took and what it found but left (a skip), from the handler's answer. */
    private void notePoll(Map<String, Object> polled) {
        if (polled == null || options.api().isEmpty()) {
            return;
        }
        lastPollFailure = Optional.empty();
        ((List<?>) polled.get("jobs_queued")).forEach(id -> {
            takenJobs.add(id.toString());
            notTaken.remove(id.toString());
        });
        ((Map<?, ?>) polled.get("skipped")).forEach((id, reason) -> {
            if (!takenJobs.contains(id.toString())) {
                notTaken.put(id.toString(), "not taken: " + reason);
            }
        });
    }

    /**
     * What an operator does after an outage ({@code pullab replay-dlq}): when a queue is idle and its dead-letter
     * queue holds messages, moves them back.
     */
    private int replayIdleDeadLetters(LabResources.Created lab) {
        int moved = 0;
        for (Map.Entry<String, String> entry : lab.dlqUrls().entrySet()) {
            String queueUrl = lab.queueUrls().get(entry.getKey());
            if (visibleMessages(queueUrl) == 0 && visibleMessages(entry.getValue()) > 0) {
                int n = DeadLetterReplay.replay(sqs, entry.getValue(), queueUrl, 1000, count -> { });
                progress.accept("replayed " + n + " message(s) from the " + entry.getKey() + " dead-letter queue");
                moved += n;
            }
        }
        return moved;
    }

    private int visibleMessages(String queueUrl) {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private boolean nodeDone(String id) {
        return api.node(id).map(n -> "done".equals(n.path("state").asText())).orElse(false);
    }

    private String uploadRegressionRun(String storage) {
        // the base and the tip kernel of the seed's walkthrough: unixbench-kernel-regression installs each in turn
        for (String kernel : List.of("6.1.141-165.249", "6.1.150-174.273")) {
            String key = "kernel-rpms/binary/x86_64/kernel-" + kernel + ".amzn2023.x86_64.rpm";
            s3.putObject(b -> b.bucket(storage).key(key), RequestBody.fromString("simulated kernel RPM (local run)"));
        }
        String config = """
                {"test_config": {"test_id": "regression", "vms": [
                   {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                    "instance_type": "m5.large", "max_runtime": 3600, "test": ["unixbench-kernel-regression"],
                    "min_count": 3}]}}
                """;
        s3.putObject(b -> b.bucket(storage).key("configs/regression.json"), RequestBody.fromString(config));
        return "s3://" + storage + "/configs/regression.json";
    }

    /**
     * Receives every message of a queue and hands them to the function as Lambda would, {@link LabFaults#deliveries}
     * times (SQS delivers at least once); deletes a message when a delivery succeeded for it. An invocation that
     * crashed returns its whole batch to the queue.
     */
    private void drain(String queue, String queueUrl, String function, Function<SQSEvent, SQSBatchResponse> handler) {
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                return;
            }
            SQSEvent event = new SQSEvent();
            List<SQSEvent.SQSMessage> records = new ArrayList<>();
            for (Message m : batch) {
                SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
                record.setMessageId(m.messageId());
                record.setBody(m.body());
                records.add(record);
            }
            event.setRecords(records);
            Set<String> succeeded = new HashSet<>();
            for (Optional<SQSBatchResponse> answer : handOver(queue, function, () -> handler.apply(event))) {
                answer.ifPresent(response -> {
                    Set<String> itemFailures = new HashSet<>();
                    response.getBatchItemFailures().forEach(f -> itemFailures.add(f.getItemIdentifier()));
                    batch.stream().map(Message::messageId).filter(id -> !itemFailures.contains(id))
                            .forEach(succeeded::add);
                });
            }
            Set<String> failed = new HashSet<>();
            batch.stream().map(Message::messageId).filter(id -> !succeeded.contains(id)).forEach(failed::add);
            for (Message m : batch) {
                if (failed.contains(m.messageId())) {
                    progress.accept("message " + m.messageId() + " failed; SQS will redeliver it");
                    sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())
                            .visibilityTimeout(0));
                } else {
                    sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                }
            }
            if (!failed.isEmpty()) {
                faults.redelivering(queue);
                return;
            }
        }
    }

    /**
     * A run's HTML report with its log links made local: the closer links each published log at its S3 URL (a local
     * lab has no {@code PULLAB_LOGS_URL}), and this directory holds the published copies under {@code logs/}, next to
     * {@code report.html}; so the links open the copies, offline.
     */
    private byte[] localLogLinks(byte[] html, String results, String runPrefix) {
        String published = RunCloser.objectUrl(results, aws.region().id(), PublishedLogs.key(runPrefix + "/"))
                .toString();
        return new String(html, StandardCharsets.UTF_8).replace("href=\"" + published, "href=\"logs/")
                .getBytes(StandardCharsets.UTF_8);
    }

    private List<RunRecord> allRuns(DynamoDbRunStore runs) {
        return dynamo.scan(b -> b.tableName(runs.tableName())).items().stream()
                .map(item -> item.get("run_id").s()).map(id -> runs.find(id).orElseThrow()).toList();
    }

    private Outcome outcome(LabResources.Created lab, List<RunRecord> runs, int replayed, Duration elapsed)
            throws IOException {
        String results = lab.buckets().get("results");
        List<Path> plots = new ArrayList<>();
        List<Path> reports = new ArrayList<>();
        for (RunRecord run : runs) {
            Path dir = options.workDir().resolve(run.runPrefix());
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(results)
                    .prefix(run.runPrefix() + "/analysis/")).contents()) {
                Path file = dir.resolve(object.key().substring(run.runPrefix().length() + "/analysis/".length()));
                Files.createDirectories(file.getParent());
                byte[] content = s3.getObjectAsBytes(b -> b.bucket(results).key(object.key())).asByteArray();
                Files.write(file, file.getFileName().toString().endsWith(".html")
                        ? localLogLinks(content, results, run.runPrefix()) : content);
                (file.toString().endsWith(".png") ? plots : reports).add(file);
            }
            // the run's manifest and its published (scrubbed) logs, as a dashboard user would get them
            String manifest = ArtifactManifest.key(run.runPrefix());
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(results).prefix(manifest)).contents()) {
                if (object.key().equals(manifest)) {
                    reports.add(download(results, manifest, dir.resolve(ArtifactManifest.FILE_NAME)));
                }
            }
            String published = PublishedLogs.key(run.runPrefix() + "/");
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(results).prefix(published)).contents()) {
                Path logs = dir.resolve("logs");
                Path file = logs.resolve(object.key().substring(published.length())).normalize();
                if (file.startsWith(logs)) { // a key with ".." stays in the bucket, not outside the work directory
                    download(results, object.key(), file);
                }
            }
        }
        if (s3.listObjectsV2(b -> b.bucket(results).prefix(RunsIndex.FILE_NAME)).contents().stream()
                .anyMatch(o -> o.key().equals(RunsIndex.FILE_NAME))) {
            // the lab's run index; its links (<run>/analysis/report.html) are rewritten to this directory's layout
            byte[] index = s3.getObjectAsBytes(b -> b.bucket(results).key(RunsIndex.FILE_NAME)).asByteArray();
            Path file = options.workDir().resolve(RunsIndex.FILE_NAME);
            Files.writeString(file, new String(index, StandardCharsets.UTF_8)
                    .replace("/" + RunsIndex.REPORT + "\"", "/report.html\""), StandardCharsets.UTF_8);
            reports.add(file);
        }
        List<Path> submissions = new ArrayList<>();
        Path kcidbDir = Files.createDirectories(options.workDir().resolve("kcidb"));
        for (KcidbReceiverDouble.Submission submission : kcidb == null ? List.<KcidbReceiverDouble.Submission>of()
                : kcidb.submissions()) {
            Path file = kcidbDir.resolve("submission-" + submission.id() + ".json");
            Files.writeString(file, submission.body().toPrettyString(), StandardCharsets.UTF_8);
            submissions.add(file);
        }
        Map<String, List<String>> failedCases = FailedCases.byJob(kcidb == null ? List.of()
                : kcidb.submissions().stream().map(KcidbReceiverDouble.Submission::body).toList());
        Map<String, String> nodes = new LinkedHashMap<>();
        Map<String, String> notFinished = new LinkedHashMap<>(notTaken);
        List<String> expected = options.api().isPresent() ? List.copyOf(takenJobs) : fixtures.jobNodeIds();
        for (String id : expected) {
            Optional<JsonNode> node = jobNode(id);
            node.ifPresent(n -> nodes.put(id, n.path("name").asText() + ": " + n.path("state").asText()
                    + ", " + n.path("result").asText() + (n.at("/data/error_code").isMissingNode() ? ""
                    : " (" + n.at("/data/error_code").asText() + ": " + n.at("/data/error_msg").asText() + ")")
                    + FailedCases.summary(failedCases.getOrDefault(id, List.of()))));
            if (node.map(n -> !"done".equals(n.path("state").asText())).orElse(true)) {
                notFinished.put(id, node.map(n -> "still " + n.path("state").asText()).orElse("gone from the API"));
            }
        }
        lastPollFailure.ifPresent(why -> notFinished.put("(poll)", "the last poll failed: " + why));
        int deadLetters = deadEvents.size();
        for (String dlq : lab.dlqUrls().values()) {
            deadLetters += visibleMessages(dlq);
        }
        return new Outcome(runs, submissions, plots, reports, nodes, notFinished, deadLetters, replayed, elapsed);
    }

    /** Copies an object of the results bucket to {@code file}. */
    private Path download(String bucket, String key, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        return file;
    }

    /** A job node as the KernelCI API in use (the double, or the real one) has it now. */
    private Optional<JsonNode> jobNode(String id) {
        if (externalApi.isPresent()) {
            return externalApi.get().node(id).map(Node::json);
        }
        return api.node(id).map(JsonNode.class::cast);
    }

    /** The KernelCI double (for tests). */
    public KernelCiApiDouble api() {
        return api;
    }

    /** The KCIDB double (for tests). */
    public KcidbReceiverDouble kcidb() {
        return kcidb;
    }

    /** The base URI of the KernelCI double. */
    public URI apiUri() {
        return api.baseUri();
    }

    /** The lab config of local runs; with a real API, KernelCI's storage hosts are allowed as well. */
    private String labConfigJson() throws IOException {
        ObjectNode config = (ObjectNode)
                new ObjectMapper().readTree(fixtures.labConfigJson());
        if (options.api().isPresent()) {
            ArrayNode hosts = config.withObject("/job_definitions")
                    .withArray("allowed_hosts");
            LabConfig.JobDefinitionPolicy.DEFAULT_ALLOWED_HOSTS.forEach(hosts::add);
        }
        return config.toString();
    }

    @Override
    public void close() {
        closing = true;
        triggerLoop.shutdownNow();
        concurrentDeliveries.shutdownNow();
        api.close();
        if (kcidb != null) {
            kcidb.close();
        }
        if (fixtures != null) {
            fixtures.close();
        }
        if (!options.keep()) {
            deleteTree(options.workDir().resolve("vms"));
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
