package dev.pullab.core.report;

import static dev.pullab.core.report.ReportFixtures.KBUILD_NODE_ID;
import static dev.pullab.core.report.ReportFixtures.LOG_URLS;
import static dev.pullab.core.report.ReportFixtures.ORIGIN;
import static dev.pullab.core.report.ReportFixtures.allValues;
import static dev.pullab.core.report.ReportFixtures.benchmarkRun;
import static dev.pullab.core.report.ReportFixtures.bytes;
import static dev.pullab.core.report.ReportFixtures.csv;
import static dev.pullab.core.report.ReportFixtures.jobNode;
import static dev.pullab.core.report.ReportFixtures.jobRun;
import static dev.pullab.core.report.ReportFixtures.kbuildNode;
import static dev.pullab.core.report.ReportFixtures.logKey;
import static dev.pullab.core.report.ReportFixtures.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.kcidb.KcidbNumber;
import dev.pullab.core.kcidb.KcidbRevisionBuilder;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.kernelci.JobOutcome;
import dev.pullab.core.kernelci.NodeLookup;
import dev.pullab.core.kernelci.NodeResult;
import dev.pullab.core.kernelci.NodeTestResult;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.benchmark.RunFile;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("RunReporting: what a finished run reports")
class RunReportingTest {

    private static final String BENCH = "unixbench";
    private static final String BOOT = "kernelci-boot";
    private static final String LTP = "kernelci-ltp";
    private static final String VM_A = "i-0aaa";
    private static final String VM_B = "i-0bbb";
    private static final String VM_C = "i-0ccc";
    private static final String BOOT_PASS = "{\"boot\": {\"status\": \"pass\", \"duration_ms\": 5000}}";

    private final RunReporting reporting = new RunReporting(AnalysisOptions.defaults(), LOG_URLS);
    private final NodeLookup nodes = id -> KBUILD_NODE_ID.equals(id) ? Optional.of(kbuildNode()) : Optional.empty();
    private final KcidbRevisionBuilder revisions = new KcidbRevisionBuilder(ORIGIN, nodes);

    /** A benchmark VM: Dhrystone regresses (≈ -20 %), Pipe_latency does not move. */
    private static VmOutputs benchmarkVm(String instanceId, double dhrystoneBase, double dhrystoneTip) {
        return succeeded(BENCH, instanceId, "x86_64", 2)
                .withBenchmarkFile(csv(BENCH, instanceId, KernelRole.BASE, "Dhrystone,lps," + dhrystoneBase + ",true",
                        "Pipe_latency,us,10.1,false"))
                .withBenchmarkFile(csv(BENCH, instanceId, KernelRole.TIP, "Dhrystone,lps," + dhrystoneTip + ",true",
                        "Pipe_latency,us,10.1,false"));
    }

    private static VmOutputs bootVm(String instanceId, String arch, String resultsJson) {
        return succeeded(BOOT, instanceId, arch, 1).withResultsJson(bytes(resultsJson));
    }

    private static KcidbTestEntry test(RunReport report, String idSuffix) {
        return report.kcidbTests().stream().filter(t -> t.idSuffix().equals(idSuffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no KCIDB test " + idSuffix + " in " + report.kcidbTests()));
    }

    private static NodeTestResult child(JobOutcome outcome, String name) {
        return outcome.tests().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static void assertNoNullOrNonFinite(JsonNode revision) {
        assertThat(allValues(revision)).noneMatch(JsonNode::isNull)
                .allSatisfy(v -> assertThat(!v.isNumber() || Double.isFinite(v.asDouble())).as("finite: %s", v)
                        .isTrue());
    }

    @Nested
    @DisplayName("a 2-VM benchmark run with a regression")
    class BenchmarkRun {

        private final RunRecord run = benchmarkRun(BENCH, 2, List.of(VM_A, VM_B));
        private final RunReport report = reporting.report(run,
                List.of(benchmarkVm(VM_B, 1002, 801), benchmarkVm(VM_A, 1000, 800)), List.of());

        @Test
        @DisplayName("the regressed metric is a FAIL test carrying the tip mean and unit")
        void givenRegression_whenReported_thenMetricFail() {
            KcidbTestEntry dhrystone = test(report, "unixbench.Dhrystone");

            assertThat(dhrystone.status()).contains(KcidbStatus.FAIL);
            assertThat(dhrystone.number()).contains(KcidbNumber.of(800.5, "lps"));
            assertThat(dhrystone.comment()).hasValueSatisfying(c -> assertThat(c).contains("regression")
                    .contains("-20.03%"));
        }

        @Test
        @DisplayName("a metric that did not move is a DONE test")
        void givenStableMetric_whenReported_thenMetricDone() {
            KcidbTestEntry pipe = test(report, "unixbench.Pipe_latency");

            assertThat(pipe.status()).contains(KcidbStatus.DONE);
            assertThat(pipe.number()).contains(KcidbNumber.of(10.1, "us"));
        }

        @Test
        @DisplayName("a metric test carries the statistics in misc")
        void givenRegression_whenReported_thenStatisticsInMisc() {
            MetricComparison dhrystone = report.analysis().orElseThrow().tests().get(0).comparisons().get(0);

            assertThat(test(report, "unixbench.Dhrystone").misc())
                    .containsEntry("pct_change", dhrystone.pctChange())
                    .containsEntry("t_pvalue", dhrystone.tPvalue())
                    .containsEntry("u_pvalue", dhrystone.uPvalue())
                    .containsEntry("t_pvalue_adjusted", dhrystone.tPvalueAdjusted())
                    .containsEntry("u_pvalue_adjusted", dhrystone.uPvalueAdjusted())
                    .containsEntry("cohens_d", dhrystone.cohensD())
                    .containsEntry("base_n", 2).containsEntry("tip_n", 2);
        }

        @Test
        @DisplayName("the analysis names the regressed test")
        void givenRegression_whenReported_thenAnalysisNamesIt() {
            assertThat(report.analysis()).hasValueSatisfying(a -> assertThat(a.regressionTestNames())
                    .containsExactly(BENCH));
        }

        @Test
        @DisplayName("the summary counts both VMs as successful")
        void givenTwoSuccessfulVms_whenReported_thenSummary() {
            assertThat(report.summary()).isEqualTo("VMs: 2/2 spawned, 2 successful, 0 failed, 0 missing");
        }

        @Test
        @DisplayName("a run without a job node has no job outcome")
        void givenNoJobNode_whenReported_thenNoJobOutcome() {
            assertThat(report.jobOutcome()).isEmpty();
        }

        @Test
        @DisplayName("its revision, built for the run prefix, passes the schema")
        void givenNoJobNode_whenRevisionBuilt_thenValid() {
            ObjectNode revision = revisions.buildForRun(run.runPrefix(), report.kcidbTests());

            assertThat(KcidbValidator.validate(revision)).isEmpty();
        }

        @Test
        @DisplayName("its revision has no null and no non-finite number")
        void givenNoJobNode_whenRevisionBuilt_thenNoNullNorNaN() {
            assertNoNullOrNonFinite(revisions.buildForRun(run.runPrefix(), report.kcidbTests()));
        }

        @Test
        @DisplayName("the report does not depend on the order the VMs are given in")
        void givenVmsInOtherOrder_whenReported_thenSameTests() {
            RunReport reversed = reporting.report(run,
                    List.of(benchmarkVm(VM_A, 1000, 800), benchmarkVm(VM_B, 1002, 801)), List.of());

            assertThat(reversed.kcidbTests()).isEqualTo(report.kcidbTests());
        }
    }

    @Test
    @DisplayName("non-finite statistics (a zero base mean, zero variance) are left out of misc")
    void givenZeroBaseAndNoVariance_whenReported_thenNonFiniteOmitted() {
        VmOutputs a = succeeded(BENCH, VM_A, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_A, KernelRole.BASE, "Errors,count,0,false"))
                .withBenchmarkFile(csv(BENCH, VM_A, KernelRole.TIP, "Errors,count,5,false"));
        VmOutputs b = succeeded(BENCH, VM_B, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_B, KernelRole.BASE, "Errors,count,0,false"))
                .withBenchmarkFile(csv(BENCH, VM_B, KernelRole.TIP, "Errors,count,5,false"));

        RunReport report = reporting.report(benchmarkRun(BENCH, 2, List.of(VM_A, VM_B)), List.of(a, b), List.of());

        assertThat(test(report, "unixbench.Errors").misc()).doesNotContainKeys("pct_change", "cohens_d");
        assertNoNullOrNonFinite(revisions.buildForRun("run_x", report.kcidbTests()));
    }

    @Test
    @DisplayName("a malformed CSV on one VM makes it an ERROR test; the other VMs are still analysed")
    void givenMalformedCsvOnOneVm_whenReported_thenErrorAndOthersAnalysed() {
        VmOutputs broken = succeeded(BENCH, VM_C, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_C, KernelRole.BASE, "Dhrystone,lps,fast,true"));

        RunReport report = reporting.report(benchmarkRun(BENCH, 3, List.of(VM_A, VM_B, VM_C)),
                List.of(benchmarkVm(VM_A, 1000, 800), benchmarkVm(VM_B, 1002, 801), broken), List.of());

        KcidbTestEntry error = test(report, BENCH + "@" + VM_C);
        assertThat(error.status()).contains(KcidbStatus.ERROR);
        assertThat(error.comment()).hasValueSatisfying(c -> assertThat(c).contains("benchmark-base-1.csv:2")
                .contains("value 'fast' of metric 'Dhrystone' is not a number"));
        assertThat(report.analysis().orElseThrow().tests().get(0).comparisons().get(0).base().n()).isEqualTo(2);
    }

    @Test
    @DisplayName("a CSV not read (over the per-file limit) is that VM's MALFORMED_BENCHMARK problem naming the limit; "
            + "the run still reports the other VMs")
    void givenCsvNotReadOverLimit_whenReported_thenProblemAndOthersAnalysed() {
        RunFile tooLarge = RunFile.notRead(csv(BENCH, VM_C, KernelRole.TIP, "Dhrystone,lps,1,true").file(),
                "not read: 62914560 bytes is over the limit of 16 MiB per file");
        VmOutputs oversized = succeeded(BENCH, VM_C, "x86_64", 1).withBenchmarkFile(tooLarge);

        RunReport report = reporting.report(benchmarkRun(BENCH, 3, List.of(VM_A, VM_B, VM_C)),
                List.of(benchmarkVm(VM_A, 1000, 800), benchmarkVm(VM_B, 1002, 801), oversized), List.of());

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(VmProblem.Kind.MALFORMED_BENCHMARK);
            assertThat(p.instanceId()).contains(VM_C);
            assertThat(p.message()).isEqualTo(tooLarge.file().location()
                    + ": not read: 62914560 bytes is over the limit of 16 MiB per file");
        });
        assertThat(test(report, BENCH + "@" + VM_C).status()).contains(KcidbStatus.ERROR);
        assertThat(report.analysis().orElseThrow().tests().get(0).comparisons().get(0).base().n()).isEqualTo(2);
    }

    @Test
    @DisplayName("a CSV read but larger than the reporting's per-file limit is refused the same way")
    void givenCsvOverReaderLimit_whenReported_thenProblemNamingLimit() {
        RunReporting small = new RunReporting(AnalysisOptions.defaults(), LOG_URLS, new ReadLimits(100, 1000, 1000));
        VmOutputs vm = succeeded(BENCH, VM_A, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_A, KernelRole.BASE, "Dhrystone,lps,1000,true"));

        RunReport report = small.report(benchmarkRun(BENCH, 1, List.of(VM_A)), List.of(vm), List.of());

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(VmProblem.Kind.MALFORMED_BENCHMARK);
            assertThat(p.message()).endsWith("bytes is over the limit of 100 bytes per file");
        });
    }

    @Test
    @DisplayName("a results.json not read (over a limit) is MALFORMED_RESULTS naming the limit, not 'no results'")
    void givenResultsJsonNotRead_whenReported_thenMalformedResultsNamingLimit() {
        VmOutputs vm = succeeded(BOOT, VM_A, "x86_64", 1)
                .withNotRead("results.json", "not read: 30000000 bytes is over the limit of 16 MiB per file");

        RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)), List.of(vm), List.of());

        assertThat(report.problems()).extracting(VmProblem::kind).containsExactly(VmProblem.Kind.MALFORMED_RESULTS);
        assertThat(report.problems().get(0).message())
                .isEqualTo("results.json not read: 30000000 bytes is over the limit of 16 MiB per file");
        assertThat(report.jobOutcome().orElseThrow().errorMessage()).hasValueSatisfying(m -> assertThat(m)
                .contains("malformed results.json (results.json not read: 30000000 bytes"));
    }

    @Test
    @DisplayName("a VM with a malformed CSV is listed as a problem")
    void givenMalformedCsvOnOneVm_whenReported_thenProblem() {
        VmOutputs broken = succeeded(BENCH, VM_C, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_C, KernelRole.BASE, "Dhrystone,lps,fast,true"));

        RunReport report = reporting.report(benchmarkRun(BENCH, 1, List.of(VM_C)), List.of(broken), List.of());

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(VmProblem.Kind.MALFORMED_BENCHMARK);
            assertThat(p.instanceId()).contains(VM_C);
        });
    }

    @Test
    @DisplayName("no analysis when no test has both base and tip files")
    void givenOnlyBaseFiles_whenReported_thenNoAnalysis() {
        VmOutputs baseOnly = succeeded(BENCH, VM_A, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_A, KernelRole.BASE, "Dhrystone,lps,1000,true"));

        RunReport report = reporting.report(benchmarkRun(BENCH, 1, List.of(VM_A)), List.of(baseOnly), List.of());

        assertThat(report.analysis()).isEmpty();
    }

    @Test
    @DisplayName("VMs disagreeing on a metric's direction make the test an ERROR, not an exception")
    void givenConflictingDirections_whenReported_thenTestError() {
        VmOutputs b = succeeded(BENCH, VM_B, "x86_64", 1)
                .withBenchmarkFile(csv(BENCH, VM_B, KernelRole.BASE, "Dhrystone,lps,1000,false"))
                .withBenchmarkFile(csv(BENCH, VM_B, KernelRole.TIP, "Dhrystone,lps,1000,false"));

        RunReport report = reporting.report(benchmarkRun(BENCH, 2, List.of(VM_A, VM_B)),
                List.of(benchmarkVm(VM_A, 1000, 800), b), List.of());

        assertThat(test(report, BENCH).status()).contains(KcidbStatus.ERROR);
        assertThat(report.problems()).extracting(VmProblem::kind).containsExactly(VmProblem.Kind.ANALYSIS);
    }

    @Nested
    @DisplayName("a KernelCI boot run on 2 VMs")
    class BootRun {

        private final RunRecord run = jobRun(BOOT, 2, List.of(VM_A, VM_B));
        private final RunReport report = reporting.report(run,
                List.of(bootVm(VM_A, "x86_64", BOOT_PASS), bootVm(VM_B, "arm64", BOOT_PASS)), List.of());

        @Test
        @DisplayName("each VM's boot is its own KCIDB test, told apart by the instance id")
        void givenSamePathOnTwoVms_whenReported_thenDiscriminatedTests() {
            assertThat(report.kcidbTests()).extracting(KcidbTestEntry::idSuffix)
                    .containsExactly("boot@" + VM_A, "boot@" + VM_B);
        }

        @Test
        @DisplayName("the revision for the job node has unique ids")
        void givenSamePathOnTwoVms_whenRevisionBuilt_thenUniqueIds() {
            ObjectNode revision = revisions.build(jobNode(), report.kcidbTests());

            assertThat(revision.get("tests")).extracting(t -> t.get("id").asText()).containsExactly(
                    ORIGIN + ":" + ReportFixtures.JOB_NODE_ID + ".boot@" + VM_A,
                    ORIGIN + ":" + ReportFixtures.JOB_NODE_ID + ".boot@" + VM_B);
        }

        @Test
        @DisplayName("the revision for the job node passes the schema")
        void givenJobNode_whenRevisionBuilt_thenValid() {
            ObjectNode revision = revisions.build(jobNode(), report.kcidbTests());

            assertThat(KcidbValidator.validate(revision)).isEmpty();
            assertNoNullOrNonFinite(revision);
        }

        @Test
        @DisplayName("a test carries status, duration in seconds, the last stage log and the VM's misc")
        void givenBootResult_whenReported_thenFieldsMapped() {
            KcidbTestEntry boot = test(report, "boot@" + VM_B);

            assertThat(boot.status()).contains(KcidbStatus.PASS);
            assertThat(boot.durationSeconds()).hasValue(5.0);
            assertThat(boot.logUrl()).contains(URI.create(ReportFixtures.LOG_BASE + logKey(BOOT, VM_B, 1)));
            assertThat(boot.misc()).containsEntry("instance_id", VM_B).containsEntry("instance_type", "m7g.large")
                    .containsEntry("arch", "arm64");
        }

        @Test
        @DisplayName("the job passes with one boot leaf, linking the first VM's log as test_log")
        void givenBootPassOnBoth_whenReported_thenJobPasses() {
            JobOutcome outcome = report.jobOutcome().orElseThrow();

            assertThat(outcome.nodeId()).isEqualTo(ReportFixtures.JOB_NODE_ID);
            assertThat(outcome.result()).isEqualTo(NodeResult.PASS);
            assertThat(outcome.tests()).containsExactly(NodeTestResult.leaf("boot", NodeResult.PASS));
            assertThat(outcome.artifacts())
                    .containsEntry("test_log", ReportFixtures.LOG_BASE + logKey(BOOT, VM_A, 1));
        }
    }

    @Test
    @DisplayName("the same path passing on one VM and failing on another is one failed node")
    void givenPassAndFail_whenReported_thenMergedLeafFails() {
        RunReport report = reporting.report(jobRun(BOOT, 2, List.of(VM_A, VM_B)), List.of(
                bootVm(VM_A, "x86_64", BOOT_PASS), bootVm(VM_B, "arm64", "{\"boot\": {\"status\": \"fail\"}}")),
                List.of());

        assertThat(report.jobOutcome().orElseThrow().tests())
                .containsExactly(NodeTestResult.leaf("boot", NodeResult.FAIL));
    }

    @Nested
    @DisplayName("a KernelCI LTP run")
    class LtpRun {

        private final RunReport report = reporting.report(jobRun(LTP, 1, List.of(VM_A)), List.of(
                succeeded(LTP, VM_A, "x86_64", 1).withResultsJson(bytes("{\"ltp.abort01\": {\"status\": \"pass\"}, "
                        + "\"ltp.abort02\": {\"status\": \"fail\"}, \"ltp.accept01\": {\"status\": \"skip\"}}"))),
                List.of());

        @Test
        @DisplayName("dotted paths become a suite ltp with one leaf per case")
        void givenLtpPaths_whenReported_thenSuiteWithLeaves() {
            NodeTestResult ltp = child(report.jobOutcome().orElseThrow(), "ltp");

            assertThat(ltp.children()).containsExactly(NodeTestResult.leaf("abort01", NodeResult.PASS),
                    NodeTestResult.leaf("abort02", NodeResult.FAIL), NodeTestResult.leaf("accept01", NodeResult.SKIP));
        }

        @Test
        @DisplayName("one failed case fails the suite and the job")
        void givenOneFailedCase_whenReported_thenJobFails() {
            JobOutcome outcome = report.jobOutcome().orElseThrow();

            assertThat(child(outcome, "ltp").effectiveResult()).contains(NodeResult.FAIL);
            assertThat(outcome.result()).isEqualTo(NodeResult.FAIL);
        }
    }

    @Test
    @DisplayName("an error result is an incomplete node")
    void givenErrorResult_whenReported_thenIncompleteLeaf() {
        RunReport report = reporting.report(jobRun(LTP, 1, List.of(VM_A)), List.of(succeeded(LTP, VM_A, "x86_64", 1)
                .withResultsJson(bytes("{\"ltp.a\": {\"status\": \"error\"}, \"ltp.b\": {\"status\": \"pass\"}}"))),
                List.of());

        assertThat(child(report.jobOutcome().orElseThrow(), "ltp").children())
                .contains(NodeTestResult.leaf("a", NodeResult.INCOMPLETE));
    }

    @Test
    @DisplayName("a job whose every result is an error is incomplete with error code Test")
    void givenOnlyErrors_whenReported_thenIncompleteTest() {
        RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)),
                List.of(bootVm(VM_A, "x86_64", "{\"boot\": {\"status\": \"error\"}}")), List.of());

        JobOutcome outcome = report.jobOutcome().orElseThrow();
        assertThat(outcome.result()).isEqualTo(NodeResult.INCOMPLETE);
        assertThat(outcome.errorCode()).contains(ErrorCode.TEST);
    }

    @Nested
    @DisplayName("a malformed results.json on one of 2 VMs")
    class MalformedResults {

        private final RunReport report = reporting.report(jobRun(BOOT, 2, List.of(VM_A, VM_B)), List.of(
                bootVm(VM_A, "x86_64", BOOT_PASS), bootVm(VM_B, "arm64", "{\"boot\": {\"status\": \"passed\"}}")),
                List.of());

        @Test
        @DisplayName("that VM is an ERROR test naming what was wrong")
        void givenBadStatus_whenReported_thenErrorTestWithReason() {
            KcidbTestEntry error = test(report, BOOT + "@" + VM_B);

            assertThat(error.status()).contains(KcidbStatus.ERROR);
            assertThat(error.comment()).contains(
                    "results.json entry 'boot': status \"passed\" is not pass, fail, skip or error");
        }

        @Test
        @DisplayName("the other VM's tests are kept, and the job rolls up from them")
        void givenBadStatusOnOneVm_whenReported_thenOtherVmKept() {
            assertThat(test(report, "boot@" + VM_A).status()).contains(KcidbStatus.PASS);
            assertThat(report.jobOutcome().orElseThrow().result()).isEqualTo(NodeResult.PASS);
        }

        @Test
        @DisplayName("the malformed file is listed as a problem of that VM")
        void givenBadStatus_whenReported_thenProblem() {
            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(VmProblem.Kind.MALFORMED_RESULTS);
                assertThat(p.instanceId()).contains(VM_B);
            });
        }
    }

    @Nested
    @DisplayName("a VM that did not report")
    class MissingVmReport {

        private final RunRecord run = jobRun(BOOT, 2, List.of(VM_A, VM_B));
        private final RunReport report = reporting.report(run, List.of(bootVm(VM_A, "x86_64", BOOT_PASS)),
                List.of(MissingVm.of(BOOT, VM_B)));

        @Test
        @DisplayName("is a MISS test saying it did not report before the deadline")
        void givenMissingVm_whenReported_thenMissTest() {
            KcidbTestEntry miss = test(report, BOOT + "@" + VM_B);

            assertThat(miss.status()).contains(KcidbStatus.MISS);
            assertThat(miss.comment()).contains("VM did not report before the deadline");
            assertThat(miss.misc()).containsEntry("instance_id", VM_B);
        }

        @Test
        @DisplayName("is counted as missing in the summary")
        void givenMissingVm_whenReported_thenSummaryCountsIt() {
            assertThat(report.summary()).isEqualTo("VMs: 2/2 spawned, 1 successful, 0 failed, 1 missing");
        }

        @Test
        @DisplayName("leaves the job to the VM that reported")
        void givenOneVmReported_whenReported_thenJobFromIt() {
            assertThat(report.jobOutcome().orElseThrow().result()).isEqualTo(NodeResult.PASS);
        }

        @Test
        @DisplayName("past the run's deadline makes the job incomplete (Infrastructure), keeping the results found")
        void givenMissingVmPastDeadline_whenReportedOverdue_thenIncompleteWithChildren() {
            RunReport overdue = reporting.reportOverdue(run, List.of(bootVm(VM_A, "x86_64", BOOT_PASS)),
                    List.of(MissingVm.of(BOOT, VM_B)));

            JobOutcome outcome = overdue.jobOutcome().orElseThrow();
            assertThat(outcome.result()).isEqualTo(NodeResult.INCOMPLETE);
            assertThat(outcome.errorCode()).contains(ErrorCode.INFRASTRUCTURE);
            assertThat(outcome.errorMessage()).contains("1 of 2 VMs did not report before the run's deadline");
            assertThat(outcome.tests()).isEqualTo(report.jobOutcome().orElseThrow().tests());
        }

        @Test
        @DisplayName("past the deadline with every VM reported, the job is the VMs' own result")
        void givenNoneMissingPastDeadline_whenReportedOverdue_thenJobFromVms() {
            RunReport overdue = reporting.reportOverdue(run, List.of(bootVm(VM_A, "x86_64", BOOT_PASS),
                    bootVm(VM_B, "x86_64", BOOT_PASS)), List.of());

            assertThat(overdue.jobOutcome().orElseThrow().result()).isEqualTo(NodeResult.PASS);
        }
    }

    @Test
    @DisplayName("a reported VM without result.txt is missing too, and linked to its log")
    void givenOutputsWithoutResultText_whenReported_thenMissWithLog() {
        VmOutputs partial = VmOutputs.of(BENCH, VM_A).withLogKey(logKey(BENCH, VM_A, 1));

        RunReport report = reporting.report(benchmarkRun(BENCH, 1, List.of(VM_A)), List.of(partial), List.of());

        assertThat(test(report, BENCH + "@" + VM_A).status()).contains(KcidbStatus.MISS);
        assertThat(test(report, BENCH + "@" + VM_A).logUrl()).isPresent();
        assertThat(report.summary()).isEqualTo("VMs: 1/1 spawned, 0 successful, 0 failed, 1 missing");
    }

    @Test
    @DisplayName("a FAILED VM without results.json is an ERROR test carrying the failure line")
    void givenFailedWithoutResults_whenReported_thenErrorWithLine() {
        VmOutputs failed = VmOutputs.of(BOOT, VM_A).withResultText("FAILED: Exit code 1 at run 2")
                .withLogKey(logKey(BOOT, VM_A, 2));

        RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)), List.of(failed), List.of());

        KcidbTestEntry error = test(report, BOOT + "@" + VM_A);
        assertThat(error.status()).contains(KcidbStatus.ERROR);
        assertThat(error.comment()).contains("FAILED: Exit code 1 at run 2");
        assertThat(report.summary()).isEqualTo("VMs: 1/1 spawned, 0 successful, 1 failed, 0 missing");
    }

    @Test
    @DisplayName("a FAILED VM with results reports its results and no ERROR test")
    void givenFailedWithResults_whenReported_thenResultsOnly() {
        VmOutputs failed = bootVm(VM_A, "x86_64", "{\"boot\": {\"status\": \"fail\"}}")
                .withResultText("FAILED: Exit code 1 at run 1");

        RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)), List.of(failed), List.of());

        assertThat(report.kcidbTests()).extracting(KcidbTestEntry::idSuffix).containsExactly("boot@" + VM_A);
    }

    @Nested
    @DisplayName("a run whose VMs all missed the deadline")
    class AllMissing {

        private final RunRecord run = jobRun(BOOT, 2, List.of(VM_A, VM_B));
        private final RunReport report = reporting.report(run, List.of(), MissingVm.forRun(run, List.of()));

        @Test
        @DisplayName("ends the job incomplete with Infrastructure, naming how many VMs did not report")
        void givenAllMissing_whenReported_thenIncompleteInfrastructure() {
            JobOutcome outcome = report.jobOutcome().orElseThrow();

            assertThat(outcome.result()).isEqualTo(NodeResult.INCOMPLETE);
            assertThat(outcome.errorCode()).contains(ErrorCode.INFRASTRUCTURE);
            assertThat(outcome.errorMessage()).contains("2 of 2 VMs did not report before the deadline");
            assertThat(outcome.tests()).isEmpty();
        }

        @Test
        @DisplayName("reports a MISS test per VM, in a revision that passes the schema")
        void givenAllMissing_whenRevisionBuilt_thenMissTestsValid() {
            ObjectNode revision = revisions.build(jobNode(), report.kcidbTests());

            assertThat(report.kcidbTests()).extracting(KcidbTestEntry::status).containsOnly(Optional.of(KcidbStatus.MISS));
            assertThat(KcidbValidator.validate(revision)).isEmpty();
        }

        @Test
        @DisplayName("counts every VM as missing")
        void givenAllMissing_whenReported_thenSummary() {
            assertThat(report.summary()).isEqualTo("VMs: 2/2 spawned, 0 successful, 0 failed, 2 missing");
        }
    }

    @Test
    @DisplayName("one failed and one missing VM without results: the message names both")
    void givenFailedAndMissing_whenReported_thenMessageNamesBoth() {
        VmOutputs failed = VmOutputs.of(BOOT, VM_A).withResultText("FAILED: Exit code 1 at run 2");

        RunReport report = reporting.report(jobRun(BOOT, 2, List.of(VM_A, VM_B)), List.of(failed),
                List.of(MissingVm.of(BOOT, VM_B)));

        assertThat(report.jobOutcome().orElseThrow().errorMessage()).contains("1 of 2 VMs did not report before the "
                + "deadline; 1 of 2 VMs failed (FAILED: Exit code 1 at run 2)");
    }

    @Nested
    @DisplayName("a VM the sweeper failed from its console")
    class ConsoleFailures {

        private static final String PANIC = "FAILED: kernel panic on the serial console: \"Kernel panic - not "
                + "syncing: VFS: Unable to mount root fs on unknown-block(0,0)\"";

        @Test
        @DisplayName("the panic line the sweeper wrote in result.txt is the ERROR test's comment and the node's message")
        void givenPanicResult_whenReported_thenLineInKcidbAndNodeMessage() {
            VmOutputs panicked = VmOutputs.of(BOOT, VM_A).withResultText(PANIC + "\n");

            RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)), List.of(panicked), List.of());

            assertThat(test(report, BOOT + "@" + VM_A).comment()).contains(PANIC);
            JobOutcome outcome = report.jobOutcome().orElseThrow();
            assertThat(outcome.result()).isEqualTo(NodeResult.INCOMPLETE);
            assertThat(outcome.errorMessage()).contains("1 of 1 VMs failed (" + PANIC + ")");
        }

        @Test
        @DisplayName("a hang the sweeper wrote reaches the node's message too")
        void givenHangResult_whenReported_thenInNodeMessage() {
            VmOutputs hung = VmOutputs.of(BOOT, VM_A)
                    .withResultText("FAILED: no console or stage output for 31 min (hang)");

            RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)), List.of(hung), List.of());

            assertThat(report.jobOutcome().orElseThrow().errorMessage())
                    .contains("1 of 1 VMs failed (FAILED: no console or stage output for 31 min (hang))");
        }

        @Test
        @DisplayName("a VM that never reported says why from its console: in its MISS test, problem and the node's message")
        void givenMissingWithWhy_whenReportedOverdue_thenWhyEverywhere() {
            String why = "the client never started; console ends: \"Amazon Linux 2023 login:\"";
            RunRecord run = jobRun(BOOT, 1, List.of(VM_A));

            RunReport report = reporting.reportOverdue(run, List.of(), List.of(MissingVm.of(BOOT, VM_A).because(why)));

            assertThat(test(report, BOOT + "@" + VM_A).comment())
                    .contains("VM did not report before the deadline (" + why + ")");
            assertThat(report.problems()).extracting(VmProblem::message)
                    .contains("VM did not report before the deadline (" + why + ")");
            assertThat(report.jobOutcome().orElseThrow().errorMessage()).contains(
                    "1 of 1 VMs did not report before the run's deadline (" + VM_A + ": " + why + ")");
        }

        @Test
        @DisplayName("before the deadline too, the message of a job without results names why")
        void givenMissingWithWhy_whenReported_thenWhyInMessage() {
            RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)), List.of(),
                    List.of(MissingVm.of(BOOT, VM_A).because("its serial console is empty")));

            assertThat(report.jobOutcome().orElseThrow().errorMessage()).contains(
                    "1 of 1 VMs did not report before the deadline (" + VM_A + ": its serial console is empty)");
        }
    }

    @Test
    @DisplayName("never launched VMs get distinct MISS tests")
    void givenTwoUnlaunchedVms_whenReported_thenDistinctMissTests() {
        RunReport report = reporting.report(jobRun(BOOT, 2, List.of()), List.of(),
                List.of(MissingVm.unlaunched(BOOT), MissingVm.unlaunched(BOOT)));

        assertThat(report.kcidbTests()).extracting(KcidbTestEntry::idSuffix)
                .containsExactly(BOOT + "@missing-1", BOOT + "@missing-2");
    }

    @Test
    @DisplayName("a job VM that succeeded without results.json is an ERROR test")
    void givenSuccessWithoutResults_whenReported_thenError() {
        RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)),
                List.of(succeeded(BOOT, VM_A, "x86_64", 1)), List.of());

        assertThat(test(report, BOOT + "@" + VM_A).status()).contains(KcidbStatus.ERROR);
        assertThat(report.jobOutcome().orElseThrow().errorMessage()).contains("1 of 1 VMs wrote no results");
    }

    @Test
    @DisplayName("a log URL that is not absolute is left out and reported")
    void givenRelativeLogUrl_whenReported_thenUnlinkedAndProblem() {
        RunReporting relative = new RunReporting(AnalysisOptions.defaults(), URI::create);

        RunReport report = relative.report(jobRun(BOOT, 1, List.of(VM_A)),
                List.of(bootVm(VM_A, "x86_64", BOOT_PASS)), List.of());

        assertThat(test(report, "boot@" + VM_A).logUrl()).isEmpty();
        assertThat(report.problems()).extracting(VmProblem::kind).containsExactly(VmProblem.Kind.LOG_URL);
    }

    @Test
    @DisplayName("the same VM given twice keeps its first tests and reports the duplicates")
    void givenDuplicateVm_whenReported_thenDuplicatesDropped() {
        RunReport report = reporting.report(jobRun(BOOT, 1, List.of(VM_A)),
                List.of(bootVm(VM_A, "x86_64", BOOT_PASS), bootVm(VM_A, "x86_64", BOOT_PASS)), List.of());

        assertThat(report.kcidbTests()).hasSize(1);
        assertThat(report.problems()).extracting(VmProblem::kind).containsExactly(VmProblem.Kind.DUPLICATE_TEST);
    }
}
