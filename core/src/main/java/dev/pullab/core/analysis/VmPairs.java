package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.BenchmarkSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.commons.statistics.descriptive.Median;

/**
 * Whether a metric's base and tip values pair up by VM, and the paired comparison when they do: per VM one value per
 * kernel (the median when it measured a kernel more than once), the change {@code log(tip / base)}, the VMs screened
 * out as outliers, and the reference tests on the changes. Pairing needs at least {@link #MIN_PAIRS} VMs with both kernels and only positive values (a log
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
     * @param kept     the log ratios of the VMs kept after screening ({@link #MAD_LIMIT})
     * @param outliers the VMs screened out: their log ratio is more than {@link #MAD_LIMIT} normalised MADs from the
     *                 median of the metric's log ratios
     * @param trimmed  the trimmed-mean t of all the log ratios (on their own), for reference
     * @param paired   the textbook paired t
     * @param wilcoxon the Wilcoxon signed-rank test
     */
    record Pairs(List<PairedComparison.VmChange> changes, boolean reduced, List<String> unpaired, double[] kept,
                 List<String> outliers, TrimmedPairedT.Result trimmed, PairedT.Result paired,
                 WilcoxonSignedRank.Result wilcoxon) {

        /** The mean of the kept log ratios: the estimate. */
        double keptMean() {
            return Arrays.stream(kept).average().orElse(0.0);
        }

        /** The sample variance (ddof 1) of the kept log ratios. */
        double keptVariance() {
            double mean = keptMean();
            return Arrays.stream(kept).map(x -> (x - mean) * (x - mean)).sum() / (kept.length - 1);
        }
    }

    /**
     * A VM whose log ratio is more than this many normalised MADs ({@code 1.4826 × median |d - median(d)|}) from the
     * median of the metric's log ratios is screened out as an outlier (a noisy neighbour during one kernel's run):
     * about 4 standard deviations of clean noise, so a clean VM is almost never dropped (measured in
     * docs/detection.md).
     */
    static final double MAD_LIMIT = 4.0;
    private static final double NORMAL_MAD = 1.4826;

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
        double center = MEDIAN.evaluate(logRatios.clone()); // the median may reorder what it is given
        double mad = NORMAL_MAD * MEDIAN.evaluate(Arrays.stream(logRatios).map(d -> Math.abs(d - center)).toArray());
        List<String> outliers = new ArrayList<>();
        double[] kept = logRatios;
        if (mad > 0.0) {
            kept = IntStream.range(0, logRatios.length).filter(i -> Math.abs(logRatios[i] - center) <= MAD_LIMIT * mad)
                    .mapToDouble(i -> logRatios[i]).toArray();
            IntStream.range(0, logRatios.length).filter(i -> Math.abs(logRatios[i] - center) > MAD_LIMIT * mad)
                    .forEach(i -> outliers.add(changes.get(i).instanceId()));
        }
        return Optional.of(new Pairs(changes, reduced, unpaired, kept, outliers,
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
                : MEDIAN.evaluate(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static final Median MEDIAN = Median.withDefaults();
}
