package dev.pullab.core.bench;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.analysis.RegressionAnalyzer;
import dev.pullab.core.run.BenchmarkSample;
import dev.pullab.core.run.KernelRole;
import dev.pullab.core.run.RunSamples;
import dev.pullab.core.run.TestSamples;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Simulation (prints figures; not a test): how often each correction flags a regression in runs where nothing
 * changed (24 UnixBench-like metrics, 10 VMs per kernel, normal noise), and how often it catches a real 3 % drop of
 * one metric.
 *
 * <pre>mvn -B -q -pl core -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.pullab.core.bench.FalseAlarmSimulation</pre>
 */
public final class FalseAlarmSimulation {

    private static final int RUNS = 2000;
    private static final int METRICS = 24;
    private static final int VMS = 10;
    private static final double RELATIVE_SD = 0.02;

    private FalseAlarmSimulation() {
    }

    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "%d simulated runs, %d metrics, %d VMs per kernel, noise sd %.0f %%, "
                + "alpha 0.05, min effect 0.5%n", RUNS, METRICS, VMS, RELATIVE_SD * 100);
        for (Correction correction : Correction.values()) {
            RegressionAnalyzer analyzer = new RegressionAnalyzer(new AnalysisOptions(correction, 0.05, 0.5));
            double falseAlarms = rate(analyzer, 1.0, 11);
            double detected = rate(analyzer, 0.97, 12);
            System.out.printf(Locale.ROOT, "  %-5s runs with a false alarm: %5.1f %%   real -3 %% drop detected: "
                    + "%5.1f %%%n", correction.label(), falseAlarms * 100, detected * 100);
        }
    }

    /** Share of runs flagged, where metric 0 of the tip is scaled by {@code change} and nothing else moves. */
    private static double rate(RegressionAnalyzer analyzer, double change, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int flagged = 0;
        for (int run = 0; run < RUNS; run++) {
            List<BenchmarkSample> base = new ArrayList<>();
            List<BenchmarkSample> tip = new ArrayList<>();
            for (int m = 0; m < METRICS; m++) {
                for (int vm = 0; vm < VMS; vm++) {
                    base.add(sample(KernelRole.BASE, m, 1.0, random));
                    tip.add(sample(KernelRole.TIP, m, m == 0 ? change : 1.0, random));
                }
            }
            RunSamples samples = new RunSamples(List.of(new TestSamples("sim", base, tip, VMS, VMS)));
            boolean regressed = analyzer.analyze(samples).tests().get(0).comparisons().stream()
                    .anyMatch(c -> c.isRegression() && (change == 1.0 || c.metric().equals("m0")));
            flagged += regressed ? 1 : 0;
        }
        return (double) flagged / RUNS;
    }

    private static BenchmarkSample sample(KernelRole role, int metric, double change, SplittableRandom random) {
        double value = 1000 * change * (1 + RELATIVE_SD * random.nextGaussian());
        return new BenchmarkSample("sim", role, "m" + metric, "lps", value, metric % 2 == 0, "k", "i", "", "x86_64",
                "sim");
    }
}
