package dev.pullab.analyzer.fanin;

import dev.pullab.core.aws.AwsClients;
import dev.pullab.core.aws.DynamoDbRunStore;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.plan.RunStore;
import java.time.Clock;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Lambda execution environment's settings and clients, each built once, on first use (in the init phase when a
 * handler's constructor asks for it). The runs table is all every handler needs; the closer (settings with their
 * secrets, S3, the KCIDB and KernelCI clients) is built only by a handler that closes runs, so a sweep that finds no
 * overdue run starts without it.
 */
final class AnalyzerEnvironment {

    private AnalyzerEnvironment() {
    }

    /** The runs table: {@code PULLAB_RUNS_TABLE} and the DynamoDB client. */
    private static final class Runs {
        static final String TABLE = env("PULLAB_RUNS_TABLE");
        static final DynamoDbClient DYNAMO = AwsClients.dynamoDb(Optional.empty());
    }

    /** Everything closing a run takes. */
    private static final class Holder {
        static final AnalyzerSettings SETTINGS = AnalyzerSettings.resolve(System.getenv(),
                AwsClients.secrets(AwsClients.secretsManager(Optional.empty())));
        static final S3Client S3 = AwsClients.s3(Optional.empty());
        static final RunCloser CLOSER = CloserAssembly.create(SETTINGS, S3, Runs.DYNAMO, RetryPolicy.defaults(),
                Clock.systemUTC());
    }

    static RunCloser closer() {
        return Holder.CLOSER;
    }

    static RunStore runs() {
        if (Runs.TABLE == null) {
            throw new ConfigurationException(
                    "Missing required configuration: PULLAB_RUNS_TABLE (infra-cdk sets it on the function)");
        }
        return new DynamoDbRunStore(Runs.DYNAMO, Runs.TABLE);
    }

    static InstanceReaper reaper() {
        return new InstanceReaper(() -> AwsClients.client(Ec2Client.builder(), Optional.empty(),
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
