package dev.pullab.bench;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.benchmark.BenchmarkSample;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Detection quality side by side, on the same simulated runs: pullab's verdict with each {@code --correction}
 * ({@link RegressionAnalyzer}) and pullab_cloud's rule as its README states it (at least one of Welch t /
 * Mann-Whitney U with raw p &lt; 0.05 and |Cohen's d| &ge; 0.5). pullab's {@code none} is not exactly that rule:
 * pullab also requires the tip to have moved in the worse direction ({@link MetricComparison#worse()}), the README
 * rule has no direction and so also flags improvements. The README rule is therefore computed here from the raw
 * p-values and d of the {@code none} analysis.
 *
 * <p>This is {@code --model independent}; the default {@code --model vm} (VMs measuring both kernels, paired by
 * instance id, with per-VM offsets and outliers) is {@link VmModelDetection}.
 *
 * <p>Data: per metric and kernel, one value per VM,
 * {@code 1000 × change × (1 + noise × N(0,1))}; even metrics more-is-better. Scenarios: no change (false-alarm rate:
 * share of runs with at least one flagged metric), and metric 0 (more-is-better) of the tip shifted by each
 * {@code --shifts} percentage (detection rate: share of runs in which metric 0 is flagged).
 */
@Command(name = "bench/run detection", mixinStandardHelpOptions = true, sortOptions = false,
        description = "False alarms and detected shifts of pullab's rules and pullab_cloud's rule on the same "
                + "simulated runs: by default (--model vm) VMs that measure both kernels, paired by instance id "
                + "(see VmModelDetection); --model independent: the earlier model, one value per VM and kernel.")
public final class DetectionBench implements Callable<Integer> {

    /** Label of pullab_cloud's rule in the table. */
    public static final String CLOUD_RULE = "pullab_cloud";

    /** pullab's rules, in table order; pullab_cloud's rule is computed from the NONE analysis. */
    private static final Correction[] CORRECTIONS = {Correction.HOLM, Correction.BH, Correction.NONE};
    private static final int RULES = CORRECTIONS.length + 1;
    private static final int CLOUD = CORRECTIONS.length;

    /** The noise models. */
    enum Model { vm, independent }

    @Option(names = "--model", description = "vm (default): each VM measures both kernels, with its own offset per "
            + "metric (--vm-spread), in-VM noise (--noise) and occasional outliers (--outlier-rate), compared for "
            + "5, 10 and 20 VMs (--vm-counts) by pullab_cloud's rule, the unpaired Holm rule, the paired default and "
            + "paired references; independent: the earlier model, independent values per VM and kernel, one VM count "
            + "(--vms), rules holm, bh, none and pullab_cloud.")
    Model model = Model.vm;

    @Option(names = "--runs", description = "Simulated runs per scenario and VM count (default: 5000 for vm, about "
            + "2 minutes on 2 cores, each rate within +-1.4 points; 2000 for independent).")
    Integer runs;

    @Option(names = "--vms", description = "independent: VMs per kernel, one value each per metric (default: "
            + "${DEFAULT-VALUE}).")
    int vms = 10;

    @Option(names = "--vm-counts", split = ",", paramLabel = "<n>",
            description = "vm: VM counts side by side, each VM measuring both kernels (default: 5,10,20).")
    List<Integer> vmCounts = List.of(5, 10, 20);

    @Option(names = "--metrics", description = "Metrics per run (default: ${DEFAULT-VALUE}).")
    int metrics = 24;

    @Option(names = "--noise", description = "Relative standard deviation of a measurement (vm: in-VM noise; "
            + "default: 0.01 for vm, 0.02 for independent).")
    Double noise;

    @Option(names = "--vm-spread", description = "vm: relative standard deviation of a VM's offset, shared by both "
            + "kernels (default: ${DEFAULT-VALUE}, 4x the default in-VM noise).")
    double vmSpread = 0.04;

    @Option(names = "--outlier-rate", description = "vm: probability per VM and metric that one kernel's value on it "
            + "is an outlier (default: ${DEFAULT-VALUE}).")
    double outlierRate = 0.1;

    @Option(names = "--outlier-size", split = ",", paramLabel = "<percent>", description = "vm: an outlier is off by "
            + "a relative error drawn uniformly from this range, either sign (default: 10,20).")
    List<Double> outlierSize = List.of(10.0, 20.0);

    @Option(names = "--extra", split = ",", paramLabel = "<rule>", description = "vm: extra reference rows computed "
            + "by the harness from the per-VM log ratios, comma-separated: trim:<fraction> (trimmed t with that trim "
            + "from each end), mad:<k> (VMs more than k normalised MADs from the median dropped, then the paired t), "
            + "either with :1s for a one-sided p in the worse direction; 'none' for no extra row (default: "
            + "trim:0.1,trim:0.2:1s,mad:3.5,mad:4,mad:4.5:1s).")
    List<String> extras = List.of("trim:0.1", "trim:0.2:1s", "mad:3.5", "mad:4", "mad:4.5:1s");

    @Option(names = "--threads", description = "vm: cells simulated in parallel; the figures do not depend on it "
            + "(default: the number of processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--shifts", split = ",", paramLabel = "<percent>",
            description = "Shifts of metric 0 in percent, comma-separated, negative is worse (default: -1,-2,-3,-5 "
                    + "for vm, -1,-3,-5,-10 for independent).")
    List<Double> shifts;

    /**
     * @param runs    simulated runs per scenario
     * @param vms     VMs per kernel
     * @param metrics metrics per run
     * @param noise   relative standard deviation
     * @param seed    random seed
     * @param shifts  shifts of metric 0, in percent
     */
    public record Params(int runs, int vms, int metrics, double noise, long seed, List<Double> shifts) {
        public Params {
            shifts = List.copyOf(shifts);
            if (runs < 1 || vms < 2 || metrics < 1 || !(noise > 0) || shifts.isEmpty()) {
                throw new IllegalArgumentException("need runs >= 1, vms >= 2, metrics >= 1, noise > 0, a shift");
            }
        }
    }

    /**
     * One rule's figures.
     *
     * @param rule            {@code holm}, {@code bh}, {@code none} or {@link #CLOUD_RULE}
     * @param falseAlarmRate  no-change runs with at least one flagged metric
     * @param meanFalseFlags  flagged metrics per no-change run
     * @param detectionRates  per shift (in {@link Params#shifts()} order): runs in which metric 0 was flagged
     */
    public record Row(String rule, double falseAlarmRate, double meanFalseFlags, List<Double> detectionRates) {
        public Row {
            detectionRates = List.copyOf(detectionRates);
        }
    }

    /**
     * @param params             what was run
     * @param rows               holm, bh, none, pullab_cloud
     * @param flaggedOnlyByCloud no-change runs flagged by pullab_cloud's rule but not by {@code none}
     * @param seconds            wall time of the simulation
     * @param loadAverage        the system load average after the run
     */
    public record Result(Params params, List<Row> rows, int flaggedOnlyByCloud, double seconds, double loadAverage) {

        public Row row(String rule) {
            return rows.stream().filter(r -> r.rule().equals(rule)).findFirst().orElseThrow();
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DetectionBench()).execute(args));
    }

    @Override
    public Integer call() {
        if (model == Model.independent) {
            return BenchStats.execute("detection bench", () -> new Params(runs == null ? 2000 : runs, vms, metrics,
                    noise == null ? 0.02 : noise, seed, shifts == null ? List.of(-1.0, -3.0, -5.0, -10.0) : shifts),
                    params -> run(params, System.out));
        }
        return BenchStats.execute("detection bench", () -> {
            if (outlierSize.size() != 2) {
                throw new IllegalArgumentException("--outlier-size takes two percentages, min,max");
            }
            return new VmModelDetection.Params(runs == null ? 5000 : runs, vmCounts, metrics,
                    noise == null ? 0.01 : noise, vmSpread, outlierRate, outlierSize.get(0) / 100,
                    outlierSize.get(1) / 100, seed, shifts == null ? List.of(-1.0, -2.0, -3.0, -5.0) : shifts,
                    extras.equals(List.of("none")) ? List.of()
                            : extras.stream().map(VmModelDetection.Extra::parse).toList(), threads);
        }, params -> VmModelDetection.run(params, System.out));
    }

    /** Runs every scenario and prints the table to {@code out}. */
    public static Result run(Params p, PrintStream out) {
        out.printf(Locale.ROOT, "detection bench, model independent: %d simulated runs per scenario, %d metrics, %d VMs per kernel, "
                        + "noise sd %s %%, alpha %s, min |d| %s, seed %d%n", p.runs(), p.metrics(), p.vms(),
                BenchStats.number(p.noise() * 100), AnalysisOptions.DEFAULT_ALPHA, AnalysisOptions.DEFAULT_MIN_EFFECT,
                p.seed());
        out.println(BenchStats.machine());
        long start = System.nanoTime();
        RegressionAnalyzer[] analyzers = new RegressionAnalyzer[CORRECTIONS.length];
        for (int i = 0; i < CORRECTIONS.length; i++) {
            analyzers[i] = new RegressionAnalyzer(new AnalysisOptions(CORRECTIONS[i], AnalysisOptions.DEFAULT_ALPHA,
                    AnalysisOptions.DEFAULT_MIN_EFFECT));
        }
        SplittableRandom root = new SplittableRandom(p.seed());

        // no change
        int[] runsFlagged = new int[RULES];
        long[] metricsFlagged = new long[RULES];
        int onlyCloud = 0;
        SplittableRandom random = root.split();
        for (int run = 0; run < p.runs(); run++) {
            boolean[][] flagged = verdicts(analyzers, samples(p, 1.0, random), p.metrics());
            for (int rule = 0; rule < RULES; rule++) {
                int count = 0;
                for (boolean f : flagged[rule]) {
                    count += f ? 1 : 0;
                }
                metricsFlagged[rule] += count;
                runsFlagged[rule] += count > 0 ? 1 : 0;
            }
            if (any(flagged[CLOUD]) && !any(flagged[CLOUD - 1])) {
                onlyCloud++;
            }
        }

        // one metric shifted
        int[][] detected = new int[RULES][p.shifts().size()];
        for (int s = 0; s < p.shifts().size(); s++) {
            random = root.split();
            double change = 1 + p.shifts().get(s) / 100;
            for (int run = 0; run < p.runs(); run++) {
                boolean[][] flagged = verdicts(analyzers, samples(p, change, random), p.metrics());
                for (int rule = 0; rule < RULES; rule++) {
                    detected[rule][s] += flagged[rule][0] ? 1 : 0;
                }
            }
        }

        List<Row> rows = new ArrayList<>();
        for (int rule = 0; rule < RULES; rule++) {
            List<Double> rates = new ArrayList<>();
            for (int s = 0; s < p.shifts().size(); s++) {
                rates.add((double) detected[rule][s] / p.runs());
            }
            rows.add(new Row(rule == CLOUD ? CLOUD_RULE : CORRECTIONS[rule].label(),
                    (double) runsFlagged[rule] / p.runs(), (double) metricsFlagged[rule] / p.runs(), rates));
        }
        Result result = new Result(p, rows, onlyCloud, (System.nanoTime() - start) / 1e9, BenchStats.loadAverage());
        print(result, out);
        return result;
    }

    private static boolean any(boolean[] flags) {
        for (boolean f : flags) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    /**
     * Per rule (holm, bh, none, pullab_cloud) and metric index: flagged or not. Metric i is named {@code m<i>}.
     */
    private static boolean[][] verdicts(RegressionAnalyzer[] analyzers, RunSamples samples, int metrics) {
        boolean[][] flagged = new boolean[RULES][metrics];
        for (int i = 0; i < analyzers.length; i++) {
            List<MetricComparison> comparisons = analyzers[i].analyze(samples).tests().get(0).comparisons();
            if (comparisons.size() != metrics) {
                throw new IllegalStateException(comparisons.size() + " metrics compared, expected " + metrics);
            }
            for (MetricComparison c : comparisons) {
                int m = Integer.parseInt(c.metric().substring(1));
                flagged[i][m] = c.isRegression();
                if (CORRECTIONS[i] == Correction.NONE) {
                    flagged[CLOUD][m] = cloudRule(c);
                }
            }
        }
        return flagged;
    }

    /**
     * pullab_cloud's README: a regression when at least one of the two tests is significant (raw p &lt; 0.05) and
     * |Cohen's d| &ge; 0.5. No correction, no direction.
     */
    static boolean cloudRule(MetricComparison c) {
        return (c.tPvalue() < 0.05 || c.uPvalue() < 0.05) && Math.abs(c.cohensD()) >= 0.5;
    }

    /** One run: every metric on both kernels, metric 0 of the tip scaled by {@code change}. */
    private static RunSamples samples(Params p, double change, SplittableRandom random) {
        List<BenchmarkSample> base = new ArrayList<>(p.metrics() * p.vms());
        List<BenchmarkSample> tip = new ArrayList<>(p.metrics() * p.vms());
        for (int m = 0; m < p.metrics(); m++) {
            for (int vm = 0; vm < p.vms(); vm++) {
                base.add(sample(KernelRole.BASE, m, 1.0, p.noise(), random));
                tip.add(sample(KernelRole.TIP, m, m == 0 ? change : 1.0, p.noise(), random));
            }
        }
        return new RunSamples(List.of(new VmTestSamples("sim", base, tip, p.vms(), p.vms())));
    }

    private static BenchmarkSample sample(KernelRole role, int metric, double change, double noise,
            SplittableRandom random) {
        double value = 1000 * change * (1 + noise * random.nextGaussian());
        return new BenchmarkSample("sim", role, "m" + metric, "lps", value, metric % 2 == 0, "k", "i", "", "x86_64",
                "sim");
    }

    private static void print(Result r, PrintStream out) {
        Params p = r.params();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-14s %14s %13s", "rule",
                "false alarms", "flags/run"));
        for (double shift : p.shifts()) {
            header.append(String.format(Locale.ROOT, " %13s", BenchStats.number(shift).replaceAll("\\.0+$", "")
                    + " % found"));
        }
        out.println();
        out.println(header);
        for (Row row : r.rows()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-14s %12.1f %% %13.3f", row.rule(),
                    row.falseAlarmRate() * 100, row.meanFalseFlags()));
            for (double rate : row.detectionRates()) {
                line.append(String.format(Locale.ROOT, " %11.1f %%", rate * 100));
            }
            out.println(line);
        }
        out.println();
        out.printf(Locale.ROOT, "  false alarms: share of no-change runs with >= 1 flagged metric; flags/run: flagged "
                + "metrics per no-change run; 'x %% found': share of runs in which metric 0, shifted by x %%, was "
                + "flagged.%n");
        out.printf(Locale.ROOT, "  95 %% binomial interval of a rate: at most +-%.1f points at %d runs.%n",
                196 * Math.sqrt(0.25 / p.runs()), p.runs());
        out.printf(Locale.ROOT, "  pullab_cloud = its README rule (t or U raw p < 0.05 and |d| >= 0.5, no direction); "
                + "pullab's none also requires the worse direction. No-change runs flagged by pullab_cloud but not "
                + "by none: %d of %d (improvements only).%n", r.flaggedOnlyByCloud(), p.runs());
        out.printf(Locale.ROOT, "  %.1f s; os load average after the run: %s%n", r.seconds(), BenchStats.load());
    }
}
