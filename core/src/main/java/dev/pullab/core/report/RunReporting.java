package dev.pullab.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.analysis.SkippedItem;
import dev.pullab.core.analysis.TestAnalysis;
import dev.pullab.core.kcidb.KcidbNumber;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTest;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.kernelci.JobOutcome;
import dev.pullab.core.kernelci.NodeResult;
import dev.pullab.core.kernelci.TestNodeResult;
import dev.pullab.core.plan.RunRecord;
import dev.pullab.core.run.BenchmarkCsvReader;
import dev.pullab.core.run.InvalidInputException;
import dev.pullab.core.run.ReadLimits;
import dev.pullab.core.run.RunFile;
import dev.pullab.core.run.RunSamples;
import dev.pullab.core.run.TestSamples;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * Each carries the VM's instance id as {@link KcidbTest#idDiscriminator() id discriminator} (so the same path from
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
 * report, e.g. {@code 2 of 2 VMs did not report before the deadline}; with results that are all errors it is
 * {@code incomplete} with {@link ErrorCode#TEST}. {@code test_log} is the last stage log of the first VM (in test,
 * then instance id order) that has one. Benchmark metrics are not child nodes: KCIDB carries them.
 */
public final class RunReporting {

    /** The comment of the MISS test of a VM without {@code result.txt}. */
    public static final String MISSING_COMMENT = "VM did not report before the deadline";
    /** The artifact of the job node that links a VM's log. */
    public static final String TEST_LOG_ARTIFACT = "test_log";

    private static final Comparator<VmOutputs> VM_ORDER =
            Comparator.comparing(VmOutputs::test).thenComparing(VmOutputs::instanceId);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AnalysisOptions options;
    private final Function<String, URI> logUrls;
    private final BenchmarkCsvReader csvReader;

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
        this.options = Objects.requireNonNull(options, "options");
        this.logUrls = Objects.requireNonNull(logUrls, "logUrls");
        this.csvReader = new BenchmarkCsvReader(limits.perFileBytes());
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

    private RunReport report(RunRecord run, List<VmOutputs> reported, List<MissingVm> missing, boolean overdue) {
        Objects.requireNonNull(run, "run");
        boolean jobRun = run.jobNodeId().isPresent();
        List<Vm> vms = reported.stream().sorted(VM_ORDER).map(outputs -> read(outputs, jobRun)).toList();

        Benchmarks benchmarks = analyse(vms);
        List<VmProblem> problems = new ArrayList<>();
        Tests tests = new Tests(problems);
        for (Vm vm : vms) {
            problems.addAll(vm.problems());
            vmTests(vm).forEach(tests::add);
        }
        int unlaunched = 0;
        for (MissingVm vm : missing) {
            problems.add(new VmProblem(vm.test(), vm.instanceId(), VmProblem.Kind.MISSING, MISSING_COMMENT));
            KcidbTest miss = KcidbTest.of(vm.test(), KcidbStatus.MISS).withComment(MISSING_COMMENT)
                    .withIdDiscriminator(vm.instanceId().orElse("missing-" + ++unlaunched));
            tests.add(vm.instanceId().map(id -> miss.withMisc("instance_id", id)).orElse(miss));
        }
        benchmarks.analysis().ifPresent(analysis -> analysis.tests().forEach(test -> metricTests(test)
                .forEach(tests::add)));
        benchmarks.errors().forEach((test, reason) -> {
            problems.add(new VmProblem(test, Optional.empty(), VmProblem.Kind.ANALYSIS, reason));
            tests.add(KcidbTest.of(test, KcidbStatus.ERROR).withComment(reason));
        });

        VmCounts counts = counts(run, vms, missing);
        Optional<JobOutcome> outcome = run.jobNodeId().map(node -> overdue && !missing.isEmpty()
                ? overdueOutcome(jobOutcome(node, vms, missing.size(), counts), missing.size(), run.expectedVms())
                : jobOutcome(node, vms, missing.size(), counts));
        return new RunReport(benchmarks.analysis(), tests.all(), outcome, counts, problems);
    }

    // ------------------------------------------------------------------------------------------------ reading a VM

    /**
     * One reported VM, read.
     *
     * @param errors   why it gets an ERROR test, in order (empty: none)
     * @param problems its problems, in order
     */
    private record Vm(VmOutputs outputs, VmResult result, Optional<LabResults> labResults, Map<String, Object> misc,
                      Optional<URI> logUrl, Optional<String> csvError, List<String> errors, List<VmProblem> problems) {

        Optional<String> instanceId() {
            return Optional.of(outputs.instanceId());
        }

        Map<String, LabResult> validResults() {
            return labResults.filter(LabResults::isValid).map(LabResults::results).orElse(Map.of());
        }
    }

    private Vm read(VmOutputs outputs, boolean jobRun) {
        List<VmProblem> problems = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        VmResult result = outputs.result();
        Optional<LabResults> labResults = outputs.labResults();
        Optional<String> csvError = csvError(outputs.benchmarkFiles());
        if (result.status() == VmResult.Status.FAILED) {
            problems.add(problem(outputs, VmProblem.Kind.FAILED, result.line().orElseThrow()));
        } else if (result.status() == VmResult.Status.MISSING) {
            problems.add(problem(outputs, VmProblem.Kind.MISSING, MISSING_COMMENT));
        }
        boolean hasResults = labResults.filter(LabResults::isValid).map(r -> !r.results().isEmpty()).orElse(false);
        if (result.status() == VmResult.Status.FAILED && !hasResults) {
            errors.add(result.line().orElseThrow());
        }
        labResults.flatMap(LabResults::error).ifPresent(reason -> {
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.MALFORMED_RESULTS, reason));
        });
        csvError.ifPresent(reason -> {
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.MALFORMED_BENCHMARK, reason));
        });
        Optional<String> resultsNotRead = Optional.ofNullable(outputs.notRead().get("results.json"))
                .map(reason -> "results.json " + reason);
        resultsNotRead.ifPresent(reason -> {
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.MALFORMED_RESULTS, reason));
        });
        boolean malformedResults = labResults.flatMap(LabResults::error).isPresent() || resultsNotRead.isPresent();
        if (jobRun && result.status() == VmResult.Status.SUCCESS && !hasResults && !malformedResults) {
            String reason = "the VM succeeded but wrote no results"
                    + (labResults.isEmpty() ? " (no results.json)" : " (results.json is empty)");
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.NO_RESULTS, reason));
        }
        Map<String, Object> misc = new LinkedHashMap<>();
        misc.put("instance_id", outputs.instanceId());
        outputs.statsJson().ifPresent(stats -> readStats(stats, misc).ifPresent(
                reason -> problems.add(problem(outputs, VmProblem.Kind.MALFORMED_STATS, reason))));
        Optional.ofNullable(outputs.notRead().get("stats.json")).ifPresent(reason -> problems.add(
                problem(outputs, VmProblem.Kind.MALFORMED_STATS, "stats.json " + reason)));
        Optional<URI> logUrl = logUrl(outputs, problems);
        return new Vm(outputs, result, labResults, misc, logUrl, csvError, errors, problems);
    }

    private static VmProblem problem(VmOutputs vm, VmProblem.Kind kind, String message) {
        return new VmProblem(vm.test(), Optional.of(vm.instanceId()), kind, message);
    }

    /** The first reason one of the files cannot be read, naming the file and line; empty when all can. */
    private Optional<String> csvError(List<RunFile> files) {
        try {
            RunSamples.read(files, csvReader);
            return Optional.empty();
        } catch (InvalidInputException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Adds {@code instance_type} and {@code arch} to misc; the reason when stats.json cannot be read. */
    private static Optional<String> readStats(byte[] stats, Map<String, Object> misc) {
        JsonNode json;
        try {
            json = JSON.readTree(stats);
        } catch (JsonProcessingException e) {
            return Optional.of("stats.json is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Optional.of("stats.json cannot be read: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            return Optional.of("stats.json is not a JSON object");
        }
        for (String key : List.of("instance_type", "arch")) {
            JsonNode value = json.path(key);
            if (value.isTextual() && !value.asText().isBlank()) {
                misc.put(key, value.asText());
            }
        }
        return Optional.empty();
    }

    private Optional<URI> logUrl(VmOutputs vm, List<VmProblem> problems) {
        Optional<String> key = vm.lastRunLogKey();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        URI url;
        try {
            url = logUrls.apply(key.get());
        } catch (RuntimeException e) {
            problems.add(problem(vm, VmProblem.Kind.LOG_URL, "no URL for log " + key.get() + ": " + e.getMessage()));
            return Optional.empty();
        }
        if (url == null || !url.isAbsolute()) {
            problems.add(problem(vm, VmProblem.Kind.LOG_URL, "the URL of log " + key.get() + " is not absolute: "
                    + url));
            return Optional.empty();
        }
        return Optional.of(url);
    }

    // ------------------------------------------------------------------------------------------------ benchmarks

    /**
     * @param analysis the analysis of the tests with base and tip; empty when there is none
     * @param errors   tests whose files could not be analysed together, and why
     */
    private record Benchmarks(Optional<AnalysisReport> analysis, Map<String, String> errors) {
    }

    private Benchmarks analyse(List<Vm> vms) {
        List<RunFile> usable = new ArrayList<>();
        vms.stream().filter(vm -> vm.csvError().isEmpty()).forEach(vm -> usable.addAll(vm.outputs().benchmarkFiles()));
        RunSamples samples = RunSamples.read(usable, csvReader);
        RegressionAnalyzer analyzer = new RegressionAnalyzer(options);
        List<TestAnalysis> analysed = new ArrayList<>();
        List<SkippedItem> skipped = new ArrayList<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (TestSamples test : samples.tests()) {
            try {
                AnalysisReport one = analyzer.analyze(new RunSamples(List.of(test)));
                analysed.addAll(one.tests());
                skipped.addAll(one.skippedTests());
            } catch (InvalidInputException e) {
                skipped.add(new SkippedItem(test.test(), e.getMessage()));
                errors.put(test.test(), e.getMessage());
            }
        }
        Optional<AnalysisReport> analysis = analysed.isEmpty() ? Optional.empty()
                : Optional.of(AnalysisReport.of(analysed, skipped, options));
        return new Benchmarks(analysis, errors);
    }

    private static List<KcidbTest> metricTests(TestAnalysis test) {
        List<KcidbTest> tests = new ArrayList<>();
        for (MetricComparison c : test.comparisons()) {
            String path = KcidbTest.pathOf(test.test(), c.metric());
            double tipMean = c.tip().mean();
            KcidbTest metric = Double.isFinite(tipMean) ? KcidbTest.metric(path, tipMean, c.unit(), c.isRegression())
                    : KcidbTest.of(path, c.isRegression() ? KcidbStatus.FAIL : KcidbStatus.DONE);
            Map<String, Object> misc = new LinkedHashMap<>();
            putFinite(misc, "pct_change", c.pctChange());
            putFinite(misc, "t_pvalue", c.tPvalue());
            putFinite(misc, "u_pvalue", c.uPvalue());
            putFinite(misc, "t_pvalue_adjusted", c.tPvalueAdjusted());
            putFinite(misc, "u_pvalue_adjusted", c.uPvalueAdjusted());
            putFinite(misc, "cohens_d", c.cohensD());
            putFinite(misc, "base_mean", c.base().mean());
            misc.put("base_n", c.base().n());
            misc.put("tip_n", c.tip().n());
            misc.put("more_is_better", c.moreIsBetter());
            putText(misc, "base_kernel", test.baseKernel());
            putText(misc, "tip_kernel", test.tipKernel());
            for (Map.Entry<String, Object> entry : misc.entrySet()) {
                metric = metric.withMisc(entry.getKey(), entry.getValue());
            }
            if (c.isRegression()) {
                metric = metric.withComment(regressionComment(c));
            }
            tests.add(metric);
        }
        return tests;
    }

    /** E.g. {@code regression: tip mean 800.5 lps vs base mean 1001 lps (-20.03%)}. */
    private static String regressionComment(MetricComparison c) {
        String unit = c.unit().isBlank() ? "" : " " + c.unit();
        String change = Double.isFinite(c.pctChange()) ? String.format(Locale.ROOT, " (%+.2f%%)", c.pctChange()) : "";
        return String.format(Locale.ROOT, "regression: tip mean %.6g%s vs base mean %.6g%s%s", c.tip().mean(), unit,
                c.base().mean(), unit, change);
    }

    private static void putFinite(Map<String, Object> misc, String key, double value) {
        if (Double.isFinite(value)) {
            misc.put(key, value);
        }
    }

    private static void putText(Map<String, Object> misc, String key, String value) {
        if (value != null && !value.isBlank()) {
            misc.put(key, value);
        }
    }

    // ------------------------------------------------------------------------------------------------ KCIDB tests

    private static List<KcidbTest> vmTests(Vm vm) {
        List<KcidbTest> tests = new ArrayList<>();
        vm.validResults().forEach((path, result) -> {
            KcidbTest test = vmTest(vm, KcidbTest.of(path, result.status().kcidbStatus()));
            if (result.durationSeconds().isPresent()) {
                test = test.withDurationSeconds(result.durationSeconds().getAsDouble());
            }
            if (result.measurement().isPresent()) {
                LabResult.Measurement m = result.measurement().get();
                test = test.withNumber(KcidbNumber.of(m.value(), m.unit().orElse(null)));
            }
            tests.add(test);
        });
        if (vm.result().status() == VmResult.Status.MISSING) {
            List<String> comment = new ArrayList<>(List.of(MISSING_COMMENT));
            comment.addAll(vm.errors());
            tests.add(vmTest(vm, KcidbTest.of(vm.outputs().test(), KcidbStatus.MISS)
                    .withComment(String.join("; ", comment))));
        } else if (!vm.errors().isEmpty()) {
            tests.add(vmTest(vm, KcidbTest.of(vm.outputs().test(), KcidbStatus.ERROR)
                    .withComment(String.join("; ", vm.errors()))));
        }
        return tests;
    }

    private static KcidbTest vmTest(Vm vm, KcidbTest test) {
        KcidbTest withVm = test.withIdDiscriminator(vm.outputs().instanceId());
        for (Map.Entry<String, Object> entry : vm.misc().entrySet()) {
            withVm = withVm.withMisc(entry.getKey(), entry.getValue());
        }
        return vm.logUrl().map(withVm::withLogUrl).orElse(withVm);
    }

    /** The KCIDB tests of a report, keeping only the first test of each id. */
    private static final class Tests {
        private final List<KcidbTest> all = new ArrayList<>();
        private final Set<String> ids = new HashSet<>();
        private final List<VmProblem> problems;

        Tests(List<VmProblem> problems) {
            this.problems = problems;
        }

        void add(KcidbTest test) {
            if (ids.add(test.idSuffix())) {
                all.add(test);
            } else {
                problems.add(new VmProblem(test.path(), test.idDiscriminator(), VmProblem.Kind.DUPLICATE_TEST,
                        "a second KCIDB test " + test.idSuffix() + " was dropped: ids must be unique"));
            }
        }

        List<KcidbTest> all() {
            return all;
        }
    }

    // ------------------------------------------------------------------------------------------------ counts, job

    private static VmCounts counts(RunRecord run, List<Vm> vms, List<MissingVm> missing) {
        int successful = 0;
        int failed = 0;
        int notReported = missing.size();
        for (Vm vm : vms) {
            switch (vm.result().status()) {
                case SUCCESS -> successful++;
                case FAILED -> failed++;
                case MISSING -> notReported++;
            }
        }
        return new VmCounts(run.expectedVms(), successful, failed, notReported);
    }

    /** An overdue run's outcome: {@code incomplete}, {@code Infrastructure}, its results kept as children. */
    private static JobOutcome overdueOutcome(JobOutcome found, int missing, int expected) {
        return new JobOutcome(found.nodeId(), NodeResult.INCOMPLETE, Optional.of(ErrorCode.INFRASTRUCTURE),
                Optional.of(missing + " of " + expected + " VMs did not report before the run's deadline"),
                found.artifacts(), found.tests());
    }

    private static JobOutcome jobOutcome(String nodeId, List<Vm> vms, int missingVms, VmCounts counts) {
        JobTree tree = new JobTree();
        vms.forEach(vm -> vm.validResults().forEach((path, result) -> tree.add(path, result.status().nodeResult())));
        Map<String, String> artifacts = vms.stream().flatMap(vm -> vm.logUrl().stream()).findFirst()
                .map(url -> Map.of(TEST_LOG_ARTIFACT, url.toString())).orElse(Map.of());
        if (tree.isEmpty()) {
            return new JobOutcome(nodeId, NodeResult.INCOMPLETE, Optional.of(ErrorCode.INFRASTRUCTURE),
                    Optional.of(noResultsMessage(vms, missingVms, counts)), artifacts, List.of());
        }
        List<TestNodeResult> children = tree.nodes();
        Optional<NodeResult> rolledUp = NodeResult.rollUp(children.stream()
                .flatMap(child -> child.effectiveResult().stream()).toList());
        if (rolledUp.isEmpty()) {
            return new JobOutcome(nodeId, NodeResult.INCOMPLETE, Optional.of(ErrorCode.TEST),
                    Optional.of("no test passed, failed or was skipped: every result was an error"), artifacts,
                    children);
        }
        return new JobOutcome(nodeId, rolledUp.get(), Optional.empty(), Optional.empty(), artifacts, children);
    }

    /** Why no VM gave a result, e.g. {@code 1 of 2 VMs did not report before the deadline; 1 of 2 VMs failed (…)}. */
    private static String noResultsMessage(List<Vm> vms, int missingVms, VmCounts counts) {
        int total = Math.max(counts.expected(), vms.size() + missingVms);
        int missing = missingVms;
        List<String> failures = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        int withoutResults = 0;
        for (Vm vm : vms) {
            if (vm.result().status() == VmResult.Status.MISSING) {
                missing++;
            } else if (vm.result().status() == VmResult.Status.FAILED) {
                failures.add(vm.result().line().orElseThrow());
            } else if (vm.labResults().flatMap(LabResults::error).isPresent()) {
                malformed.add(vm.labResults().flatMap(LabResults::error).orElseThrow());
            } else if (vm.outputs().notRead().containsKey("results.json")) {
                malformed.add("results.json " + vm.outputs().notRead().get("results.json"));
            } else {
                withoutResults++;
            }
        }
        List<String> parts = new ArrayList<>();
        if (missing > 0) {
            parts.add(missing + " of " + total + " VMs did not report before the deadline");
        }
        if (!failures.isEmpty()) {
            parts.add(failures.size() + " of " + total + " VMs failed (" + failures.get(0) + ")");
        }
        if (!malformed.isEmpty()) {
            parts.add(malformed.size() + " of " + total + " VMs wrote a malformed results.json (" + malformed.get(0)
                    + ")");
        }
        if (withoutResults > 0) {
            parts.add(withoutResults + " of " + total + " VMs wrote no results");
        }
        return parts.isEmpty() ? "no VM reported a result" : String.join("; ", parts);
    }
}
