package dev.pullab.core.bench;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.ReportJson;
import dev.pullab.core.analysis.RunAnalysis;
import dev.pullab.core.analysis.TextReport;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.LocalRunSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark harness (prints figures; not a test): the analysis of a run of 100 VMs × 2 kernels × 24 metrics read
 * from a local directory: list, read and parse 200 CSVs, compare 24 metrics overall and per arch, render the text
 * and JSON reports.
 *
 * <pre>mvn -B -q -pl core -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.pullab.core.bench.AnalysisBenchmark</pre>
 */
public final class AnalysisBenchmark {

    private static final int VMS = 100;
    private static final int METRICS = 24;
    private static final int WARMUP = 30;
    private static final int MEASURED = 100;

    private AnalysisBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path run = Files.createTempDirectory("pullab-bench-run");
        writeRun(run);
        LocalRunSource source = new LocalRunSource(run);
        AnalysisOptions options = AnalysisOptions.defaults();

        long coldStart = System.nanoTime();
        int sink = analyseAndRender(source, options);
        double coldMs = (System.nanoTime() - coldStart) / 1e6;
        for (int i = 0; i < WARMUP; i++) {
            sink += analyseAndRender(source, options);
        }
        double[] ms = new double[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long start = System.nanoTime();
            sink += analyseAndRender(source, options);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "analysis of %d VMs x 2 kernels x %d metrics (%d CSV files, %d rows) "
                        + "from a local directory, incl. text + JSON report:%n", VMS, METRICS, 2 * VMS,
                2 * VMS * METRICS);
        System.out.printf(Locale.ROOT, "  first run (cold JVM): %.1f ms%n", coldMs);
        System.out.printf(Locale.ROOT, "  warm: median %.2f ms, p90 %.2f ms, min %.2f ms over %d runs "
                + "(after %d warm-up runs)%n", ms[MEASURED / 2], ms[MEASURED * 9 / 10], ms[0], MEASURED, WARMUP);
        System.out.printf(Locale.ROOT, "  (checksum %d)%n", sink);
    }

    private static int analyseAndRender(LocalRunSource source, AnalysisOptions options) {
        AnalysisReport report = RunAnalysis.analyze(source, options, DownloadProgress.SILENT);
        return TextReport.render(report).length() + ReportJson.write(report).length();
    }

    private static void writeRun(Path run) {
        SplittableRandom random = new SplittableRandom(42);
        for (int vm = 0; vm < VMS; vm++) {
            String arch = vm % 4 == 0 ? "arm64" : "x86_64";
            String instance = String.format(Locale.ROOT, "i-%017x", 0xbe00L + vm);
            Path out = run.resolve("test_unixbench-kernel-regression/output/" + instance);
            try {
                Files.createDirectories(out);
                Files.writeString(out.resolve("benchmark-base-1.csv"), csv(random, "6.1.141", instance, arch, 1.0));
                Files.writeString(out.resolve("benchmark-tip-1.csv"), csv(random, "6.1.150", instance, arch, 0.97));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String csv(SplittableRandom random, String kernel, String instance, String arch, double change) {
        StringBuilder csv = new StringBuilder(
                "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n");
        for (int m = 0; m < METRICS; m++) {
            double value = (1000.0 + 100 * m) * (m % 6 == 0 ? change : 1.0) * (1 + 0.01 * random.nextGaussian());
            csv.append(String.format(Locale.ROOT, "metric_%02d,lps,%.3f,true,%s,%s,m5.large,%s%n",
                    m, value, kernel, instance, arch));
        }
        return csv.toString();
    }
}
