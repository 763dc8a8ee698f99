package dev.pullab.bench;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.ReportJson;
import dev.pullab.core.analysis.RunAnalysis;
import dev.pullab.core.analysis.VmTestAnalysis;
import dev.pullab.core.analysis.TextReport;
import dev.pullab.aws.AwsClients;
import dev.pullab.core.store.S3Location;
import dev.pullab.aws.S3RunSource;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.RunFile;
import dev.pullab.core.benchmark.RunSource;
import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Analysis of a run read from S3 on the emulator: the path of {@code pullab analyze --input s3://bucket/run} and of
 * the analyzer function ({@link AwsClients#s3} client, {@link S3RunSource}, {@link RunAnalysis}), plus the text and
 * JSON reports (as core's {@code AnalysisBenchmark} does for a local directory). The run (see {@link BenchRunData})
 * is uploaded with plain unsigned HTTP PUTs, so the first analysis is the JVM's first S3 request through the SDK.
 */
@Command(name = "bench/run analysis", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Warm time of the analysis of a run read from S3 on moto_server (list, download, parse, "
                + "compare, text + JSON report), and the JVM's first run.")
public final class AnalysisS3Bench implements Callable<Integer> {

    @Option(names = "--vms", description = "VMs, each with a base and a tip CSV (default: ${DEFAULT-VALUE}).")
    int vms = 100;

    @Option(names = "--metrics", description = "Metrics per CSV (default: ${DEFAULT-VALUE}).")
    int metrics = 24;

    @Option(names = "--warmup", description = "Warm-up runs after the first one (default: ${DEFAULT-VALUE}).")
    int warmup = 5;

    @Option(names = "--runs", description = "Measured runs (default: ${DEFAULT-VALUE}).")
    int runs = 20;

    @Option(names = "--seed", description = "Noise seed; 42 gives AnalysisBenchmark's data (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    /**
     * @param vms     VMs of the run
     * @param metrics metrics per CSV
     * @param warmup  unmeasured runs after the first
     * @param runs    measured runs
     * @param seed    noise seed
     */
    public record Params(int vms, int metrics, int warmup, int runs, long seed) {
        public Params {
            if (vms < 1 || metrics < 1 || warmup < 0 || runs < 1) {
                throw new IllegalArgumentException("need vms >= 1, metrics >= 1, warmup >= 0, runs >= 1");
            }
        }
    }

    /**
     * One analysis.
     *
     * @param totalMillis list + download + parse + analyse + render
     * @param fetchMillis list + download ({@link RunSource#benchmarkFiles})
     * @param files       benchmark files fetched
     * @param bytes       their bytes
     * @param report      the analysis
     */
    public record Timing(double totalMillis, double fetchMillis, int files, long bytes, AnalysisReport report) {
    }

    /**
     * @param params          what was run
     * @param location        the run's {@code s3://} URI
     * @param objects         objects uploaded under the run prefix
     * @param bytes           their bytes
     * @param csvObjects      benchmark CSVs among them
     * @param csvBytes        their bytes
     * @param clientMillis    building the S3 client with {@link AwsClients#s3}
     * @param first           the JVM's first analysis
     * @param total           measured runs, whole analysis
     * @param fetch           measured runs, list + download only
     * @param metricsCompared metrics compared overall
     * @param regressions     metrics flagged overall (the data has a 3 % drop on every 6th metric)
     * @param loadAverage     the system load average after the run
     */
    public record Result(Params params, String location, int objects, long bytes, int csvObjects, long csvBytes,
            double clientMillis, Timing first, BenchStats.Summary total, BenchStats.Summary fetch,
            int metricsCompared, int regressions, double loadAverage) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AnalysisS3Bench()).execute(args));
    }

    @Override
    public Integer call() {
        return BenchStats.execute("analysis bench", () -> new Params(vms, metrics, warmup, runs, seed),
                params -> run(params, System.out));
    }

    /**
     * Uploads the run, analyses it {@code 1 + warmup + runs} times and prints the figures to {@code out}.
     *
     * @throws IllegalStateException when an upload fails or an analysis does not see the whole run
     */
    public static Result run(Params params, PrintStream out) {
        out.printf(Locale.ROOT, "analysis bench: %d VMs x 2 kernels x %d metrics read from S3 on the emulator, "
                        + "incl. text + JSON report; first run, then %d warm-up and %d measured runs%n",
                params.vms(), params.metrics(), params.warmup(), params.runs());
        out.println(BenchStats.machine());
        AwsEmulator aws = AwsEmulator.get();
        out.println("emulator: " + aws);

        Map<String, byte[]> files = BenchRunData.files(params.vms(), params.metrics(), params.seed(), true);
        S3Location run = new S3Location("pullab-bench-" + UUID.randomUUID().toString().substring(0, 8),
                "run_bench_" + UUID.randomUUID().toString().substring(0, 8));
        upload(aws.endpoint(), run, files);
        int objects = files.size();
        long bytes = files.values().stream().mapToLong(b -> b.length).sum();
        int csvObjects = (int) files.keySet().stream().filter(k -> k.endsWith(".csv")).count();
        long csvBytes = files.entrySet().stream().filter(e -> e.getKey().endsWith(".csv"))
                .mapToLong(e -> e.getValue().length).sum();
        out.printf(Locale.ROOT, "run %s: %d objects, %d bytes (%d benchmark CSVs, %d bytes; the rest result.txt "
                + "and stats.json per instance)%n", run, objects, bytes, csvObjects, csvBytes);

        // what `pullab analyze --input s3://...` builds: the production client, pointed at the emulator
        Map<String, String> properties = new HashMap<>(aws.systemProperties());
        properties.put("aws.endpointUrlS3", aws.endpoint().toString());
        Map<String, String> previous = new HashMap<>();
        properties.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        long clientStart = System.nanoTime();
        S3Client s3 = AwsClients.s3(Optional.of(aws.region().id()));
        double clientMillis = BenchStats.millis(System.nanoTime() - clientStart);
        try (s3) {
            AnalysisOptions options = AnalysisOptions.defaults();
            Timing first = analyse(s3, run, options);
            check(first, params, csvBytes);
            out.printf(Locale.ROOT, "  first run (cold JVM; S3 client built before it in %s ms): %s ms, of which list "
                            + "+ download %s ms%n", BenchStats.number(clientMillis),
                    BenchStats.number(first.totalMillis()), BenchStats.number(first.fetchMillis()));
            for (int i = 0; i < params.warmup(); i++) {
                check(analyse(s3, run, options), params, csvBytes);
            }
            double[] total = new double[params.runs()];
            double[] fetch = new double[params.runs()];
            for (int i = 0; i < params.runs(); i++) {
                Timing timing = analyse(s3, run, options);
                check(timing, params, csvBytes);
                total[i] = timing.totalMillis();
                fetch[i] = timing.fetchMillis();
            }
            VmTestAnalysis test = first.report().tests().get(0);
            Result result = new Result(params, run.toString(), objects, bytes, csvObjects, csvBytes, clientMillis,
                    first, BenchStats.Summary.of(total), BenchStats.Summary.of(fetch), test.metricsCompared(),
                    test.regressions().size(), BenchStats.loadAverage());
            out.printf(Locale.ROOT, "  warm, whole analysis: %s%n", result.total().describe("ms"));
            out.printf(Locale.ROOT, "  warm, list + download of %d CSVs only: %s%n", csvObjects,
                    result.fetch().describe("ms"));
            out.printf(Locale.ROOT, "  verdict (Holm): %d of %d metrics regressed overall%n", result.regressions(),
                    result.metricsCompared());
            out.printf(Locale.ROOT, "  os load average after the run: %s%n", BenchStats.load());
            return result;
        } finally {
            previous.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    private static Timing analyse(S3Client s3, S3Location run, AnalysisOptions options) {
        TimedSource source = new TimedSource(new S3RunSource(s3, run));
        long start = System.nanoTime();
        AnalysisReport report = RunAnalysis.analyze(source, options, DownloadProgress.SILENT);
        int rendered = TextReport.render(report).length() + ReportJson.write(report).length();
        long nanos = System.nanoTime() - start;
        if (rendered == 0) {
            throw new IllegalStateException("empty report");
        }
        return new Timing(BenchStats.millis(nanos), BenchStats.millis(source.nanos), source.files, source.bytes,
                report);
    }

    private static void check(Timing timing, Params params, long csvBytes) {
        AnalysisReport report = timing.report();
        if (timing.files() != 2 * params.vms() || timing.bytes() != csvBytes || report.tests().size() != 1
                || report.tests().get(0).metricsCompared() != params.metrics()) {
            throw new IllegalStateException("the analysis did not see the whole run: " + timing.files() + " files, "
                    + timing.bytes() + " bytes (expected " + 2 * params.vms() + ", " + csvBytes + "), "
                    + report.tests().size() + " tests, metrics compared " + report.tests().stream()
                            .map(t -> Integer.toString(t.metricsCompared())).toList());
        }
    }

    /** Uploads with unsigned path-style PUTs (moto and LocalStack accept them by default). */
    private static void upload(URI endpoint, S3Location run, Map<String, byte[]> files) {
        HttpClient http = HttpClient.newHttpClient();
        String base = endpoint.toString().replaceAll("/+$", "") + "/" + run.bucket();
        put(http, base, new byte[0], "application/octet-stream");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            String type = file.getKey().endsWith(".csv") ? "text/csv" : "text/plain";
            put(http, base + "/" + run.key(file.getKey()), file.getValue(), type);
        }
    }

    private static void put(HttpClient http, String uri, byte[] body, String contentType) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                    .header("Content-Type", contentType)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("PUT " + uri + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("PUT " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Times the fetch (list + downloads) of the real source and counts what it returned. */
    private static final class TimedSource implements RunSource {
        private final RunSource delegate;
        long nanos;
        int files;
        long bytes;

        TimedSource(RunSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<RunFile> benchmarkFiles(DownloadProgress progress) {
            long start = System.nanoTime();
            List<RunFile> fetched = delegate.benchmarkFiles(progress);
            nanos = System.nanoTime() - start;
            files = fetched.size();
            bytes = fetched.stream().mapToLong(f -> f.content().length).sum();
            return fetched;
        }

        @Override
        public String location() {
            return delegate.location();
        }
    }
}
