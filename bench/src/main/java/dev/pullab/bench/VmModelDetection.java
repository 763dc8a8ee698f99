package dev.pullab.bench;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.PairedComparison;
import dev.pullab.core.analysis.PairedT;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.analysis.TrimmedPairedT;
import dev.pullab.core.benchmark.BenchmarkSample;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Detection quality under the lab's own design, every VM measuring both kernels (issue 18): per metric each VM has
 * its own offset shared by both kernels, each measurement its own in-VM noise, and now and then one kernel's value on
 * a VM is far off (a noisy neighbour during that kernel's run). Base and tip of a VM carry the same instance id
 * ({@code i-<vm>}), so pullab's default analysis pairs them.
 *
 * <p>Value of metric {@code m} on VM {@code v} and kernel {@code k}:
 * {@code 1000 × change(k, m) × offset(v, m) × (1 + noise × N(0,1)) × outlier(v, m, k)}, where
 * {@code offset} is log-normal with mean 1 and relative SD {@code vmSpread} (drawn once per VM and metric, shared by
 * both kernels), and {@code outlier} is 1 except, with probability {@code outlierRate} per VM and metric, on one of
 * the two kernels (either, equally likely), where it is {@code 1 ± U(outlierMin, outlierMax)} (either sign). Even
 * metrics are more-is-better; the tip's metric 0 is shifted by each of {@code shifts} (negative: worse).
 *
 * <p>Rules, all on the same simulated runs: pullab_cloud's README rule (from the unpaired analysis with
 * {@link Correction#NONE}), today's unpaired default (Holm, {@link AnalysisOptions.Pairing#OFF}), the new paired
 * default ({@link AnalysisOptions#defaults()}: outlier VMs set aside, variance borrowed across metrics), and as references the textbook paired t and the
 * Wilcoxon signed-rank test (their p-values from {@link MetricComparison#paired()}, Holm across the test's paired
 * metrics, {@code |changePct| >= 1}, worse direction), plus one trimmed t per {@code trims} entry computed here from
 * the per-VM changes (Holm, its own trimmed estimate {@code >= 1 %}, worse direction).
 */
public final class VmModelDetection {

    public static final String CLOUD = "pullab_cloud";
    public static final String UNPAIRED_HOLM = "unpaired holm";
    public static final String PAIRED_DEFAULT = "paired default";
    public static final String PAIRED_T = "ref paired t";
    public static final String WILCOXON = "ref wilcoxon";
    private static final int FIXED_RULES = 5;

    private VmModelDetection() {
    }

    /**
     * @param runs        simulated runs per cell (VM count × scenario)
     * @param vmCounts    VM counts, side by side
     * @param metrics     metrics per run
     * @param noise       in-VM relative SD of a measurement
     * @param vmSpread    relative SD of a VM's offset (shared by both kernels)
     * @param outlierRate probability per VM and metric that one kernel's value is an outlier
     * @param outlierMin  smallest relative error of an outlier (e.g. 0.10)
     * @param outlierMax  largest (e.g. 0.20)
     * @param seed        random seed
     * @param shifts      shifts of metric 0 of the tip, in percent (negative: worse)
     * @param extras      extra reference rows computed here from the per-VM changes
     * @param threads     cells simulated in parallel (the figures do not depend on it)
     */
    public record Params(int runs, List<Integer> vmCounts, int metrics, double noise, double vmSpread,
                         double outlierRate, double outlierMin, double outlierMax, long seed, List<Double> shifts,
                         List<Extra> extras, int threads) {
        public Params {
            vmCounts = List.copyOf(vmCounts);
            shifts = List.copyOf(shifts);
            extras = List.copyOf(extras);
            if (runs < 1 || vmCounts.isEmpty() || vmCounts.stream().anyMatch(n -> n < 3) || metrics < 1
                    || !(noise > 0) || !(vmSpread >= 0) || !(outlierRate >= 0 && outlierRate <= 1)
                    || !(outlierMin >= 0 && outlierMax >= outlierMin && outlierMax < 1) || shifts.isEmpty()
                    || threads < 1) {
                throw new IllegalArgumentException("need runs >= 1, VM counts >= 3, metrics >= 1, noise > 0, "
                        + "vm spread >= 0, outlier rate in [0, 1], 0 <= outlier min <= max < 100 %, a shift, "
                        + "threads >= 1");
            }
        }
    }

    /**
     * One rule at one VM count.
     *
     * @param vms            VMs per kernel (each measuring both)
     * @param falseAlarmRate no-change runs with at least one metric flagged as a regression
     * @param detectionRates per shift: runs in which metric 0 was flagged as a regression
     */
    public record Cell(int vms, double falseAlarmRate, List<Double> detectionRates) {
        public Cell {
            detectionRates = List.copyOf(detectionRates);
        }
    }

    /** One rule's cells, in {@link Params#vmCounts()} order. */
    public record Row(String rule, List<Cell> cells) {
        public Row {
            cells = List.copyOf(cells);
        }

        public Cell cell(int vms) {
            return cells.stream().filter(c -> c.vms() == vms).findFirst().orElseThrow();
        }
    }

    /**
     * @param params      what was run
     * @param rows        pullab_cloud, unpaired holm, paired default, ref paired t, ref wilcoxon, then one per trim
     * @param seconds     wall time of the simulation
     * @param loadAverage the system load average after the run
     */
    public record Result(Params params, List<Row> rows, double seconds, double loadAverage) {

        public Row row(String rule) {
            return rows.stream().filter(r -> r.rule().equals(rule)).findFirst().orElseThrow();
        }
    }

    /**
     * An extra reference row, computed here from the per-VM {@code log(tip / base)}: Holm across the metrics, adjusted
     * p &lt; alpha, its own estimate at least the default min change, worse direction.
     *
     * @param kind     {@code trim}: the trimmed-mean t with trim {@code param} (fraction cut from each end);
     *                 {@code mad}: VMs whose log ratio is more than {@code param} normalised MADs
     *                 ({@code 1.4826 × median |x - median|}) from the median are dropped, then the paired t on the rest
     * @param param    the trim or the MAD multiple
     * @param oneSided the p-value is one-sided in the worse direction (a regression family of its own; improvements
     *                 would be a second one-sided family)
     */
    public record Extra(String kind, double param, boolean oneSided) {
        public Extra {
            if (kind.equals("trim") ? !(param >= 0 && param < 0.5) : !kind.equals("mad") || !(param > 0)) {
                throw new IllegalArgumentException("extra rule: trim:<fraction in [0, 0.5)> or mad:<multiple > 0>, "
                        + "optionally :1s (one-sided), got " + kind + ":" + param);
            }
        }

        /** {@code trim:0.1}, {@code mad:3.5}, {@code trim:0.2:1s}. */
        public static Extra parse(String text) {
            String[] parts = text.trim().split(":");
            if (parts.length < 2 || parts.length > 3 || parts.length == 3 && !parts[2].equals("1s")) {
                throw new IllegalArgumentException("extra rule: trim:<fraction> or mad:<multiple>, optionally :1s, "
                        + "got '" + text + "'");
            }
            try {
                return new Extra(parts[0], Double.parseDouble(parts[1]), parts.length == 3);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("extra rule: not a number in '" + text + "'");
            }
        }

        /** The row's label, e.g. {@code ref trim 10%}, {@code ref mad 3.5 1s}. */
        public String label() {
            String value = kind.equals("trim") ? pct(param * 100) : BenchStats.number(param).replaceAll("\\.?0+$", "");
            return "ref " + kind + " " + value + (oneSided ? " 1s" : "");
        }

        /** {p-value, estimated change in percent} of one metric's log ratios. */
        double[] test(double[] logRatios, boolean moreIsBetter) {
            double p;
            double estimate;
            if (kind.equals("trim")) {
                TrimmedPairedT.Result r = TrimmedPairedT.test(logRatios, param);
                p = r.pValue();
                estimate = r.trimmedMean();
            } else {
                double[] kept = withoutOutliers(logRatios, param);
                PairedT.Result r = PairedT.test(kept);
                p = r.pValue();
                estimate = r.meanDifference();
            }
            double change = Math.expm1(estimate) * 100;
            if (oneSided) {
                boolean worse = moreIsBetter ? change < 0 : change > 0;
                p = worse ? p / 2 : 1 - p / 2;
            }
            return new double[] {p, change};
        }
    }

    /** The values within {@code k} normalised MADs of their median (all of them when the MAD is 0). */
    static double[] withoutOutliers(double[] values, double k) {
        double median = median(values);
        double[] deviations = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            deviations[i] = Math.abs(values[i] - median);
        }
        double mad = 1.4826 * median(deviations);
        if (mad == 0) {
            return values.clone();
        }
        return java.util.Arrays.stream(values).filter(v -> Math.abs(v - median) <= k * mad).toArray();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Runs every cell and prints the table to {@code out}. */
    public static Result run(Params p, PrintStream out) {
        out.printf(Locale.ROOT, "detection bench, model vm: %d simulated runs per cell, %d metrics, VMs %s (each "
                        + "measures both kernels), in-VM noise sd %s %%, VM spread sd %s %%, outlier rate %s per VM "
                        + "and metric (one kernel off by %s-%s %%), alpha %s, min change %s %%, seed %d%n",
                p.runs(), p.metrics(), p.vmCounts(), BenchStats.number(p.noise() * 100),
                BenchStats.number(p.vmSpread() * 100), BenchStats.number(p.outlierRate()),
                BenchStats.number(p.outlierMin() * 100), BenchStats.number(p.outlierMax() * 100),
                AnalysisOptions.DEFAULT_ALPHA, AnalysisOptions.DEFAULT_MIN_CHANGE_PCT, p.seed());
        out.println(BenchStats.machine());
        long start = System.nanoTime();
        int rules = FIXED_RULES + p.extras().size();
        int scenarios = 1 + p.shifts().size();
        // one random stream per cell, split in a fixed order: the figures do not depend on the thread count
        SplittableRandom root = new SplittableRandom(p.seed());
        List<SplittableRandom> randoms = new ArrayList<>();
        for (int v = 0; v < p.vmCounts().size(); v++) {
            for (int s = 0; s < scenarios; s++) {
                randoms.add(root.split());
            }
        }
        double[][][] rates = new double[rules][p.vmCounts().size()][scenarios];
        ExecutorService pool = Executors.newFixedThreadPool(p.threads());
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int v = 0; v < p.vmCounts().size(); v++) {
                for (int s = 0; s < scenarios; s++) {
                    int vms = p.vmCounts().get(v);
                    double change = s == 0 ? 1.0 : 1 + p.shifts().get(s - 1) / 100;
                    boolean noChange = s == 0;
                    SplittableRandom random = randoms.get(v * scenarios + s);
                    futures.add(pool.submit(() -> cell(p, vms, change, noChange, random)));
                }
            }
            for (int v = 0; v < p.vmCounts().size(); v++) {
                for (int s = 0; s < scenarios; s++) {
                    double[] cell = futures.get(v * scenarios + s).get();
                    for (int rule = 0; rule < rules; rule++) {
                        rates[rule][v][s] = cell[rule];
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a cell failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<Row> rows = new ArrayList<>();
        for (int rule = 0; rule < rules; rule++) {
            List<Cell> cells = new ArrayList<>();
            for (int v = 0; v < p.vmCounts().size(); v++) {
                List<Double> detection = new ArrayList<>();
                for (int s = 1; s < scenarios; s++) {
                    detection.add(rates[rule][v][s]);
                }
                cells.add(new Cell(p.vmCounts().get(v), rates[rule][v][0], detection));
            }
            rows.add(new Row(label(p, rule), cells));
        }
        Result result = new Result(p, rows, (System.nanoTime() - start) / 1e9, BenchStats.loadAverage());
        print(result, out);
        return result;
    }

    private static String label(Params p, int rule) {
        return switch (rule) {
            case 0 -> CLOUD;
            case 1 -> UNPAIRED_HOLM;
            case 2 -> PAIRED_DEFAULT;
            case 3 -> PAIRED_T;
            case 4 -> WILCOXON;
            default -> p.extras().get(rule - FIXED_RULES).label();
        };
    }

    /**
     * Per rule: the share of runs with any metric flagged ({@code noChange}) or with metric 0 flagged.
     */
    private static double[] cell(Params p, int vms, double change, boolean noChange, SplittableRandom random) {
        RegressionAnalyzer unpairedNone = new RegressionAnalyzer(new AnalysisOptions(Correction.NONE,
                AnalysisOptions.DEFAULT_ALPHA, AnalysisOptions.DEFAULT_MIN_EFFECT,
                AnalysisOptions.DEFAULT_MIN_CHANGE_PCT, AnalysisOptions.Pairing.OFF));
        RegressionAnalyzer unpairedHolm = new RegressionAnalyzer(new AnalysisOptions(Correction.HOLM,
                AnalysisOptions.DEFAULT_ALPHA, AnalysisOptions.DEFAULT_MIN_EFFECT,
                AnalysisOptions.DEFAULT_MIN_CHANGE_PCT, AnalysisOptions.Pairing.OFF));
        RegressionAnalyzer paired = new RegressionAnalyzer(AnalysisOptions.defaults());
        int rules = FIXED_RULES + p.extras().size();
        int[] hits = new int[rules];
        for (int run = 0; run < p.runs(); run++) {
            RunSamples samples = samples(p, vms, change, random);
            boolean[][] flagged = new boolean[rules][p.metrics()];
            for (MetricComparison c : comparisons(unpairedNone, samples, p.metrics())) {
                flagged[0][index(c)] = DetectionBench.cloudRule(c);
            }
            for (MetricComparison c : comparisons(unpairedHolm, samples, p.metrics())) {
                flagged[1][index(c)] = c.isRegression();
            }
            List<MetricComparison> pairedComparisons = comparisons(paired, samples, p.metrics());
            double[] pairedTp = new double[p.metrics()];
            double[] wilcoxonP = new double[p.metrics()];
            double[][] extraP = new double[p.extras().size()][p.metrics()];
            double[][] extraChange = new double[p.extras().size()][p.metrics()];
            boolean[] moreIsBetter = new boolean[p.metrics()];
            double[] changePct = new double[p.metrics()];
            for (MetricComparison c : pairedComparisons) {
                int m = index(c);
                PairedComparison pc = c.paired();
                if (pc == null) {
                    throw new IllegalStateException("metric " + c.metric() + " was not compared paired");
                }
                flagged[2][m] = c.isRegression();
                pairedTp[m] = pc.pairedTPvalue();
                wilcoxonP[m] = pc.wilcoxonPvalue();
                changePct[m] = pc.changePct();
                moreIsBetter[m] = c.moreIsBetter();
                double[] logRatios = pc.vmChanges().stream().mapToDouble(x -> Math.log(x.tip() / x.base()))
                        .toArray();
                for (int e = 0; e < p.extras().size(); e++) {
                    double[] pAndChange = p.extras().get(e).test(logRatios, c.moreIsBetter());
                    extraP[e][m] = pAndChange[0];
                    extraChange[e][m] = pAndChange[1];
                }
            }
            referenceRule(flagged[3], pairedTp, changePct, moreIsBetter);
            referenceRule(flagged[4], wilcoxonP, changePct, moreIsBetter);
            for (int e = 0; e < p.extras().size(); e++) {
                referenceRule(flagged[FIXED_RULES + e], extraP[e], extraChange[e], moreIsBetter);
            }
            for (int rule = 0; rule < rules; rule++) {
                hits[rule] += (noChange ? any(flagged[rule]) : flagged[rule][0]) ? 1 : 0;
            }
        }
        double[] shares = new double[rules];
        for (int rule = 0; rule < rules; rule++) {
            shares[rule] = (double) hits[rule] / p.runs();
        }
        return shares;
    }

    /**
     * A paired rule on other p-values: Holm across the test's paired metrics, adjusted p &lt; alpha,
     * |change| &ge; the default min change, worse direction.
     */
    static void referenceRule(boolean[] flagged, double[] p, double[] changePct, boolean[] moreIsBetter) {
        double[] adjusted = Correction.HOLM.adjust(p);
        for (int m = 0; m < p.length; m++) {
            boolean worse = moreIsBetter[m] ? changePct[m] < 0 : changePct[m] > 0;
            flagged[m] = worse && adjusted[m] < AnalysisOptions.DEFAULT_ALPHA
                    && Math.abs(changePct[m]) >= AnalysisOptions.DEFAULT_MIN_CHANGE_PCT;
        }
    }

    private static List<MetricComparison> comparisons(RegressionAnalyzer analyzer, RunSamples samples, int metrics) {
        List<MetricComparison> comparisons = analyzer.analyze(samples).tests().get(0).comparisons();
        if (comparisons.size() != metrics) {
            throw new IllegalStateException(comparisons.size() + " metrics compared, expected " + metrics);
        }
        return comparisons;
    }

    private static int index(MetricComparison c) {
        return Integer.parseInt(c.metric().substring(1));
    }

    private static boolean any(boolean[] flags) {
        for (boolean f : flags) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    /** One run: every metric on both kernels of every VM, metric 0 of the tip scaled by {@code change}. */
    static RunSamples samples(Params p, int vms, double change, SplittableRandom random) {
        List<BenchmarkSample> base = new ArrayList<>(p.metrics() * vms);
        List<BenchmarkSample> tip = new ArrayList<>(p.metrics() * vms);
        // log-normal with mean 1 and relative SD vmSpread
        double sigma = Math.sqrt(Math.log1p(p.vmSpread() * p.vmSpread()));
        for (int m = 0; m < p.metrics(); m++) {
            for (int vm = 0; vm < vms; vm++) {
                double offset = Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
                double b = 1000 * offset * (1 + p.noise() * random.nextGaussian());
                double t = 1000 * (m == 0 ? change : 1.0) * offset * (1 + p.noise() * random.nextGaussian());
                if (random.nextDouble() < p.outlierRate()) {
                    double size = p.outlierMin() + (p.outlierMax() - p.outlierMin()) * random.nextDouble();
                    double factor = 1 + (random.nextBoolean() ? size : -size);
                    if (random.nextBoolean()) {
                        t *= factor;
                    } else {
                        b *= factor;
                    }
                }
                base.add(sample(KernelRole.BASE, m, vm, b));
                tip.add(sample(KernelRole.TIP, m, vm, t));
            }
        }
        return new RunSamples(List.of(new VmTestSamples("sim", base, tip, vms, vms)));
    }

    private static BenchmarkSample sample(KernelRole role, int metric, int vm, double value) {
        return new BenchmarkSample("sim", role, "m" + metric, "lps", value, metric % 2 == 0, "k", "i-" + vm, "",
                "x86_64", "sim");
    }

    private static String pct(double shift) {
        return BenchStats.number(shift).replaceAll("\\.0+$", "") + "%";
    }

    private static void print(Result r, PrintStream out) {
        Params p = r.params();
        int width = 7 * (1 + p.shifts().size());
        StringBuilder groups = new StringBuilder(String.format(Locale.ROOT, "  %-16s", ""));
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-16s", "rule"));
        for (int vms : p.vmCounts()) {
            String title = " " + vms + " VMs ";
            int dashes = width - 1 - title.length();
            groups.append("  ").append("-".repeat(dashes / 2)).append(title).append("-".repeat(dashes - dashes / 2));
            header.append(String.format(Locale.ROOT, " %6s", "alarm"));
            for (double shift : p.shifts()) {
                header.append(String.format(Locale.ROOT, " %6s", pct(shift)));
            }
            header.append(' ');
        }
        out.println();
        out.println(groups);
        out.println(header.toString().stripTrailing());
        for (Row row : r.rows()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-16s", row.rule()));
            for (Cell cell : row.cells()) {
                line.append(String.format(Locale.ROOT, " %6.1f", cell.falseAlarmRate() * 100));
                for (double rate : cell.detectionRates()) {
                    line.append(String.format(Locale.ROOT, " %6.1f", rate * 100));
                }
                line.append(' ');
            }
            out.println(line.toString().stripTrailing());
        }
        out.println();
        out.printf(Locale.ROOT, "  in percent. alarm: share of no-change runs with >= 1 metric flagged as a regression; "
                + "x%%: share of runs in which metric 0, shifted by x %%, was flagged.%n");
        out.printf(Locale.ROOT, "  95 %% binomial interval of a rate: at most +-%.1f points at %d runs (+-%.1f at a "
                + "rate of 5 or 95 %%).%n", 196 * Math.sqrt(0.25 / p.runs()), p.runs(),
                196 * Math.sqrt(0.05 * 0.95 / p.runs()));
        out.printf(Locale.ROOT, "  %s: t or U raw p < 0.05 and |d| >= 0.5, no direction (unpaired). %s: Holm, "
                + "unpaired (--pairing off). %s: AnalysisOptions.defaults(), Holm on the t of the per-VM log(tip/base) "
                + "(outlier VMs beyond 4 MADs set aside, variance borrowed across the test's metrics; %s trim: the "
                + "reference rows), |change| >= %s %%, worse direction. %s, %s: the same rule on the paired t's "
                + "and the Wilcoxon signed-rank test's p-values (gated on the default's trimmed change).%s%n",
                CLOUD, UNPAIRED_HOLM, PAIRED_DEFAULT, pct(TrimmedPairedT.DEFAULT_TRIM * 100),
                BenchStats.number(AnalysisOptions.DEFAULT_MIN_CHANGE_PCT), PAIRED_T, WILCOXON,
                p.extras().isEmpty() ? "" : " ref trim x%: the trimmed t with trim x % (gated on its own estimate); "
                        + "ref mad k: VMs more than k normalised MADs from the median log ratio dropped, then the "
                        + "paired t (gated on its mean); 1s: one-sided p in the worse direction.");
        out.printf(Locale.ROOT, "  %.1f s on %d threads; os load average after the run: %s%n", r.seconds(),
                p.threads(), BenchStats.load());
    }
}
