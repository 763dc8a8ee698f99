package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.BenchmarkSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.statistics.descriptive.Median;

/**
 * Whether a metric's base and tip values pair up by VM, and the paired comparison when they do: per VM one value per
 * kernel (the median when it measured a kernel more than once), the change {@code log(tip / base)}, and the tests on
 * those changes. Pairing needs at least {@link #MIN_PAIRS} VMs with both kernels and only positive values (a log
 * ratio of a zero or negative value has no meaning); otherwise the metric is compared unpaired, as older runs with
 * different VMs per kernel are.
 */
final class VmPairs {

    /** The fewest VMs with both kernels for a paired comparison: below it the trimmed t has no degree of freedom. */
    static final int MIN_PAIRS = 3;

    private VmPairs() {
    }

    /**
     * One metric's pairs and the tests of their log ratios, before variance is borrowed across metrics.
     *
     * @param changes  per VM: base, tip, change
     * @param reduced  some VM's values were reduced to their median
     * @param unpaired VMs with one kernel only
     * @param trimmed  the trimmed-mean t of the log ratios (on their own)
     * @param paired   the textbook paired t
     * @param wilcoxon the Wilcoxon signed-rank test
     */
    record Pairs(List<PairedComparison.VmChange> changes, boolean reduced, List<String> unpaired,
                 TrimmedPairedT.Result trimmed, PairedT.Result paired, WilcoxonSignedRank.Result wilcoxon) {

        /** The winsorized variance of the log ratios, {@code s_w²}, recovered from the trimmed t's standard error. */
        double winsorizedVariance() {
            double sw = trimmed.standardError() * (1.0 - 2.0 * TrimmedPairedT.DEFAULT_TRIM) * Math.sqrt(changes.size());
            return sw * sw;
        }
    }

    /** One metric's pairs; empty when it does not pair. */
    static Optional<Pairs> of(List<BenchmarkSample> base, List<BenchmarkSample> tip) {
        Map<String, List<Double>> baseByVm = byVm(base);
        Map<String, List<Double>> tipByVm = byVm(tip);
        List<String> unpaired = new ArrayList<>();
        baseByVm.keySet().stream().filter(vm -> !tipByVm.containsKey(vm)).forEach(unpaired::add);
        tipByVm.keySet().stream().filter(vm -> !baseByVm.containsKey(vm)).forEach(unpaired::add);
        List<PairedComparison.VmChange> changes = new ArrayList<>();
        boolean reduced = false;
        for (Map.Entry<String, List<Double>> vm : baseByVm.entrySet()) {
            List<Double> tipValues = tipByVm.get(vm.getKey());
            if (tipValues == null) {
                continue;
            }
            reduced |= vm.getValue().size() > 1 || tipValues.size() > 1;
            double b = median(vm.getValue());
            double t = median(tipValues);
            if (!(b > 0.0 && t > 0.0)) {
                return Optional.empty();
            }
            changes.add(new PairedComparison.VmChange(vm.getKey(), b, t, (t / b - 1.0) * 100.0));
        }
        if (changes.size() < MIN_PAIRS) {
            return Optional.empty();
        }
        double[] logRatios = changes.stream().mapToDouble(c -> Math.log(c.tip() / c.base())).toArray();
        return Optional.of(new Pairs(changes, reduced, unpaired,
                TrimmedPairedT.test(logRatios, TrimmedPairedT.DEFAULT_TRIM), PairedT.test(logRatios),
                WilcoxonSignedRank.test(logRatios)));
    }

    /** A log ratio as a change in percent. */
    static double percent(double logRatio) {
        return Math.expm1(logRatio) * 100.0;
    }

    private static Map<String, List<Double>> byVm(List<BenchmarkSample> samples) {
        Map<String, List<Double>> byVm = new TreeMap<>();
        samples.forEach(s -> byVm.computeIfAbsent(s.instanceId(), k -> new ArrayList<>()).add(s.value()));
        return byVm;
    }

    private static double median(List<Double> values) {
        return values.size() == 1 ? values.get(0)
                : Median.withDefaults().evaluate(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
