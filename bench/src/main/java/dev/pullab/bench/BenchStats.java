package dev.pullab.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/** What the harnesses share: order statistics of timings and a line describing the machine. */
public final class BenchStats {

    private BenchStats() {
    }

    /**
     * Order statistics of a sample (milliseconds, or any unit).
     *
     * @param n      how many values
     * @param median the middle value (mean of the two middle ones for an even count)
     * @param p90    nearest-rank 90th percentile
     * @param min    smallest
     * @param max    largest
     * @param mean   arithmetic mean
     */
    public record Summary(int n, double median, double p90, double min, double max, double mean) {

        /** Summary of {@code values} (not modified); at least one value. */
        public static Summary of(double[] values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("no values");
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            double p90 = sorted[Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
            return new Summary(n, median, p90, sorted[0], sorted[n - 1], Arrays.stream(sorted).average().orElse(0));
        }

        /** e.g. {@code median 12.3 ms, p90 15.0 ms, min 11.9 ms, max 16.2 ms (n=20)}. */
        public String describe(String unit) {
            return String.format(Locale.ROOT, "median %s %s, p90 %s %s, min %s %s, max %s %s (n=%d)",
                    number(median), unit, number(p90), unit, number(min), unit, number(max), unit, n);
        }
    }

    /** Nanoseconds to milliseconds. */
    public static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** Two decimals below 100, one below 1000, none above. */
    public static String number(double value) {
        double abs = Math.abs(value);
        String format = abs < 100 ? "%.2f" : abs < 1000 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, format, value);
    }

    /** The 1-minute system load average, or a negative value when the OS does not give one. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** {@code machine: 2 processors, Java 17.0.15 (Debian), Linux 6.1 amd64, os load average 0.42}. */
    public static String machine() {
        Runtime.Version version = Runtime.version();
        return String.format(Locale.ROOT, "machine: %d processors, Java %s (%s, %s), %s %s %s, max heap %d MiB, "
                        + "os load average %s",
                Runtime.getRuntime().availableProcessors(), version, System.getProperty("java.vendor", "?"),
                System.getProperty("java.vm.name", "?"), System.getProperty("os.name", "?"),
                System.getProperty("os.version", "?"), System.getProperty("os.arch", "?"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), load());
    }

    /** The load average as printed with figures. */
    public static String load() {
        double load = loadAverage();
        return load < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", load);
    }

    /**
     * Runs a harness from its command line: 2 when the options are invalid (the message printed), 1 when the run
     * fails (the cause printed), 0 otherwise.
     */
    static <P> int execute(String name, java.util.function.Supplier<P> params,
            java.util.function.Consumer<P> run) {
        P valid;
        try {
            valid = params.get();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        try {
            run.accept(valid);
            return 0;
        } catch (RuntimeException e) {
            System.out.flush();
            System.err.println(name + " FAILED: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }
}
