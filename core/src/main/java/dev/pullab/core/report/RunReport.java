package dev.pullab.core.report;

import dev.pullab.core.kernelci.NodeResult;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.kernelci.JobOutcome;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a finished run reports, built by {@link RunReporting}: the regression analysis, the KCIDB tests, the
 * KernelCI job outcome and the pipeline summary.
 *
 * @param analysis   the benchmark regression analysis; empty when no test has both base and tip measurements
 * @param kcidbTests the tests to submit to KCIDB, ids unique (may be empty: a run without results, benchmarks or
 *                   problems has nothing to submit, and a revision needs a test)
 * @param jobOutcome how the KernelCI job ended, for runs of a job node; empty for other runs
 * @param vms        how the VMs ended
 * @param problems   what went wrong, per VM or test, in VM order
 */
public record RunReport(Optional<AnalysisReport> analysis, List<KcidbTestEntry> kcidbTests,
                        Optional<JobOutcome> jobOutcome, VmCounts vms, List<VmProblem> problems) {

    public RunReport {
        Objects.requireNonNull(analysis, "analysis");
        kcidbTests = List.copyOf(kcidbTests);
        Objects.requireNonNull(jobOutcome, "jobOutcome");
        Objects.requireNonNull(vms, "vms");
        problems = List.copyOf(problems);
    }

    /** The pipeline log line: {@code VMs: X/X spawned, Y successful, Z failed, W missing}. */
    public String summary() {
        return vms.summary();
    }

    /**
     * The run's verdict in a few words, then its summary: {@code regression (<tests>)} when a benchmark regressed,
     * else {@code fail} when a VM failed or is missing, else {@code fail (tests)} when every VM ran but a test case
     * failed (the job node's result, or a KCIDB test FAIL), else {@code incomplete} when the job node ends so, else
     * {@code pass}; e.g.
     * {@code fail; VMs: 2/2 spawned, 1 successful, 0 failed, 1 missing}.
     */
    public String verdict() {
        return outcome() + "; " + summary();
    }

    /** The verdict's words without the summary, e.g. {@code regression (unixbench)} or {@code pass}. */
    public String outcome() {
        String word;
        List<String> regressed = analysis.map(AnalysisReport::regressionTestNames).orElse(List.of());
        if (!regressed.isEmpty()) {
            word = "regression (" + String.join(", ", regressed) + ")";
        } else if (vms.failed() > 0 || vms.missing() > 0) {
            word = "fail";
        } else if (testsFailed()) {
            word = "fail (tests)";
        } else if (jobOutcome.map(o -> o.result() == NodeResult.INCOMPLETE).orElse(false)) {
            word = "incomplete";
        } else {
            word = "pass";
        }
        return word;
    }

    private boolean testsFailed() {
        return jobOutcome.map(o -> o.result() == NodeResult.FAIL).orElseGet(() -> kcidbTests.stream()
                .anyMatch(t -> t.status().filter(st -> st == dev.pullab.core.kcidb.KcidbStatus.FAIL).isPresent()));
    }
}
