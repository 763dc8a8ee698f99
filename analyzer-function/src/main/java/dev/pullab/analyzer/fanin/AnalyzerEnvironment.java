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

/** The Lambda execution environment's settings and clients, built once (lazily, in the init phase). */
final class AnalyzerEnvironment {

    private AnalyzerEnvironment() {
    }

    private static final class Holder {
        static final AnalyzerSettings SETTINGS = AnalyzerSettings.resolve(System.getenv(),
                AwsClients.secrets(AwsClients.secretsManager(Optional.empty())));
        static final S3Client S3 = AwsClients.s3(Optional.empty());
        static final DynamoDbClient DYNAMO = AwsClients.dynamoDb(Optional.empty());
        static final RunCloser CLOSER = CloserAssembly.create(SETTINGS, S3, DYNAMO, RetryPolicy.defaults(),
                Clock.systemUTC());
    }

    static RunCloser closer() {
        return Holder.CLOSER;
    }

    static RunStore runs() {
        return new DynamoDbRunStore(Holder.DYNAMO, Holder.SETTINGS.runsTable());
    }

    static InstanceReaper reaper() {
        return new InstanceReaper(AwsClients.client(Ec2Client.builder(), Optional.empty(), "AWS_ENDPOINT_URL_EC2",
                "aws.endpointUrlEc2"));
    }

    static String resultsBucket() {
        return Holder.SETTINGS.resultsBucket().orElseThrow(() -> new ConfigurationException(
                "Missing required configuration: PULLAB_RESULTS_BUCKET (the sweeper reads the runs' outputs there)"));
    }
}
