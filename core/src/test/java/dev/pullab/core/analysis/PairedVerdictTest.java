package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.benchmark.BenchmarkSample;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Base and tip measured on the same VMs are compared VM by VM: the spread between VMs cancels out. */
@DisplayName("paired verdicts: each VM's tip against its own base")
class PairedVerdictTest {

    /** Ten VMs far apart (±20 %), each a little noisy (about 0.3 %), as EC2 hosts of one instance type are. */
    private static final double[] VM_SPEED = {1.00, 1.18, 0.83, 1.09, 0.91, 1.21, 0.80, 1.04, 0.96, 1.13};
    private static final double[] NOISE = {0.002, -0.003, 0.001, 0.003, -0.002, 0.0, -0.001, 0.002, -0.003, 0.001};

    private final List<BenchmarkSample> base = new ArrayList<>();
    private final List<BenchmarkSample> tip = new ArrayList<>();

    @Test
    @DisplayName("a 3 % slowdown hidden by the VM spread is a paired regression; unpaired it goes unseen")
    void pairingSeesThroughTheVmSpread() {
        measure("Process_Creation", 1000, -0.03, 10);

        MetricComparison paired = only(AnalysisOptions.defaults());
        MetricComparison unpaired = only(new AnalysisOptions(Correction.HOLM, 0.05, 0.5, 1.0,
                AnalysisOptions.Pairing.OFF));

        assertThat(paired.isRegression()).isTrue();
        assertThat(paired.paired().pairs()).isEqualTo(10);
        assertThat(paired.change()).isCloseTo(-3.0, org.assertj.core.data.Offset.offset(0.3));
        assertThat(paired.paired().ciLowPct()).isLessThan(paired.change());
        assertThat(paired.paired().ciHighPct()).isGreaterThan(paired.change()).isLessThan(0.0);
        assertThat(unpaired.isRegression()).isFalse();
        assertThat(unpaired.paired()).isNull();
    }

    @Test
    @DisplayName("the same change in the better direction is an improvement, not a regression")
    void betterIsImprovement() {
        measure("Dhrystone", 1000, +0.03, 10);

        MetricComparison c = only(AnalysisOptions.defaults());

        assertThat(c.isImprovement()).isTrue();
        assertThat(c.isRegression()).isFalse();
    }

    @Test
    @DisplayName("a significant change smaller than --min-change is neither")
    void belowMinChangeIsNeither() {
        measure("Pipe_Throughput", 1000, -0.008, 10);

        MetricComparison c = only(AnalysisOptions.defaults());

        assertThat(c.paired().moderatedPvalueAdjusted()).isLessThan(0.05);
        assertThat(c.isRegression()).isFalse();
        assertThat(c.isImprovement()).isFalse();
    }

    @Test
    @DisplayName("VMs that measured one kernel only are left out of the pairing and listed")
    void oneKernelVmsListed() {
        measure("Process_Creation", 1000, -0.03, 10);
        base.add(sample(KernelRole.BASE, "Process_Creation", "i-base-only", 1000));
        tip.add(sample(KernelRole.TIP, "Process_Creation", "i-tip-only", 900));

        MetricComparison c = only(AnalysisOptions.defaults());

        assertThat(c.paired().pairs()).isEqualTo(10);
        assertThat(c.paired().unpairedVms()).containsExactlyInAnyOrder("i-base-only", "i-tip-only");
        assertThat(c.isRegression()).isTrue();
    }

    @Test
    @DisplayName("a VM that ran a kernel several times counts once, with its median, and the report says so")
    void repeatedRunsReducedToMedian() {
        measure("Process_Creation", 1000, -0.03, 10);
        base.add(sample(KernelRole.BASE, "Process_Creation", "i-0", 5000)); // i-0 measured base twice more
        base.add(sample(KernelRole.BASE, "Process_Creation", "i-0", 900));

        MetricComparison c = only(AnalysisOptions.defaults());

        assertThat(c.paired().reducedToMedian()).isTrue();
        assertThat(c.paired().vmChanges()).filteredOn(v -> v.instanceId().equals("i-0")).singleElement()
                .satisfies(v -> assertThat(v.base()).isEqualTo(1000 * 1.002));
    }

    @Test
    @DisplayName("different VMs per kernel (older runs) are compared unpaired, as before")
    void differentVmsUnpaired() {
        for (int vm = 0; vm < 5; vm++) {
            base.add(sample(KernelRole.BASE, "m", "i-b" + vm, 1000 + vm));
            tip.add(sample(KernelRole.TIP, "m", "i-t" + vm, 900 + vm));
        }

        assertThat(only(AnalysisOptions.defaults()).paired()).isNull();
    }

    @Test
    @DisplayName("a zero or negative value has no log ratio: the metric is compared unpaired")
    void nonPositiveUnpaired() {
        measure("m", 1000, -0.03, 10);
        base.set(0, sample(KernelRole.BASE, "m", "i-0", 0.0));

        assertThat(only(AnalysisOptions.defaults()).paired()).isNull();
    }

    @Test
    @DisplayName("an outlier VM is set aside, and the test's other metrics lend their noise level")
    void outlierVmAndBorrowedVariance() {
        for (int m = 0; m < 12; m++) {
            measure("metric" + m, 1000 + m, m == 0 ? -0.03 : 0.0, 10);
        }
        // a noisy neighbour during VM i-3's tip run of metric0: far out
        tip.set(3, sample(KernelRole.TIP, "metric0", "i-3", tip.get(3).value() * 1.18));

        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults())
                .analyze(new RunSamples(List.of(new VmTestSamples("ub", base, tip, 1, 1))));

        assertThat(report.tests().get(0).regressions()).extracting(MetricComparison::metric)
                .containsExactly("metric0");
        MetricComparison c = report.tests().get(0).comparisons().get(0);
        assertThat(c.paired().outlierVms()).containsExactly("i-3");
        assertThat(c.paired().priorDf()).isPositive();
        assertThat(c.paired().moderatedDf()).isGreaterThan(c.paired().trimmedDf());
        assertThat(c.paired().pairedTPvalue()).isGreaterThan(c.paired().moderatedPvalue());
    }

    private void measure(String metric, double level, double change, int vms) {
        for (int vm = 0; vm < vms; vm++) {
            double speed = level * VM_SPEED[vm];
            base.add(sample(KernelRole.BASE, metric, "i-" + vm, speed * (1 + NOISE[vm])));
            tip.add(sample(KernelRole.TIP, metric, "i-" + vm, speed * (1 + change) * (1 - NOISE[(vm + 3) % vms])));
        }
    }

    private static BenchmarkSample sample(KernelRole role, String metric, String vm, double value) {
        return new BenchmarkSample("ub", role, metric, "lps", value, true, role == KernelRole.BASE ? "6.1.141"
                : "6.1.150", vm, "m5.large", "x86_64", role.label() + ".csv:2");
    }

    private MetricComparison only(AnalysisOptions options) {
        RunSamples run = new RunSamples(List.of(new VmTestSamples("ub", base, tip, 1, 1)));
        return new RegressionAnalyzer(options).analyze(run).tests().get(0).comparisons().get(0);
    }
}
