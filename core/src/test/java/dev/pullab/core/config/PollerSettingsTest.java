package dev.pullab.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PollerSettingsTest {

    private static final Map<String, String> MINIMAL = Map.of(
            "KERNELCI_API_BASE_URI", "https://staging.kernelci.org:9000/latest",
            "KERNELCI_RUNTIME_NAME", "pull-labs-aws-ec2");

    private static JsonNode block(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(MINIMAL);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    @DisplayName("environment variables beat the config file's kernelci block")
    void givenBoth_whenResolved_thenEnvironmentWins() throws Exception {
        PollerSettings s = PollerSettings.resolve(ConfigSource.of(env(),
                block("{\"api_base_uri\": \"https://other/latest\", \"runtime_name\": \"file-runtime\"}")),
                SecretLookup.NONE);

        assertThat(s.apiBaseUri()).hasToString("https://staging.kernelci.org:9000/latest");
        assertThat(s.runtimeName()).isEqualTo("pull-labs-aws-ec2");
    }

    @Test
    @DisplayName("the config file fills what the environment leaves out")
    void givenOnlyFile_whenResolved_thenFileValues() throws Exception {
        PollerSettings s = PollerSettings.resolve(ConfigSource.of(Map.of(), block(
                "{\"api_base_uri\": \"https://staging.kernelci.org:9000/latest\", \"runtime_name\": \"pull-labs-demo\","
                        + " \"api_token\": \"file-token\", \"platforms\": [\"qemu-x86_64\", \"qemu-arm64\"],"
                        + " \"poll_interval_sec\": 45}")), SecretLookup.NONE);

        assertThat(s.runtimeName()).isEqualTo("pull-labs-demo");
        assertThat(s.apiToken()).contains("file-token");
        assertThat(s.platforms()).containsExactlyInAnyOrder("qemu-x86_64", "qemu-arm64");
        assertThat(s.pollIntervalSec()).isEqualTo(45);
    }

    @Test
    @DisplayName("token precedence: KERNELCI_API_TOKEN, then the secret, then UNIFIED_TOKEN, then the file")
    void tokenPrecedence() throws Exception {
        JsonNode file = block("{\"api_token\": \"file\"}");
        SecretLookup secrets = id -> "secret-of-" + id;

        assertThat(PollerSettings.resolve(ConfigSource.of(env("KERNELCI_API_TOKEN", "specific",
                "KERNELCI_API_TOKEN_SECRET_ARN", "arn", "UNIFIED_TOKEN", "unified"), file), secrets).apiToken())
                .contains("specific");
        assertThat(PollerSettings.resolve(ConfigSource.of(env("KERNELCI_API_TOKEN_SECRET_ARN", "arn",
                "UNIFIED_TOKEN", "unified"), file), secrets).apiToken()).contains("secret-of-arn");
        assertThat(PollerSettings.resolve(ConfigSource.of(env("UNIFIED_TOKEN", "unified"), file), secrets).apiToken())
                .contains("unified");
        assertThat(PollerSettings.resolve(ConfigSource.of(env(), file), secrets).apiToken()).contains("file");
    }

    @Test
    @DisplayName("a missing API URL fails with pullab_cloud's message")
    void givenNoApi_whenResolved_thenMissingConfigurationMessage() {
        assertThatThrownBy(() -> PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(
                Map.of("KERNELCI_RUNTIME_NAME", "x")), SecretLookup.NONE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Missing required configuration: kernelci.api_base_uri");
    }

    @Test
    @DisplayName("claiming without a token fails with pullab_cloud's message")
    void givenNoToken_whenRequired_thenMissingConfigurationMessage() {
        PollerSettings s = PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(MINIMAL), SecretLookup.NONE);

        assertThatThrownBy(s::requireApiToken)
                .hasMessageStartingWith("Missing required configuration: kernelci.api_token");
    }

    @Test
    @DisplayName("KERNELCI_PLATFORMS is a comma-separated allow-list")
    void platformsList() {
        PollerSettings s = PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(
                env("KERNELCI_PLATFORMS", " qemu-x86_64, qemu-arm64 ,")), SecretLookup.NONE);

        assertThat(s.platforms()).containsExactlyInAnyOrder("qemu-x86_64", "qemu-arm64");
    }

    @Test
    @DisplayName("PULLAB_POLL_PARALLELISM: 8 jobs at once by default, 1..32 when set, anything else named")
    void parallelism() {
        assertThat(PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(env()), SecretLookup.NONE).parallelism())
                .isEqualTo(8);
        assertThat(PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(env("PULLAB_POLL_PARALLELISM", "1")),
                SecretLookup.NONE).parallelism()).isEqualTo(1);
        assertThatThrownBy(() -> PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(
                env("PULLAB_POLL_PARALLELISM", "0")), SecretLookup.NONE))
                .hasMessageContaining("PULLAB_POLL_PARALLELISM must be a whole number from 1 to 32, got '0'");
    }

    @Test
    @DisplayName("malformed numbers and URLs are named")
    void malformedValues() {
        assertThatThrownBy(() -> PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(
                env("PULLAB_POLL_PAGE_SIZE", "5000")), SecretLookup.NONE))
                .hasMessageContaining("PULLAB_POLL_PAGE_SIZE must be a whole number from 1 to 1000");
        assertThatThrownBy(() -> PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(
                env("KERNELCI_API_BASE_URI", "staging.kernelci.org")), SecretLookup.NONE))
                .hasMessageContaining("is not an http(s) URL");
    }

    @Test
    @DisplayName("the token never shows in the settings' text")
    void tokenRedacted() {
        PollerSettings s = PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(
                env("KERNELCI_API_TOKEN", "s3cr3t-t0ken")), SecretLookup.NONE);

        assertThat(s.toString()).doesNotContain("s3cr3t-t0ken").contains("token=(set)");
    }
}
