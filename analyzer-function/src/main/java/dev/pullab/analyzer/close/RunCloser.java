package dev.pullab.analyzer.close;

import dev.pullab.analyzer.RunReportPublisher;
import dev.pullab.core.store.S3Location;
import dev.pullab.core.kcidb.KcidbClient;
import dev.pullab.core.kcidb.KcidbRevisionBuilder;
import dev.pullab.core.kernelci.FinishOutcome;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.kernelci.Node;
import dev.pullab.core.run.RunProgress;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.core.run.Uploader;
import dev.pullab.core.report.ArtifactManifest;
import dev.pullab.core.report.MissingVm;
import dev.pullab.core.report.RunArtifacts;
import dev.pullab.core.report.RunReport;
import dev.pullab.core.report.RunReporting;
import dev.pullab.core.report.VmOutputs;
import dev.pullab.core.report.html.RunPage;
import dev.pullab.core.report.html.RunsIndex;
import dev.pullab.core.benchmark.BenchmarkFile;
import dev.pullab.core.benchmark.RunFile;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes runs exactly once: counts the VMs that finished (a duplicate or late notification changes nothing), and when
 * all expected VMs have reported (or the sweeper finds the run past its deadline) one invocation wins the analysis and
 * <ol>
 *   <li>reads every VM's outputs, publishes the logs of the VMs it counts scrubbed under {@code logs/} and writes
 *       the run's {@code artifacts.json} (see {@link dev.pullab.core.report.RunArtifacts}: a log that cannot be
 *       published is listed missing and never stops the close), then writes the plots, the text report,
 *       {@code analysis/report.html} and {@code analysis/report.json} (idempotent overwrites); every link reported
 *       below comes from the manifest;</li>
 *   <li>submits one KCIDB revision, then records its submission id;</li>
 *   <li>finishes the KernelCI job node, then records how that ended;</li>
 *   <li>marks the run DONE, then rewrites the lab's {@code index.html} (best effort).</li>
 * </ol>
 * An effect already recorded is never repeated: an attempt that failed after step 2 retries (SQS redelivery, after
 * the analysis lease) straight into step 3. A notification arriving while another invocation holds the lease fails
 * with {@link RunBusyException} instead of being acknowledged, so that it can take over if that invocation died. A failing call throws, so the message is redelivered and in the end
 * lands in the dead-letter queue.
 */
public final class RunCloser {

    private static final Logger LOG = LoggerFactory.getLogger(RunCloser.class);
    /** How long one invocation owns a run's analysis; a retry after it takes over. */
    public static final Duration LEASE = Duration.ofMinutes(5);

    private final RunStore runs;
    private final RunOutputsReader outputs;
    private final RunReportPublisher publisher;
    private final RunReporting reporting;
    private final Optional<KcidbClient> kcidb;
    private final Optional<KcidbRevisionBuilder> revisions;
    private final Optional<KernelCiClient> kernelci;
    private final Clock clock;
    private final Artifacts artifacts;
    private final BeforeClose beforeClose;

    /**
     * What is done at the start of a close, once the analysis is won, before the outputs are read (e.g. keeping each
     * VM's console, {@link ClosingConsoles}). Best effort: must not throw; a close never waits on it failing.
     */
    @FunctionalInterface
    public interface BeforeClose {

        /**
         * @param vmTests the run's VMs found by tag (the sweeper's close), with their tests; empty otherwise
         */
        void beforeClose(String bucket, RunRecord run, Map<String, String> vmTests);

        /** Nothing. */
        BeforeClose NOTHING = (bucket, run, vmTests) -> { };
    }

    /**
     * Publishes a closing run's logs and writes its manifest ({@link dev.pullab.core.report.RunArtifacts#publish}
     * with the lab's KCIDB origin): the one source of the links the close reports.
     */
    @FunctionalInterface
    public interface Artifacts {
        ArtifactManifest publish(String bucket, String runPrefix, List<RunArtifacts.VmObjects> vms);
    }

    /**
     * @param artifacts publishes the logs of the VMs a close counts and writes the run's {@code artifacts.json}
     */
    public RunCloser(RunStore runs, RunOutputsReader outputs, RunReportPublisher publisher, RunReporting reporting,
            Optional<KcidbClient> kcidb, Optional<KcidbRevisionBuilder> revisions, Optional<KernelCiClient> kernelci,
            Clock clock, BeforeClose beforeClose, Artifacts artifacts) {
        this.beforeClose = beforeClose;
        this.artifacts = artifacts;
        this.runs = runs;
        this.outputs = outputs;
        this.publisher = publisher;
        this.reporting = reporting;
        this.kcidb = kcidb;
        this.revisions = revisions;
        this.kernelci = kernelci;
        this.clock = clock;
    }

    /**
     * A VM's {@code result.txt} arrived. It counts only when written by a VM the run launched, for its own test
     * ({@link RunRecord#admit}), and not by another VM under its name ({@link Uploader#impersonates}); anything else
     * is logged and ignored. While the run is still launching, an unknown VM may be one whose launch is not recorded
     * yet: the notification fails ({@link RunBusyException}) and comes back after the queue's visibility timeout.
     */
    public String vmFinished(VmFinished vm) {
        Optional<RunRecord> known = runs.find(vm.runPrefix());
        if (known.isEmpty()) {
            return "ignored " + vm.vm() + ": " + vm.runPrefix() + " is not a run of this lab";
        }
        if (vm.uploader().map(u -> u.impersonates(vm.instanceId())).orElse(false)) {
            LOG.warn("run {}: ignored the result of {}: it was written by {}, another VM", vm.runPrefix(), vm.vm(),
                    vm.uploader().flatMap(Uploader::vm).orElseThrow());
            return "ignored " + vm.vm() + ": written by another VM";
        }
        switch (known.get().admit(vm.test(), vm.instanceId())) {
            case FOREIGN -> {
                LOG.warn("run {}: ignored the result of {}: the run did not launch that VM for that test",
                        vm.runPrefix(), vm.vm());
                return "ignored " + vm.vm() + ": not a VM of " + vm.runPrefix();
            }
            case NOT_YET_RECORDED -> throw new RunBusyException(vm.runPrefix(),
                    "its launches are not all recorded yet, so " + vm.vm() + " cannot be checked");
            case COUNTED -> { }
        }
        OptionalInt reported = runs.markReported(vm.runPrefix(), vm.vm());
        if (reported.isEmpty()) {
            return "ignored " + vm.vm() + ": " + vm.runPrefix() + " is not a run of this lab";
        }
        RunRecord run = runs.find(vm.runPrefix()).orElseThrow();
        if (reported.getAsInt() < run.expectedVms()) {
            return vm.runPrefix() + ": " + reported.getAsInt() + "/" + run.expectedVms() + " VMs reported";
        }
        return close(vm.bucket(), run, Map.of());
    }

    /**
     * The sweeper's close of a run past its deadline: missing VMs count as MISS.
     *
     * @param vmTests the run's VMs and the test each ran (from their tags), for naming the missing ones
     */
    public String closeOverdue(String bucket, RunRecord run, Map<String, String> vmTests) {
        return close(bucket, run, vmTests, true);
    }

    private String close(String bucket, RunRecord run, Map<String, String> vmTests) {
        return close(bucket, run, vmTests, false);
    }

    private String close(String bucket, RunRecord run, Map<String, String> vmTests, boolean overdue) {
        long now = clock.instant().getEpochSecond();
        if (!runs.startAnalysis(run.runPrefix(), now, now + LEASE.toSeconds())) {
            if (runs.find(run.runPrefix()).map(r -> r.state() == RunRecord.RunState.DONE).orElse(true)) {
                return run.runPrefix() + ": already closed";
            }
            throw new RunBusyException(run.runPrefix(), runs.progress(run.runPrefix()).orElseThrow().leaseUntil());
        }
        try {
            beforeClose.beforeClose(bucket, run, vmTests);
        } catch (RuntimeException e) {
            LOG.warn("run {}: before closing: {}; closing all the same", run.runPrefix(), e.toString());
        }
        RunProgress progress = runs.progress(run.runPrefix()).orElseThrow();
        List<VmFiles> counted = outputs.read(bucket, run.runPrefix()).stream()
                .filter(vm -> launched(run, vmTests, vm)).toList();
        List<VmOutputs> reported = counted.stream()
                .filter(vm -> vm.contents().containsKey("result.txt"))
                .map(vm -> toOutputs(bucket, run.runPrefix(), vm)).toList();
        Map<String, byte[]> consoles = new java.util.HashMap<>();
        counted.stream().filter(vm -> vm.consoleTail().isPresent())
                .forEach(vm -> consoles.put(vm.instanceId(), vm.consoleTail().get()));
        List<MissingVm> missing = MissingVm.forRun(run, reported, vmTests).stream()
                .map(vm -> vm.instanceId().map(consoles::get)
                        .map(console -> vm.because(dev.pullab.core.launch.KernelConsole.whyNoReport(console)))
                        .orElse(vm))
                .toList();
        ArtifactManifest manifest = artifacts.publish(bucket, run.runPrefix(), artifactsOf(counted, missing));
        RunReport report = overdue ? reporting.reportOverdue(run, reported, missing, manifest)
                : reporting.report(run, reported, missing, manifest);
        S3Location location = new S3Location(bucket, run.runPrefix());
        publisher.write(location, RunPage.of(run, report));
        submitToKcidb(run, progress, report);
        finishNode(run, progress, report);
        runs.recordVerdict(run.runPrefix(), report.verdict());
        runs.transition(run.runPrefix(), RunRecord.RunState.ANALYSING, RunRecord.RunState.DONE);
        writeIndex(bucket, run);
        LOG.info("run {} closed: {}", run.runPrefix(), report.summary());
        return run.runPrefix() + ": " + report.summary();
    }

    /**
     * Rewrites the lab's {@code index.html} from the runs table, once the run is DONE so that it links its report.
     * Best effort: the run is closed whatever happens here, and the next close rewrites the index. Two closes at
     * once may each write an index the other's run is missing from while it is still ANALYSING; the next close, or
     * {@code pullab runs}, shows it.
     */
    private void writeIndex(String bucket, RunRecord run) {
        try {
            List<RunsIndex.Entry> entries = runs.recent(0, RunsIndex.MAX_RUNS, 4 * RunsIndex.MAX_RUNS).runs().stream()
                    .map(status -> new RunsIndex.Entry(status.run(), status.progress().verdict())).toList();
            publisher.writeIndex(bucket, entries);
        } catch (RuntimeException e) {
            LOG.warn("run {}: the runs index was not rewritten: {}", run.runPrefix(), e.toString());
        }
    }

    private void submitToKcidb(RunRecord run, RunProgress progress, RunReport report) {
        if (progress.kcidbSubmissionId().isPresent()) {
            LOG.info("run {}: KCIDB submission {} already made", run.runPrefix(), progress.kcidbSubmissionId().get());
            return;
        }
        if (kcidb.isEmpty() || revisions.isEmpty() || report.kcidbTests().isEmpty()) {
            LOG.info("run {}: nothing submitted to KCIDB ({})", run.runPrefix(),
                    kcidb.isEmpty() ? "KCIDB not configured" : "no tests");
            return;
        }
        Optional<Node> job = run.jobNodeId().flatMap(id -> kernelci.flatMap(api -> api.node(id)));
        ObjectNode revision = job.map(node -> revisions.get().build(node, report.kcidbTests()))
                .orElseGet(() -> revisions.get().buildForRun(run.runPrefix(), report.kcidbTests()));
        String id = kcidb.get().submit(revision);
        runs.recordSubmission(run.runPrefix(), id);
    }

    private void finishNode(RunRecord run, RunProgress progress, RunReport report) {
        if (run.jobNodeId().isEmpty() || progress.nodeFinish().isPresent() || report.jobOutcome().isEmpty()) {
            return;
        }
        if (kernelci.isEmpty()) {
            LOG.warn("run {}: KernelCI not configured, job node {} not finished", run.runPrefix(),
                    run.jobNodeId().get());
            return;
        }
        FinishOutcome outcome = kernelci.get().finish(report.jobOutcome().get());
        runs.recordNodeFinish(run.runPrefix(), outcome.name());
        if (outcome == FinishOutcome.ALREADY_DONE) {
            LOG.info("run {}: job node {} was already finished elsewhere; left as it was", run.runPrefix(),
                    run.jobNodeId().get());
        }
    }

    /** What the manifest lists: every counted VM's folder, and each missing VM known by its instance id. */
    private static List<RunArtifacts.VmObjects> artifactsOf(List<VmFiles> counted, List<MissingVm> missing) {
        List<RunArtifacts.VmObjects> vms = new ArrayList<>(counted.stream().map(VmFiles::artifacts).toList());
        for (MissingVm vm : missing) {
            vm.instanceId().filter(id -> counted.stream().noneMatch(c -> c.test().equals(vm.test())
                    && c.instanceId().equals(id)))
                    .ifPresent(id -> vms.add(RunArtifacts.VmObjects.empty(vm.test(), id)));
        }
        return vms;
    }

    /**
     * Outputs count only from a VM the run launched for that test: recorded in the runs table, or found by the
     * sweeper among the run's instances (tagged by the launcher, for launches whose record an earlier attempt lost).
     */
    private static boolean launched(RunRecord run, Map<String, String> vmTests, VmFiles vm) {
        boolean counted = run.admit(vm.test(), vm.instanceId()) == RunRecord.Admission.COUNTED
                || vm.test().equals(vmTests.get(vm.instanceId()));
        if (!counted) {
            LOG.warn("run {}: left out the outputs of {}/{}: the run did not launch that VM for that test",
                    run.runPrefix(), vm.test(), vm.instanceId());
        }
        return counted;
    }

    private static VmOutputs toOutputs(String bucket, String runPrefix, VmFiles vm) {
        String dir = "test_" + vm.test() + "/output/" + vm.instanceId() + "/";
        List<RunFile> csvs = new ArrayList<>();
        vm.contents().forEach((name, bytes) -> BenchmarkFile.fromRunPath(dir + name,
                "s3://" + bucket + "/" + runPrefix + "/" + dir + name).ifPresent(f -> csvs.add(new RunFile(f, bytes))));
        Map<String, String> otherNotRead = new java.util.TreeMap<>();
        vm.notRead().forEach((name, reason) -> BenchmarkFile.fromRunPath(dir + name,
                "s3://" + bucket + "/" + runPrefix + "/" + dir + name).ifPresentOrElse(
                        f -> csvs.add(RunFile.notRead(f, reason)), () -> otherNotRead.put(name, reason)));
        return new VmOutputs(vm.test(), vm.instanceId(),
                Optional.ofNullable(vm.contents().get("result.txt")).map(b -> new String(b, StandardCharsets.UTF_8)),
                Optional.ofNullable(vm.contents().get("stats.json")),
                Optional.ofNullable(vm.contents().get("results.json")), csvs, vm.logKeys(), otherNotRead);
    }

    /**
     * The https URL of an object in S3: what KCIDB and KernelCI link as a published log when {@code PULLAB_LOGS_URL}
     * is not set. It opens only with AWS credentials while the bucket blocks public access.
     */
    public static URI objectUrl(String bucket, String region, String key) {
        return URI.create("https://" + bucket + ".s3." + region + ".amazonaws.com/"
                + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/").replace("+", "%20"));
    }
}
