package dev.pullab.analyzer.close;

import dev.pullab.aws.AwsClients;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.aws.Lazy;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.run.RunStore;
import java.time.Clock;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The Lambda execution environment's settings and clients, each built once, on first use (in the init phase when a
 * handler's constructor asks for it). The runs table is all every handler needs; the closer (settings with their
 * secrets, S3, the KCIDB and KernelCI clients) is built only by a handler that closes runs, so a sweep that finds no
 * overdue run starts without it.
 */
final class AnalyzerEnvironment {

    private AnalyzerEnvironment() {
    }

    /** The runs table's client: every handler needs it. */
    private static final Lazy<DynamoDbClient> DYNAMO = Lazy.of(() -> AwsClients.dynamoDb(Optional.empty()));

    /** Everything closing a run takes: settings with their secrets, S3, the KCIDB and KernelCI clients. */
    private static final Lazy<RunCloser> CLOSER = Lazy.of(() -> CloserAssembly.create(
            AnalyzerSettings.resolve(System.getenv(), AwsClients.secrets(AwsClients.secretsManager(Optional.empty()))),
            AwsClients.s3(Optional.empty()), DYNAMO.get(), RetryPolicy.defaults(), Clock.systemUTC()));

    static RunCloser closer() {
        return CLOSER.get();
    }

    static RunStore runs() {
        String table = env("PULLAB_RUNS_TABLE");
        if (table == null) {
            throw new ConfigurationException(
                    "Missing required configuration: PULLAB_RUNS_TABLE (infra-cdk sets it on the function)");
        }
        return new DynamoDbRunStore(DYNAMO.get(), table);
    }

    static Ec2InstanceReaper reaper() {
        return new Ec2InstanceReaper(() -> AwsClients.client(Ec2Client.builder(), Optional.empty(),
                "AWS_ENDPOINT_URL_EC2", "aws.endpointUrlEc2"));
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
