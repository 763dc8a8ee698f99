package dev.pullab.core.report.html;

import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.VmTestAnalysis;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.report.RunReport;
import dev.pullab.core.report.VmCounts;
import dev.pullab.core.report.VmProblem;
import dev.pullab.core.run.RunRecord;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a run's HTML report shows ({@link HtmlReport}): the run and how it was triggered, its kernels, how its VMs
 * ended, its verdict, the functional results (every KCIDB test that is not a benchmark metric, with its log link),
 * the problems, and the benchmark analysis.
 *
 * @param run       the run prefix, e.g. {@code run_test-001_20260325_120000}
 * @param trigger   what started the run, in words, e.g. {@code KernelCI job node 6650f…}
 * @param kernels   the kernels the run tested, in order (base first for a regression run)
 * @param vms       how the VMs ended; empty when not known (an analysis of benchmark files only)
 * @param verdict   the run's verdict in a few words ({@link RunReport#outcome()}); empty when not known
 * @param tests     the functional results: KCIDB tests without a measured number, in report order
 * @param problems  what went wrong, per VM or test
 * @param analysis  the benchmark regression analysis, when the run has one
 */
public record RunPage(String run, String trigger, List<String> kernels, Optional<VmCounts> vms,
        Optional<String> verdict, List<KcidbTestEntry> tests, List<VmProblem> problems,
        Optional<AnalysisReport> analysis) {

    public RunPage {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(trigger, "trigger");
        kernels = List.copyOf(kernels);
        Objects.requireNonNull(vms, "vms");
        Objects.requireNonNull(verdict, "verdict");
        tests = List.copyOf(tests);
        problems = List.copyOf(problems);
        Objects.requireNonNull(analysis, "analysis");
    }

    /** The page of a closed run: what the analyzer reported for it. */
    public static RunPage of(RunRecord run, RunReport report) {
        List<KcidbTestEntry> functional = report.kcidbTests().stream().filter(t -> t.number().isEmpty()).toList();
        return new RunPage(run.runPrefix(), trigger(run), kernels(run.kernels(), report.analysis()),
                Optional.of(report.vms()), Optional.of(report.outcome()), functional, report.problems(),
                report.analysis());
    }

    /**
     * The page of a benchmark analysis alone ({@code pullab analyze --html}): no VM counts, functional results or
     * verdict beyond the analysis' own.
     *
     * @param source where the run was read, e.g. a directory or {@code s3://bucket/run_…}; its last segment names the
     *               run
     */
    public static RunPage ofAnalysis(String source, AnalysisReport analysis) {
        String trimmed = source.replaceAll("/+$", "");
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        String run = name.isEmpty() ? source : name;
        String verdict = analysis.regressionTestNames().isEmpty() ? "no regression"
                : "regression (" + String.join(", ", analysis.regressionTestNames()) + ")";
        return new RunPage(run, "benchmark files read from " + source, kernels(List.of(), Optional.of(analysis)),
                Optional.empty(), Optional.of(verdict), List.of(), List.of(), Optional.of(analysis));
    }

    private static String trigger(RunRecord run) {
        return run.jobNodeId().map(id -> "KernelCI job node " + id + " (test " + run.testId() + ")")
                .orElse("test " + run.testId() + " (a BuildComplete event or the schedule)");
    }

    /** The kernel versions the analysis compared (base then tip of each test), then the job's kernel artifacts. */
    private static List<String> kernels(List<String> recorded, Optional<AnalysisReport> analysis) {
        Set<String> kernels = new LinkedHashSet<>();
        for (VmTestAnalysis test : analysis.map(AnalysisReport::tests).orElse(List.of())) {
            kernels.add(test.baseKernel());
            kernels.add(test.tipKernel());
        }
        kernels.addAll(recorded);
        kernels.removeIf(String::isBlank);
        return List.copyOf(kernels);
    }
}
