package dev.pullab.analyzer.close;

import dev.pullab.core.launch.WatchSettings;
import dev.pullab.aws.AwsClients;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.Ec2ConsoleReader;
import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.aws.Lazy;
import dev.pullab.aws.SnapStartHooks;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.run.RunStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Lambda execution environment's settings and clients, each built once, on first use (in the init phase when a
 * handler's constructor asks for it). The runs table is all every handler needs; the closer (settings with their
 * secrets, S3, the KCIDB and KernelCI clients) is built only by a handler that closes runs, so a sweep that finds no
 * overdue run starts without it. With SnapStart, {@link #HOOKS} primes before the snapshot and has every client
 * and what holds one rebuilt after a restore.
 */
final class AnalyzerEnvironment {

    private AnalyzerEnvironment() {
    }

    /** The runs table's client: every handler needs it. */
    private static final Lazy<DynamoDbClient> DYNAMO = Lazy.of(() -> AwsClients.dynamoDb(Optional.empty()));

    /** The settings with their secrets (the lab's KernelCI token and KCIDB JWT), read from Secrets Manager. */
    private static final Lazy<AnalyzerSettings> SETTINGS = Lazy.of(() -> AnalyzerSettings.resolve(System.getenv(),
            AwsClients.secrets(AwsClients.secretsManager(Optional.empty()))));

    /** The S3 client: the closer reads the outputs with it, the sweeper writes the consoles it keeps. */
    private static final Lazy<S3Client> S3 = Lazy.of(() -> AwsClients.s3(Optional.empty()));

    /** The EC2 client (the sweeper's reaper and watch), built on the first VM to look at. */
    private static final Lazy<Ec2Client> EC2 = Lazy.of(() -> AwsClients.client(Ec2Client.builder(), Optional.empty(),
            "AWS_ENDPOINT_URL_EC2", "aws.endpointUrlEc2"));

    /** Everything closing a run takes: settings with their secrets, S3, the KCIDB and KernelCI clients. */
    private static final Lazy<RunCloser> CLOSER = Lazy.of(() -> CloserAssembly.create(SETTINGS.get(), S3.get(),
            DYNAMO.get(), RetryPolicy.defaults(), Clock.systemUTC(), closingConsoles()));

    /** At each close, the consoles of the run's VMs that have none kept yet (EC2 client built on the first). */
    private static RunCloser.BeforeClose closingConsoles() {
        S3ObjectStore store = new S3ObjectStore(S3.get());
        return new ClosingConsoles(store, new ConsoleCapture(new Ec2ConsoleReader(EC2), scrubber(SETTINGS.get()), store,
                resultsBucket()), WatchSettings.DEFAULT_MAX_VMS);
    }

    /** The runs table, on the DynamoDB client. */
    private static final Lazy<RunStore> RUNS = Lazy.of(() -> new DynamoDbRunStore(DYNAMO.get(), runsTable()));

    /**
     * SnapStart: primes with the runs table's store built and a {@code DescribeTable} of it (read-only); the results
     * handler has built the closer in its constructor by then. After a restore every client and what holds one are
     * rebuilt on next use. The settings (with the secrets) are kept.
     */
    private static final SnapStartHooks HOOKS = SnapStartHooks.register("analyzer", () -> {
        RUNS.get();
        DYNAMO.get().describeTable(b -> b.tableName(runsTable()));
    }, List.of(CLOSER, RUNS, S3, DYNAMO, EC2));

    /** The closer, built now (the results handler asks in the init phase) and again after a restore. */
    static Lazy<RunCloser> closer() {
        CLOSER.get();
        return CLOSER;
    }

    /** The runs table's store, built now and again after a restore. */
    static Lazy<RunStore> runs() {
        RUNS.get();
        return RUNS;
    }

    private static String runsTable() {
        String table = env("PULLAB_RUNS_TABLE");
        if (table == null) {
            throw new ConfigurationException(
                    "Missing required configuration: PULLAB_RUNS_TABLE (infra-cdk sets it on the function)");
        }
        return table;
    }

    /**
     * The sweeper's reaper: keeps each VM's console (scrubbed of the lab's secrets) in the results bucket before
     * terminating it. The EC2 and S3 clients and the secrets are built on the first VM to reap.
     */
    static Ec2InstanceReaper reaper() {
        String bucket = resultsBucket();
        Lazy<Ec2Client> ec2 = EC2;
        Lazy<ConsoleCapture> capture = Lazy.of(() -> new ConsoleCapture(new Ec2ConsoleReader(ec2),
                scrubber(SETTINGS.get()), new S3ObjectStore(S3.get()), bucket));
        return new Ec2InstanceReaper(ec2,
                (runPrefix, test, instanceId) -> capture.get().beforeTerminate(runPrefix, test, instanceId));
    }

    /**
     * The sweeper's watch over running VMs ({@link WatchSettings} from the environment): reads consoles with the EC2
     * client, keeps them and writes results in the results bucket; the clients and the secrets are built on the first
     * live VM.
     */
    static java.util.function.Supplier<dev.pullab.core.launch.ConsoleWatch> watch() {
        return Lazy.of(() -> {
            WatchSettings settings = WatchSettings.resolve(System.getenv());
            return new dev.pullab.core.launch.ConsoleWatch(RUNS.get(), new Ec2InstanceReaper(EC2),
                    new Ec2ConsoleReader(EC2), () -> scrubber(SETTINGS.get()), new S3ObjectStore(S3.get()),
                    resultsBucket(),
                    settings.rule(), settings.maxVms());
        });
    }

    /** A scrubber that also redacts the lab's own KernelCI token and KCIDB JWT, when the settings have them. */
    static LogScrubber scrubber(AnalyzerSettings settings) {
        return LogScrubber.forLab(settings.kernelci().flatMap(KernelCiAccess::apiToken).orElse(null),
                settings.kcidb().map(KcidbSettings::jwt).orElse(null));
    }

    static String resultsBucket() {
        String bucket = env("PULLAB_RESULTS_BUCKET");
        if (bucket == null) {
            throw new ConfigurationException("Missing required configuration: PULLAB_RESULTS_BUCKET (the sweeper reads "
                    + "the runs' outputs there)");
        }
        return bucket;
    }

    /** A variable as {@code ConfigSource} reads it: trimmed, blank is absent (null). */
    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
