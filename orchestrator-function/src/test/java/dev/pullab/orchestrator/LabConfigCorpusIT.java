package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.BadInputCorpus;
import dev.pullab.core.launch.LaunchSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The bad lab-config corpus ({@code bad-input/lab-config/}): {@code PULLAB_LAB_CONFIG} files (or S3 objects) loaded
 * by {@link OrchestratorAssembly#create} as the orchestrator's handlers do when they start. A bad one stops the
 * function at start with a message naming the location, the JSON path and the problem; the tolerated ones load.
 */
class LabConfigCorpusIT {

    private static final AwsEmulator AWS = AwsEmulator.get();
    private static final String BUCKET = AWS.createBucket("lab-config");

    @TempDir
    Path dir;

    static Stream<BadInputCorpus.Case> labConfigs() {
        return BadInputCorpus.stream("lab-config");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("labConfigs")
    @DisplayName("a bad lab config stops the orchestrator at start with the location, the path and the problem")
    void givenLabConfig_whenOrchestratorBuilt_thenClearErrorOrTolerated(BadInputCorpus.Case config)
            throws IOException {
        String location;
        if (config.file().isPresent()) {
            Path file = dir.resolve("lab.json");
            Files.write(file, config.bytes());
            location = file.toString();
        } else {
            location = config.required("location").replace("{dir}", dir.toString()).replace("{bucket}", BUCKET);
        }

        if (config.required("expect").equals("accepted")) {
            assertThat(build(location)).isNotNull();
        } else {
            assertThatThrownBy(() -> build(location))
                    .isInstanceOf(ConfigurationException.class)
                    .satisfies(e -> config.strings("message").forEach(part -> assertThat(e)
                            .hasMessageContaining(part.replace("{location}", location))));
        }
    }

    private static Orchestrator build(String labConfig) {
        OrchestratorSettings settings = new OrchestratorSettings(BUCKET, Optional.empty(), "pullab-runs",
                "pullab-launches", Optional.of(labConfig), new LaunchSettings(AWS.region().id(), BUCKET,
                        Optional.empty(), List.of(), List.of(), 3600, Optional.empty(), Optional.empty()),
                Optional.empty());
        return OrchestratorAssembly.create(settings, new OrchestratorAssembly.Clients(AWS.s3(),
                AWS.client(DynamoDbClient.builder()), AWS.client(Ec2Client.builder()),
                AWS.client(SsmClient.builder()), AWS.client(EcsClient.builder())),
                new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1)),
                Clock.systemUTC());
    }
}
