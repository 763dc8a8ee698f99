package dev.pullab.orchestrator;

import dev.pullab.aws.AwsClients;
import dev.pullab.aws.Lazy;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.aws.SnapStartHooks;
import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.store.ObjectStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The Lambda execution environment's clients and orchestrator, built once (lazily, in the init phase). EC2, SSM and ECS
 * are built on their first use only (see {@link OrchestratorAssembly.Clients#lazy}); everything with {@link Lazy}.
 * With SnapStart, {@link #HOOKS} primes before the snapshot and has the clients and the orchestrator rebuilt after a
 * restore.
 */
final class Environment {

    private Environment() {
    }

    private static final Lazy<OrchestratorSettings> SETTINGS = Lazy.of(() -> OrchestratorSettings.resolve(
            ConfigSource.ofEnvironmentOnly(System.getenv()),
            AwsClients.secrets(AwsClients.secretsManager(Optional.empty()))));
    private static final Lazy<S3Client> S3 = Lazy.of(() -> AwsClients.s3(Optional.empty()));
    private static final Lazy<DynamoDbClient> DYNAMO = Lazy.of(() -> AwsClients.dynamoDb(Optional.empty()));
    private static final Lazy<Ec2Client> EC2 = Lazy.of(() -> AwsClients.client(Ec2Client.builder(), Optional.empty(),
            "AWS_ENDPOINT_URL_EC2", "aws.endpointUrlEc2"));
    private static final Lazy<SsmClient> SSM = Lazy.of(() -> AwsClients.client(SsmClient.builder(), Optional.empty(),
            "AWS_ENDPOINT_URL_SSM", "aws.endpointUrlSsm"));
    private static final Lazy<EcsClient> ECS = Lazy.of(() -> AwsClients.client(EcsClient.builder(), Optional.empty(),
            "AWS_ENDPOINT_URL_ECS", "aws.endpointUrlEcs"));
    private static final Lazy<OrchestratorAssembly.Clients> CLIENTS = Lazy.of(() -> OrchestratorAssembly.Clients.lazy(
            S3.get(), DYNAMO.get(), EC2, SSM, ECS));
    private static final Lazy<Orchestrator> ORCHESTRATOR = Lazy.of(() -> OrchestratorAssembly.create(SETTINGS.get(),
            CLIENTS.get(), RetryPolicy.defaults(), Clock.systemUTC()));
    private static final Lazy<ObjectStore> OBJECTS = Lazy.of(() -> new S3ObjectStore(CLIENTS.get().s3()));

    /**
     * SnapStart: primes with the orchestrator built and a {@code DescribeTable} of the runs table (read-only); after a
     * restore the orchestrator and every client built are rebuilt on next use. The settings (with the token) are kept.
     */
    private static final SnapStartHooks HOOKS = SnapStartHooks.register("orchestrator", () -> {
        ORCHESTRATOR.get();
        OBJECTS.get();
        DYNAMO.get().describeTable(b -> b.tableName(SETTINGS.get().runsTable()));
    }, List.of(ORCHESTRATOR, OBJECTS, CLIENTS, S3, DYNAMO, EC2, SSM, ECS));

    /** The orchestrator, built now (the handlers ask in the init phase) and again after a restore. */
    static Lazy<Orchestrator> orchestrator() {
        ORCHESTRATOR.get();
        return ORCHESTRATOR;
    }

    static Lazy<ObjectStore> objects() {
        OBJECTS.get();
        return OBJECTS;
    }
}
