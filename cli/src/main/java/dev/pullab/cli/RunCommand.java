package dev.pullab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.cli.lab.LabOptions;
import dev.pullab.cli.run.RunDownload;
import dev.pullab.cli.run.RunTrigger;
import dev.pullab.cli.run.RunWatch;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.store.S3Location;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code pullab run}: starts one run on the lab, as a BuildComplete event does, and optionally follows it. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Starts one run on the lab through the path a BuildComplete event takes: the lab's trigger function gets "
                    + "the same event ({\"detail\": {\"config_s3_uri\": …, \"region\": …}}), so a run started here "
                    + "and one started by a kernel build are the same thing. A local config file is first uploaded "
                    + "to the storage bucket under configs/ (a new key each time, never over an existing config).",
            "",
            "Prints the run id (its prefix in the results bucket) on stdout. With --wait, follows it from the runs "
                    + "table and the results bucket (VMs launched, stages done per VM, results), then prints the "
                    + "summary line 'VMs: X/X spawned, Y successful, Z failed, W missing' and the regression report. "
                    + "Ctrl-C stops watching, not the run.",
            "",
            "On a local lab (local-run --serve), the lab file names a trigger queue instead of a function: the event "
                    + "goes there, and the local lab's loop hands it to the same trigger handler.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  pullab run --stack pullab --config my-config.json --wait \\",
            "             --results-dir results/",
            "  pullab run --lab pullab-local/lab.env \\",
            "             --config s3://my-storage/configs/boot.json --wait",
            "",
            "Exit status: 0 the run started (without --wait), or closed with every VM successful and no regression;"
                    + " 1 it closed with a failed or missing VM or a regression, or it could not be started; 2 a "
                    + "usage error; 3 --timeout passed before it closed (it goes on: pullab runs show RUN)."
        })
final class RunCommand implements Callable<Integer> {

    static final int EXIT_OPEN = 3;
    /** A pipeline config is a few KiB. */
    static final long MAX_CONFIG_BYTES = 1 << 20;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})\\s*(s|m|h)");

    @Spec
    private CommandSpec spec;

    @Mixin
    private LabOptions labOptions;

    @Option(names = "--config", required = true, paramLabel = "FILE|s3://BUCKET/KEY",
            description = "The pipeline config (pullab_cloud's config.json): a local file, uploaded to the storage "
                    + "bucket first, or an s3:// URI already there.")
    private String config;

    @Option(names = "--wait", description = "Follow the run until it is closed, then print its summary line and "
            + "regression report.")
    private boolean wait;

    @Option(names = "--results-dir", paramLabel = "DIR", description = "With --wait: download the run's outputs "
            + "(each VM's output files and the analysis) to DIR/<run id>/.")
    private Path resultsDir;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "With --wait: stop watching after this "
            + "long (e.g. 90s, 30m, 2h; default: the run's own deadline and 15 minutes).")
    private String timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (resultsDir != null && !wait) {
            throw new ParameterException(spec.commandLine(), "--results-dir needs --wait (the outputs are copied "
                    + "once the run is closed)");
        }
        Optional<Duration> limit = Optional.ofNullable(timeout).map(this::duration);
        if (limit.isPresent() && !wait) {
            throw new ParameterException(spec.commandLine(), "--timeout needs --wait");
        }
        LabOptions.Lab lab = labOptions.resolve();
        LabNames names = lab.names();
        try (S3Client s3 = lab.client(S3Client.builder(), "AWS_ENDPOINT_URL_S3", "aws.endpointUrlS3")) {
            String region = s3.serviceClientConfiguration().region().id();
            String configUri = configUri(s3, names, err);
            RunTrigger.Started started = start(lab, s3, region, configUri, err);
            out.println(started.runPrefix());
            out.flush();
            started.warnings().forEach(w -> err.println("warning: " + w));
            err.println("started run " + started.runPrefix() + " (test " + started.testId() + ", "
                    + started.instances().size() + " VM(s) launched) from " + configUri);
            err.flush();
            if (!wait) {
                return 0;
            }
            return follow(lab, s3, names, started.runPrefix(), limit, out, err);
        }
    }

    private int follow(LabOptions.Lab lab, S3Client s3, LabNames names, String runPrefix, Optional<Duration> limit,
            PrintWriter out, PrintWriter err) throws InterruptedException, IOException {
        String results = names.require(LabNames.RESULTS_BUCKET);
        AtomicBoolean finished = new AtomicBoolean();
        Thread resumeHint = new Thread(() -> {
            if (!finished.get()) {
                err.println();
                err.println("stopped watching " + runPrefix + "; the run goes on. Follow it with: pullab runs show "
                        + runPrefix);
                err.flush();
            }
        }, "pullab-run-interrupted");
        Runtime.getRuntime().addShutdownHook(resumeHint);
        RunWatch.Outcome outcome;
        try (DynamoDbClient dynamo = lab.client(DynamoDbClient.builder(), "AWS_ENDPOINT_URL_DYNAMODB",
                "aws.endpointUrlDynamoDb")) {
            RunWatch watch = new RunWatch(s3, new DynamoDbRunStore(dynamo, names.require(LabNames.RUNS_TABLE)),
                    results, runPrefix, line -> {
                        err.println(line);
                        err.flush();
                    }, Duration.ofSeconds(1), Duration.ofSeconds(5));
            outcome = watch.follow(limit.map(d -> Instant.now().plus(d)), () -> false);
        } finally {
            finished.set(true);
            removeHook(resumeHint);
        }
        if (resultsDir != null) {
            Path dir = resultsDir.resolve(runPrefix);
            RunDownload.Summary copied = RunDownload.DEFAULT.download(s3, results, runPrefix, dir, line -> {
                err.println("downloaded " + line);
                err.flush();
            });
            copied.skipped().forEach(why -> err.println("warning: left in the bucket: " + why));
            err.printf(Locale.ROOT, "%d file(s), %.1f KiB in %s%n", copied.files(), copied.bytes() / 1024.0, dir);
            err.flush();
        }
        if (outcome instanceof RunWatch.Closed closed) {
            out.println(closed.vms().summary());
            closed.failures().forEach(f -> out.println("  " + f));
            out.println();
            out.print(closed.report().orElse("No regression report: the run has no base and tip benchmark "
                    + "measurements to compare.\n"));
            out.flush();
            return closed.passed() ? 0 : 1;
        }
        RunWatch.StillOpen open = (RunWatch.StillOpen) outcome;
        err.println("stopped watching " + runPrefix + " after " + (timeout != null ? timeout
                : "its deadline and 15 minutes") + ": it is still "
                + open.state().map(Enum::name).orElse("not in the runs table") + ". Follow it with: pullab runs show "
                + runPrefix);
        err.flush();
        return EXIT_OPEN;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting (Ctrl-C): the hook runs, and says the run goes on
        }
    }

    /** Starts the run through the lab's trigger: its function, or a local lab's trigger queue. */
    private RunTrigger.Started start(LabOptions.Lab lab, S3Client s3, String region, String configUri,
            PrintWriter err) {
        String eventId = UUID.randomUUID().toString();
        var event = RunTrigger.buildComplete(eventId, configUri, region, Instant.now());
        Optional<String> queue = lab.names().find(LabNames.TRIGGER_QUEUE);
        if (queue.isPresent()) {
            try (SqsClient sqs = lab.client(SqsClient.builder(), "AWS_ENDPOINT_URL_SQS", "aws.endpointUrlSqs")) {
                return new RunTrigger.LocalQueue(sqs, queue.get(), s3, lab.names().require(LabNames.STORAGE_BUCKET),
                        Duration.ofSeconds(60), line -> {
                            err.println(line);
                            err.flush();
                        }).start(event);
            }
        }
        String function = lab.names().require(LabNames.TRIGGER_FUNCTION);
        try (LambdaClient lambda = lab.client(LambdaClient.builder(), "AWS_ENDPOINT_URL_LAMBDA",
                "aws.endpointUrlLambda")) {
            return new RunTrigger.Function(lambda, function).start(event);
        }
    }

    /** The config's s3:// URI: as given, or the local file's after uploading it under configs/. */
    private String configUri(S3Client s3, LabNames names, PrintWriter err) throws IOException {
        if (config.startsWith("s3://")) {
            try {
                S3Location.parse(config);
                return config;
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--config " + config + ": " + e.getMessage());
            }
        }
        Path file = Path.of(config);
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "--config " + config + ": no such file (give a "
                    + "pipeline config file, or an s3:// URI)");
        }
        if (Files.size(file) > MAX_CONFIG_BYTES) {
            throw new ParameterException(spec.commandLine(), "--config " + config + ": over " + MAX_CONFIG_BYTES
                    + " bytes, not a pipeline config");
        }
        byte[] bytes = Files.readAllBytes(file);
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ParameterException(spec.commandLine(), "--config " + config + ": not JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (json == null || !json.path("test_config").isObject()) {
            throw new ParameterException(spec.commandLine(), "--config " + config + ": no \"test_config\" object "
                    + "(a pipeline config is {\"test_config\": {\"test_id\": …, \"vms\": [...]}})");
        }
        String storage = names.require(LabNames.STORAGE_BUCKET);
        String name = file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        name = name.length() > 100 ? name.substring(name.length() - 100) : name;
        String key = "configs/run-" + LocalDateTime.now(ZoneOffset.UTC).format(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "-" + name;
        s3.putObject(b -> b.bucket(storage).key(key).contentType("application/json"), RequestBody.fromBytes(bytes));
        String uri = "s3://" + storage + "/" + key;
        err.println("uploaded " + file + " to " + uri);
        err.flush();
        return uri;
    }

    /** {@code 90s}, {@code 30m}, {@code 2h}, or ISO-8601 ({@code PT1H30M}). */
    private Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        try {
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                d = Duration.parse(text.strip());
            }
            if (d.isNegative() || d.isZero()) {
                throw new ParameterException(spec.commandLine(), "--timeout " + text + ": must be positive");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), "--timeout " + text + ": not a duration (e.g. 90s, "
                    + "30m, 2h)");
        }
    }
}
