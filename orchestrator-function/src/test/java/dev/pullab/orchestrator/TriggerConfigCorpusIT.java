package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.BadInputCorpus;
import dev.pullab.core.launch.LaunchSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The bad trigger corpus ({@code bad-input/trigger-config/}): BuildComplete and scheduled events whose pipeline
 * config is missing or malformed, handled by the real {@link TriggerHandler} with S3, DynamoDB and EC2 on the AWS
 * emulator. Each invocation fails with a message naming the problem, and nothing is uploaded, recorded or launched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TriggerConfigCorpusIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String results = aws.createBucket("results");
    private final String storage = aws.createBucket("storage");
    private final String runsTable = aws.createTable("pullab-runs-" + suffix, "run_id");
    private final String launchesTable = aws.createTable("pullab-launches-" + suffix, "launch_id");
    private final TriggerHandler handler = new TriggerHandler(OrchestratorAssembly.create(
            new OrchestratorSettings(results, Optional.of(storage), runsTable, launchesTable, Optional.empty(),
                    new LaunchSettings(aws.region().id(), results, Optional.empty(), List.of(), List.of(), 3600,
                            Optional.empty(), Optional.empty()), Optional.empty()),
            new OrchestratorAssembly.Clients(s3, dynamo, aws.client(Ec2Client.builder()),
                    aws.client(SsmClient.builder()), aws.client(EcsClient.builder())),
            new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1)),
            Clock.systemUTC()), new S3ObjectStore(s3));

    static Stream<BadInputCorpus.Case> triggers() {
        return BadInputCorpus.stream("trigger-config");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("triggers")
    @DisplayName("a trigger with a missing or bad config fails naming the problem; nothing uploaded or launched")
    void givenBadTrigger_whenHandled_thenClearErrorAndNothingLaunched(BadInputCorpus.Case trigger) throws Exception {
        String key = "configs/" + UUID.randomUUID() + ".json";
        trigger.file().ifPresent(file -> s3.putObject(b -> b.bucket(storage).key(key),
                RequestBody.fromBytes(trigger.bytes())));
        Map<String, Object> event = JSON.readValue(JSON.writeValueAsString(trigger.spec().get("event"))
                .replace("{config}", "s3://" + storage + "/" + key), new TypeReference<>() { });

        assertThatThrownBy(() -> handler.handleRequest(event, null))
                .satisfies(e -> assertThat(e.getClass().getSimpleName()).isEqualTo(trigger.required("exception")))
                .satisfies(e -> trigger.strings("message").forEach(part -> assertThat(e).hasMessageContaining(part)));
        assertThat(s3.listObjectsV2(b -> b.bucket(results)).contents()).as("uploaded payloads").isEmpty();
        assertThat(dynamo.scan(b -> b.tableName(runsTable)).count()).as("run records").isZero();
    }

    @org.junit.jupiter.api.Test
    @DisplayName("a pipeline config over 1 MiB is refused naming it, without reading it whole; nothing launched")
    void givenHugeConfig_whenHandled_thenRefusedNamingItAndNothingLaunched() {
        String key = "configs/" + UUID.randomUUID() + ".json";
        s3.putObject(b -> b.bucket(storage).key(key), RequestBody.fromString("{" + " ".repeat(2 << 20) + "}"));
        Map<String, Object> event = Map.of("config_s3_uri", "s3://" + storage + "/" + key);

        assertThatThrownBy(() -> handler.handleRequest(event, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://" + storage + "/" + key)
                .hasMessageContaining("larger than 1048576 bytes");
        assertThat(s3.listObjectsV2(b -> b.bucket(results)).contents()).as("uploaded payloads").isEmpty();
    }
}
