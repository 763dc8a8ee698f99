package dev.pullab.cli;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.analysis.ReportJson;
import dev.pullab.core.analysis.RunAnalysis;
import dev.pullab.core.analysis.SkippedItem;
import dev.pullab.core.analysis.VmTestAnalysis;
import dev.pullab.core.analysis.TextReport;
import dev.pullab.aws.AwsClients;
import dev.pullab.core.store.S3Location;
import dev.pullab.aws.S3RunSource;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.analyzer.RunReportPublisher;
import software.amazon.awssdk.services.s3.S3Client;
import dev.pullab.core.plot.Plot;
import dev.pullab.core.plot.RegressionPlots;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.LocalRunSource;
import dev.pullab.core.benchmark.RunSource;
import dev.pullab.core.text.Printable;
import dev.pullab.core.report.html.HtmlReport;
import dev.pullab.core.report.html.RunPage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pullab analyze}: the benchmark regression analysis of one run, from a directory or from S3. */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Compares the base and tip kernels of every test of a run that wrote benchmark-base*.csv and "
                    + "benchmark-tip*.csv files, and prints the regression report.",
            "",
            "Paired (a metric whose VMs measured both kernels, as unixbench-kernel-regression does): a regression "
                    + "when the p-value of the trimmed-mean t on each VM's log(tip/base), adjusted across the metrics "
                    + "of its test (--correction), is below --alpha, the estimated change is at least --min-change "
                    + "percent, and the tip moved in the worse direction given more_is_better.",
            "Unpaired (different VMs per kernel, or --pairing off): a regression when its Welch t-test or "
                    + "Mann-Whitney U p-value, adjusted likewise, is below --alpha, |Cohen's d| >= --min-effect, and "
                    + "the tip moved in the worse direction. The same rules in the better direction are "
                    + "improvements (reported, never a failure).",
            ""
        },
        footer = { // lines within 80 columns: picocli breaks longer ones anywhere, even in a URL
            "",
            "Input layout (as the VM client writes it to S3):",
            "  <run>/test_<name>/output/<instance_id>/benchmark-base*.csv",
            "  <run>/test_<name>/output/<instance_id>/benchmark-tip*.csv",
            "  columns: metric,unit,value,more_is_better,kernel_version,",
            "           instance_id,instance_type,arch",
            "",
            "Exit status: 0 report printed (with or without regressions;",
            "               see --fail-on-regression)",
            "             1 unusable input (the message names the file and line)",
            "             2 bad usage",
            "             3 regressions found and --fail-on-regression given",
            "             4 the --json, --plots or --html path cannot be written",
            "               (the message names it)",
            "             5 report printed, but some input was left out",
            "               (listed under \"Data problems\")",
            "             With --upload, a failed write to S3 is exit 1 (the",
            "             message names the object).",
            "",
            "Examples:",
            "  pullab analyze --input examples/run_unixbench-demo_20261124_120000 \\",
            "                 --json r.json --plots p/",
            "  pullab analyze --input examples/run_unixbench-demo_20261124_120000 \\",
            "                 --html report/",
            "  pullab analyze --region us-west-2 \\",
            "      --input s3://kernel-ci-$USER-results/run_test-001_20260325_120000",
            "  pullab analyze --bucket kernel-ci-$USER-results \\",
            "                 --run-prefix run_test-001_20260325_120000 --upload"
        })
final class AnalyzeCommand implements Callable<Integer> {

    static final int EXIT_UNUSABLE_INPUT = 1;
    static final int EXIT_REGRESSION = 3;
    static final int EXIT_UNWRITABLE_OUTPUT = 4;
    static final int EXIT_DATA_EXCLUDED = 5;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-i", "--input"}, paramLabel = "DIR|s3://BUCKET/RUN_PREFIX",
            description = "The run: a local directory or an S3 run prefix.")
    private String input;

    @Option(names = "--bucket", paramLabel = "BUCKET",
            description = {"The run's results bucket, with --run-prefix:", "pullab_cloud's spelling of",
                "--input s3://BUCKET/RUN_PREFIX"})
    private String bucket;

    @Option(names = "--run-prefix", paramLabel = "RUN_PREFIX",
            description = "The run in --bucket, e.g. run_test-001_20260325_120000.")
    private String runPrefix;

    @Option(names = {"--upload", "--upload-analysis"},
            description = "Also write the report back under the run in S3, as the analyzer does: "
                    + "<run>/analysis/report.json, report.txt and plots/*.png (an S3 run only).")
    private boolean upload;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Option(names = "--plots", paramLabel = "DIR",
            description = "Write PNG charts of the %% change per metric (overall and per arch) to DIR.")
    private Path plots;

    @Option(names = "--html", paramLabel = "DIR",
            description = "Write the report as one self-contained HTML page, charts inline, to DIR/report.html "
                    + "(open it in a browser; it fetches nothing).")
    private Path html;

    @Option(names = "--correction", paramLabel = "holm|bh|none", defaultValue = "holm",
            converter = CorrectionConverter.class,
            description = "Multiple-testing correction across the metrics of a test: holm (family-wise error, "
                    + "default), bh (Benjamini-Hochberg false discovery rate) or none (raw p-values; close to, but not, pullab_cloud's verdicts: see the README).")
    private Correction correction;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.05",
            description = "Significance level for the adjusted p-values (default: ${DEFAULT-VALUE}).")
    private double alpha;

    @Option(names = "--min-effect", paramLabel = "D", defaultValue = "0.5",
            description = "Minimum |Cohen's d| for a regression (default: ${DEFAULT-VALUE}).")
    private double minEffect;

    @Option(names = "--min-change", paramLabel = "PCT", defaultValue = "1.0",
            description = "Minimum |estimated change| in percent for a paired verdict (default: ${DEFAULT-VALUE}).")
    private double minChange;

    @Option(names = "--pairing", paramLabel = "MODE", defaultValue = "auto",
            converter = PairingConverter.class,
            description = "auto: compare each VM's tip with its own base where VMs measured both kernels "
                    + "(default); off: always compare all base values with all tip values.")
    private AnalysisOptions.Pairing pairing;

    /** {@code auto} or {@code off}, in any case. */
    static final class PairingConverter implements picocli.CommandLine.ITypeConverter<AnalysisOptions.Pairing> {
        @Override
        public AnalysisOptions.Pairing convert(String value) {
            try {
                return AnalysisOptions.Pairing.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not auto or off");
            }
        }
    }

    @Option(names = "--region", paramLabel = "REGION",
            description = "AWS region of the bucket (default: AWS_REGION or the profile's region). "
                    + "AWS_ENDPOINT_URL is honoured (e.g. LocalStack or moto).")
    private String region;

    @Option(names = "--fail-on-regression",
            description = "Exit with status 3 when a regression is found (for CI gates).")
    private boolean failOnRegression;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AnalysisOptions options = options();
        Run run = run();
        try {
            RunSource source = run.source();
            DownloadProgress progress = source instanceof LocalRunSource ? DownloadProgress.SILENT
                    : new ConsoleProgress(err, source.location(), System.console() != null);
            AnalysisReport report = RunAnalysis.analyze(source, options, progress);
            if (report.tests().isEmpty()) {
                return nothingToCompare(err, source, report);
            }
            out.print(TextReport.render(report));
            out.flush();
            report.excludedData().forEach(x -> err.println("warning: " + Printable.escape(x.reason()) + " (left out: "
                    + (x.instanceId().isEmpty() ? "test " + Printable.escape(x.test())
                            : "VM " + Printable.escape(x.instanceId()) + " of test " + Printable.escape(x.test()))
                    + ")"));
            Optional<String> unwritable = writeOutputs(report, source.location(), err);
            if (unwritable.isPresent()) {
                err.println("error: " + unwritable.get());
                return EXIT_UNWRITABLE_OUTPUT;
            }
            if (upload) {
                S3Location location = run.location().orElseThrow();
                RunReportPublisher.Outcome published = new RunReportPublisher(new S3ObjectStore(run.s3()),
                        r -> new S3RunSource(run.s3(), r)).write(location, report);
                err.println("Uploaded: " + published.reportUri() + ", report.txt and " + published.plots()
                        + " plots under " + location.uriOf(location.key("analysis")) + "/");
                err.flush();
            }
            if (failOnRegression && report.testsWithRegression() > 0) {
                return EXIT_REGRESSION;
            }
            return report.excludedData().isEmpty() ? 0 : EXIT_DATA_EXCLUDED;
        } catch (InvalidInputException e) {
            err.println("error: " + Printable.escape(e.getMessage()));
            return EXIT_UNUSABLE_INPUT;
        }
    }

    private AnalysisOptions options() {
        try {
            return new AnalysisOptions(correction, alpha, minEffect, minChange, pairing);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The run to read: a local directory, or where it is in S3 and the client that reads it. */
    private record Run(RunSource source, Optional<S3Location> location, S3Client s3) {
    }

    /** The run named by --input, or by --bucket and --run-prefix (exactly one of the two ways). */
    private Run run() {
        boolean s3Named = bucket != null || runPrefix != null;
        if (input != null && s3Named) {
            throw usage("--input and --bucket/--run-prefix both name the run: give one (--bucket B --run-prefix P "
                    + "is --input s3://B/P)");
        }
        if (input == null && !s3Named) {
            throw usage("name the run: --input DIR|s3://BUCKET/RUN_PREFIX, or --bucket BUCKET --run-prefix "
                    + "RUN_PREFIX");
        }
        if (s3Named && (bucket == null || bucket.isBlank())) {
            throw usage("--run-prefix needs --bucket BUCKET (the run's results bucket)");
        }
        if (s3Named && (runPrefix == null || runPrefix.isBlank())) {
            throw usage("--bucket needs --run-prefix RUN_PREFIX (the run, e.g. run_test-001_20260325_120000)");
        }
        String uri = s3Named ? "s3://" + bucket.strip() + "/" + runPrefix.strip().replaceAll("^/+", "") : input;
        if (!uri.startsWith("s3://")) {
            if (upload) {
                throw usage("--upload writes the report under a run in S3, and " + input + " is a local "
                        + "directory: use --json FILE and --plots DIR for a local run");
            }
            return new Run(new LocalRunSource(Path.of(input)), Optional.empty(), null);
        }
        try {
            S3Location location = S3Location.parse(uri);
            if (s3Named && (bucket.contains("/") || location.prefix().isEmpty()
                    || List.of(location.prefix().split("/")).contains(".."))) {
                throw new IllegalArgumentException("--bucket takes a bucket name and --run-prefix a run's key prefix, "
                        + "e.g. --bucket kernel-ci-results --run-prefix run_test-001_20260325_120000");
            }
            S3Client s3 = AwsClients.s3(Optional.ofNullable(region));
            return new Run(new S3RunSource(s3, location), Optional.of(location), s3);
        } catch (IllegalArgumentException e) {
            // a malformed URI, no region configured, an invalid AWS_ENDPOINT_URL: all fixed on the command line
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private picocli.CommandLine.ParameterException usage(String message) {
        return new picocli.CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static int nothingToCompare(PrintWriter err, RunSource source, AnalysisReport report) {
        if (!report.excludedData().isEmpty()) {
            // every VM with benchmarks was left out: each reason names its file and line
            report.excludedData().forEach(x -> err.println("error: " + Printable.escape(x.reason())));
            err.println("error: " + source.location() + ": nothing left to compare");
        } else if (report.skippedTests().isEmpty()) {
            err.println("error: " + source.location() + ": no benchmark files (expected "
                    + "test_<name>/output/<instance_id>/benchmark-base*.csv and benchmark-tip*.csv)");
        } else {
            err.println("error: " + source.location() + ": no test has both base and tip benchmark files");
            for (SkippedItem skipped : report.skippedTests()) {
                err.println("  test_" + Printable.escape(skipped.name()) + ": " + Printable.escape(skipped.reason()));
            }
        }
        return EXIT_UNUSABLE_INPUT;
    }

    /** Writes the JSON report and the plots asked for; what could not be written, naming the path and why. */
    private Optional<String> writeOutputs(AnalysisReport report, String location, PrintWriter err) {
        if (json != null) {
            try {
                createParent(json);
                Files.writeString(json, ReportJson.write(report), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return Optional.of("cannot write the JSON report to " + json + ": " + CliErrors.describe(e));
            }
            err.println("JSON report: " + json);
        }
        if (plots != null) {
            List<Path> written = new ArrayList<>();
            try {
                Files.createDirectories(plots);
                for (VmTestAnalysis test : report.tests()) {
                    for (Plot plot : RegressionPlots.render(test)) {
                        Path file = plots.resolve(plot.fileName());
                        Files.write(file, plot.png());
                        written.add(file);
                    }
                }
            } catch (IOException e) {
                return Optional.of("cannot write the plots to " + plots + ": " + CliErrors.describe(e));
            }
            err.println("Plots: " + written.size() + " PNG files in " + plots);
        }
        if (html != null) {
            Path page = html.resolve("report.html");
            try {
                Files.createDirectories(html);
                Map<String, List<Plot>> charts = new LinkedHashMap<>();
                report.tests().forEach(test -> charts.put(test.test(), RegressionPlots.render(test)));
                Files.writeString(page, HtmlReport.render(RunPage.ofAnalysis(location, report),
                        charts), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return Optional.of("cannot write the HTML report to " + page + ": " + CliErrors.describe(e));
            }
            err.println("HTML report: " + page.toAbsolutePath().toUri());
        }
        err.flush();
        return Optional.empty();
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** Lets {@code --correction} name the valid values in its error. */
    static final class CorrectionConverter implements ITypeConverter<Correction> {
        @Override
        public Correction convert(String value) {
            return Correction.parse(value);
        }
    }
}
