package dev.pullab.core.report;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.kernelci.JobOutcome;
import dev.pullab.core.kernelci.NodeResult;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.benchmark.BenchmarkCsvReader;
import dev.pullab.core.benchmark.ReadLimits;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns what the VMs of a finished run left into what the run reports: the benchmark regression analysis, the KCIDB
 * tests, the KernelCI job outcome and the pipeline summary line. Pure: no storage, no HTTP, the same input always
 * gives the same report, and bad VM output never throws (it becomes an ERROR test and a {@link VmProblem}).
 *
 * <h2>Benchmarks</h2>
 * Each VM's benchmark CSVs are read on their own: a VM with a malformed CSV is left out of the analysis (and gets an
 * ERROR test), the others are analysed together, test by test, with {@link RegressionAnalyzer}. Every compared
 * metric becomes a KCIDB test {@code <test>.<metric>} carrying the tip mean, FAIL when it regressed and DONE
 * otherwise, with {@code misc} {@code pct_change}, {@code t_pvalue}, {@code u_pvalue}, {@code t_pvalue_adjusted},
 * {@code u_pvalue_adjusted}, {@code cohens_d}, {@code base_mean}, {@code base_n}, {@code tip_n},
 * {@code more_is_better}, {@code base_kernel}, {@code tip_kernel} (non-finite numbers are omitted: KCIDB has no NaN
 * or infinity, and no nulls). Benchmark files of every reported VM are used, whatever its {@code result.txt}.
 * A file the caller did not read because it is over a {@link ReadLimits read limit} counts as
 * malformed, with the limit as its reason (a CSV: MALFORMED_BENCHMARK; {@code results.json}: MALFORMED_RESULTS;
 * {@code stats.json}: MALFORMED_STATS).
 *
 * <h2>Per-VM KCIDB tests</h2>
 * Each carries the VM's instance id as {@link KcidbTestEntry#idDiscriminator() id discriminator} (so the same path from
 * several VMs gets distinct ids), {@code misc.instance_id} and, from {@code stats.json}, {@code instance_type} and
 * {@code arch}; tests of a reported VM link the log of its last stage ({@code run-N-output.log} with the highest N).
 * <ul>
 *   <li>every entry of a valid {@code results.json}: the path as given, the status by
 *       {@link KcidbStatus#fromLabResult}, {@code duration_ms} in seconds, a measurement as {@code number};</li>
 *   <li>one test {@code <test>} with status ERROR when the VM has something to report: FAILED without usable
 *       results (comment: the {@code result.txt} line), a malformed {@code results.json} or benchmark CSV (comment:
 *       the reason), or, for a job run, SUCCESS without {@code results.json}; the reasons are joined with
 *       {@code "; "};</li>
 *   <li>one test {@code <test>} with status MISS, comment {@value #MISSING_COMMENT}, for a VM without
 *       {@code result.txt} (a reported one without it, or a {@link MissingVm}; a never launched VM is told apart by
 *       {@code missing-<n>}).</li>
 * </ul>
 *
 * <h2>KernelCI job outcome</h2>
 * For a run of a job node: the child nodes are the tree of the valid {@code results.json} paths
 * ({@code ltp.abort01} → suite {@code ltp}, leaf {@code abort01}), pass/fail/skip as given and error as incomplete,
 * the same path from several VMs merged to the worst result. The job's result is their
 * {@link NodeResult#rollUp roll-up} (kernelci-core's {@code evaluate_test_suite_result}). Without any result it is
 * {@code incomplete} with {@link ErrorCode#INFRASTRUCTURE} and a message naming how many VMs failed or did not
 * report, e.g. {@code 2 of 2 VMs did not report before the deadline}, with why the first one with a known reason
 * did not ({@link MissingVm#why()}, from its console) in parentheses; with results that are all errors it is
 * {@code incomplete} with {@link ErrorCode#TEST}. {@code test_log} is the last stage log of the first VM (in test,
 * then instance id order) that has one. Benchmark metrics are not child nodes: KCIDB carries them.
 *
 * <h2>Links</h2>
 * Given the run's {@link ArtifactManifest} (the analyzer's close), every link comes from it, and so only ever points at
 * a scrubbed published copy: a VM's tests get its {@code log_url} (its last stage's log, else its console) and its
 * other published logs as {@code output_files}; the MISS test of a VM that did not report links its console when it
 * left one, and so does the job's {@code test_log} when no reported VM has a log. Without a manifest (the local
 * benchmark report) the log keys are turned into links by the constructor's function.
 */
public final class RunReporting {

    /** The comment of the MISS test of a VM without {@code result.txt}. */
    public static final String MISSING_COMMENT = "VM did not report before the deadline";
    /** The artifact of the job node that links a VM's log. */
    public static final String TEST_LOG_ARTIFACT = "test_log";

    private static final Comparator<VmOutputs> VM_ORDER =
            Comparator.comparing(VmOutputs::test).thenComparing(VmOutputs::instanceId);

    private final VmReading reading;
    private final BenchmarkReporting benchmarks;

    /**
     * @param options the regression verdict rule
     * @param logUrls turns a log key of {@link VmOutputs#logKeys()} into an absolute URL (e.g. a public or presigned
     *                S3 URL); a key it cannot turn into one (it throws, or gives null or a relative URI) is left
     *                unlinked and reported as a {@link VmProblem.Kind#LOG_URL} problem
     */
    public RunReporting(AnalysisOptions options, Function<String, URI> logUrls) {
        this(options, logUrls, ReadLimits.DEFAULTS);
    }

    /**
     * @param limits the read limits the caller applied; a benchmark CSV over its per-file limit is refused too
     */
    public RunReporting(AnalysisOptions options, Function<String, URI> logUrls, ReadLimits limits) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(logUrls, "logUrls");
        BenchmarkCsvReader csvReader = new BenchmarkCsvReader(limits.perFileBytes());
        this.reading = new VmReading(logUrls, csvReader);
        this.benchmarks = new BenchmarkReporting(options, csvReader);
    }

    /**
     * The report of a finished run.
     *
     * @param run      the run
     * @param reported what each VM that reported left (any order; reported in test, then instance id order)
     * @param missing  the VMs that did not report before the deadline (see {@link MissingVm#forRun})
     */
    public RunReport report(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing) {
        return report(run, reported, missing, false);
    }

    /**
     * The report of a run closed past its deadline (by the sweeper). With VMs missing it is an infrastructure failure,
     * whatever the VMs that did report found: the job node is {@code incomplete} with {@code Infrastructure}, and their
     * results stay as its child nodes.
     */
    public RunReport reportOverdue(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing) {
        return report(run, reported, missing, true);
    }

    /**
     * The report of a finished run whose links come from its manifest ({@link RunArtifacts}): each VM's KCIDB
     * {@code log_url} and {@code output_files}, the {@code test_log} of the job node, and the log of a VM that did
     * not report but left a console.
     */
    public RunReport report(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing,
            ArtifactManifest manifest) {
        return report(run, reported, missing, false, Optional.of(manifest));
    }

    /** {@link #reportOverdue(RunRecord, List, List)} with the links from the run's manifest. */
    public RunReport reportOverdue(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing,
            ArtifactManifest manifest) {
        return report(run, reported, missing, true, Optional.of(manifest));
    }

    private RunReport report(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing, boolean overdue) {
        return report(run, reported, missing, overdue, Optional.empty());
    }

    private RunReport report(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing, boolean overdue,
            Optional<ArtifactManifest> manifest) {
        Objects.requireNonNull(run, "run");
        boolean jobRun = run.jobNodeId().isPresent();
        List<ReadVm> vms = reported.stream().sorted(VM_ORDER).map(outputs -> reading.read(outputs, jobRun, manifest))
                .toList();

        BenchmarkReporting.Benchmarks analysed = benchmarks.analyse(vms);
        List<VmProblem> problems = new ArrayList<>();
        KcidbTestEntries tests = new KcidbTestEntries(problems);
        for (ReadVm vm : vms) {
            problems.addAll(vm.problems());
            tests.addVm(vm);
        }
        for (MissingVm vm : missing) {
            problems.add(new VmProblem(vm.test(), vm.instanceId(), VmProblem.Kind.MISSING, vm.comment()));
            tests.addMissing(vm, missingLinks(manifest, vm));
        }
        analysed.analysis().ifPresent(analysis -> analysis.tests().forEach(test -> BenchmarkReporting
                .metricTests(test).forEach(tests::add)));
        analysed.errors().forEach((test, reason) -> {
            problems.add(new VmProblem(test, Optional.empty(), VmProblem.Kind.ANALYSIS, reason));
            tests.addAnalysisError(test, reason);
        });

        VmCounts counts = RunCounts.counts(run, vms, missing);
        Optional<URI> missingLog = missing.stream().flatMap(vm -> missingLinks(manifest, vm).logUrl().stream())
                .findFirst();
        Optional<JobOutcome> outcome = run.jobNodeId().map(node -> overdue && !missing.isEmpty()
                ? overdueOutcome(JobReporting.jobOutcome(node, vms, missing, counts, missingLog), missing,
                        run.expectedVms())
                : JobReporting.jobOutcome(node, vms, missing, counts, missingLog));
        return new RunReport(analysed.analysis(), tests.all(), outcome, counts, problems);
    }

    private static ArtifactManifest.VmLinks missingLinks(Optional<ArtifactManifest> manifest, MissingVm vm) {
        return vm.instanceId().flatMap(id -> manifest.map(m -> m.links(vm.test(), id)))
                .orElse(ArtifactManifest.VmLinks.NONE);
    }

    /** An overdue run's outcome: {@code incomplete}, {@code Infrastructure}, its results kept as children. */
    private static JobOutcome overdueOutcome(JobOutcome found, List<MissingVm> missing, int expected) {
        return new JobOutcome(found.nodeId(), NodeResult.INCOMPLETE, Optional.of(ErrorCode.INFRASTRUCTURE),
                Optional.of(missing.size() + " of " + expected + " VMs did not report before the run's deadline"
                        + RunCounts.firstWhy(missing)),
                found.artifacts(), found.tests());
    }
}
