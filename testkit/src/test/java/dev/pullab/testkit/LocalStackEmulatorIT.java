package dev.pullab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The LocalStack path of the emulator choice, run where a Docker engine answers; skipped, saying why, elsewhere. */
class LocalStackEmulatorIT {

    @Test
    @DisplayName("with a Docker engine, LocalStack starts in a container and answers S3")
    void localStackAnswersS3() {
        Optional<String> unavailable = EmulatorChoice.localStackUnavailable();
        unavailable.ifPresent(why -> System.err.println("LocalStackEmulatorIT skipped: " + why));
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "LocalStack cannot run here: " + unavailable.orElse(""));

        URI endpoint = LocalStackEmulator.start(EmulatorChoice.LOCALSTACK_IMAGE);

        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true)
                .region(Region.US_EAST_1).httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            s3.createBucket(b -> b.bucket("pullab-localstack-probe"));
            assertThat(s3.listBuckets().buckets()).anyMatch(b -> b.name().equals("pullab-localstack-probe"));
        }
    }

    @Test
    @DisplayName("without a Docker engine the reason names what is missing")
    void reasonNamesWhatIsMissing() {
        Optional<String> absent = EmulatorChoice.dockerEngineAbsent();
        Assumptions.assumeTrue(absent.isPresent(), "a Docker engine may be here");

        assertThat(absent.get()).contains("DOCKER_HOST").contains("/var/run/docker.sock");
        assertThat(EmulatorChoice.localStackUnavailable()).isPresent();
    }
}
