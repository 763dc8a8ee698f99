package dev.pullab.bench;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A synthetic UnixBench run in pullab_cloud's output layout, the data of core's {@code AnalysisBenchmark}
 * ({@code core/src/test/java/dev/pullab/core/bench/AnalysisBenchmark.java}, which writes it to a local directory):
 * per VM {@code test_unixbench-kernel-regression/output/<instance_id>/benchmark-base-1.csv} and
 * {@code benchmark-tip-1.csv}, one row per metric, every 4th VM arm64, the tip 3 % slower on every 6th metric, 1 %
 * noise. With seed 42 and 24 metrics the CSVs are the ones {@code AnalysisBenchmark} writes (same generator, same
 * order of random draws). Optionally each instance also gets the small non-benchmark files the VM client uploads
 * ({@code result.txt}, {@code stats.json}), which the S3 source lists and skips.
 */
public final class BenchRunData {

    /** The test directory of the run. */
    public static final String TEST = "unixbench-kernel-regression";

    private BenchRunData() {
    }

    /**
     * The run's files, by path relative to the run prefix, in upload order.
     *
     * @param vms        VMs (each measured both kernels)
     * @param metrics    metrics per CSV
     * @param seed       noise seed (42 = {@code AnalysisBenchmark})
     * @param otherFiles add {@code result.txt} and {@code stats.json} per instance
     */
    public static Map<String, byte[]> files(int vms, int metrics, long seed, boolean otherFiles) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int vm = 0; vm < vms; vm++) {
            String arch = vm % 4 == 0 ? "arm64" : "x86_64";
            String instance = String.format(Locale.ROOT, "i-%017x", 0xbe00L + vm);
            String out = "test_" + TEST + "/output/" + instance + "/";
            files.put(out + "benchmark-base-1.csv", csv(random, metrics, "6.1.141", instance, arch, 1.0));
            files.put(out + "benchmark-tip-1.csv", csv(random, metrics, "6.1.150", instance, arch, 0.97));
            if (otherFiles) {
                files.put(out + "result.txt", "SUCCESS\n".getBytes(StandardCharsets.UTF_8));
                files.put(out + "stats.json", String.format(Locale.ROOT,
                        "{\"instance_id\": \"%s\", \"arch\": \"%s\", \"runs\": 2, \"duration_sec\": %d}%n",
                        instance, arch, 1800 + vm).getBytes(StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private static byte[] csv(SplittableRandom random, int metrics, String kernel, String instance, String arch,
            double change) {
        StringBuilder csv = new StringBuilder(
                "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n");
        for (int m = 0; m < metrics; m++) {
            double value = (1000.0 + 100 * m) * (m % 6 == 0 ? change : 1.0) * (1 + 0.01 * random.nextGaussian());
            csv.append(String.format(Locale.ROOT, "metric_%02d,lps,%.3f,true,%s,%s,m5.large,%s%n",
                    m, value, kernel, instance, arch));
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }
}
