package dev.pullab.orchestrator;

import dev.pullab.aws.AwsClients;
import dev.pullab.aws.Lazy;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.store.ObjectStore;
import java.time.Clock;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The Lambda execution environment's clients and orchestrator, built once (lazily, in the init phase). EC2, SSM and ECS
 * are built on their first use only (see {@link OrchestratorAssembly.Clients#lazy}); everything with {@link Lazy}.
 */
final class Environment {

    private Environment() {
    }

    private static final Lazy<OrchestratorAssembly.Clients> CLIENTS = Lazy.of(() -> OrchestratorAssembly.Clients.lazy(
            AwsClients.s3(Optional.empty()), AwsClients.dynamoDb(Optional.empty()),
            () -> AwsClients.client(Ec2Client.builder(), Optional.empty(), "AWS_ENDPOINT_URL_EC2",
                    "aws.endpointUrlEc2"),
            () -> AwsClients.client(SsmClient.builder(), Optional.empty(), "AWS_ENDPOINT_URL_SSM",
                    "aws.endpointUrlSsm"),
            () -> AwsClients.client(EcsClient.builder(), Optional.empty(), "AWS_ENDPOINT_URL_ECS",
                    "aws.endpointUrlEcs")));
    private static final Lazy<Orchestrator> ORCHESTRATOR = Lazy.of(() -> OrchestratorAssembly.create(
            OrchestratorSettings.resolve(ConfigSource.ofEnvironmentOnly(System.getenv()),
                    AwsClients.secrets(AwsClients.secretsManager(Optional.empty()))),
            CLIENTS.get(), RetryPolicy.defaults(), Clock.systemUTC()));

    static Orchestrator orchestrator() {
        return ORCHESTRATOR.get();
    }

    static ObjectStore objects() {
        return new S3ObjectStore(CLIENTS.get().s3());
    }
}
