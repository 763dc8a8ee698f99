package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

/** The credentials shortcut: the environment's keys when the default chain would take them, else the chain. */
class AwsClientsTest {

    private static final Map<String, String> LAMBDA_ENV = Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token");

    @Test
    @DisplayName("keys in the environment (as Lambda sets them): the environment provider, no chain")
    void givenKeysInEnvironment_whenResolved_thenEnvironmentProvider() {
        assertThat(AwsClients.environmentCredentials(LAMBDA_ENV::get, name -> null))
                .containsInstanceOf(EnvironmentVariableCredentialsProvider.class);
    }

    @Test
    @DisplayName("no keys (SnapStart's container credentials, a profile), a blank key, or system properties: the chain")
    void givenNoUsableKeysOrSystemProperties_whenResolved_thenDefaultChain() {
        assertThat(AwsClients.environmentCredentials(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9001")::get, name -> null)).isEmpty();
        assertThat(AwsClients.environmentCredentials(Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", " ")::get, name -> null)).isEmpty();
        assertThat(AwsClients.environmentCredentials(LAMBDA_ENV::get,
                Map.of("aws.accessKeyId", "test")::get)).isEmpty();
    }
}
