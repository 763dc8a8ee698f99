package dev.pullab.core.kcidb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.ConfigurationException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("KcidbSettings: where the KCIDB URL, JWT and origin come from")
class KcidbSettingsTest {

    private static final String REST_TOKEN = "eyJrest.eyJrestclaims.restsig";
    private final JsonNode fileConfig = KcidbFixtures.json(Map.of(
            "kcidb_submit_url", "https://config.example.org/submit",
            "kcidb_jwt", "config-jwt",
            "kcidb_origin", "config_origin"));
    private final JsonNode emptyConfig = KcidbFixtures.json("{\"kcidb_jwt\":null}");
    private final JsonNode originOnlyConfig = KcidbFixtures.json("{\"kcidb_origin\":\"lab\"}");

    private static KcidbSettings resolve(Map<String, String> env, JsonNode config) {
        return KcidbSettings.resolve(ConfigSource.of(env, config));
    }

    private static Map<String, String> env(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return env;
    }

    @Test
    @DisplayName("the config file's kernelci block is used when nothing is in the environment")
    void configFileLast() {
        KcidbSettings settings = resolve(Map.of(), fileConfig);

        assertThat(settings).isEqualTo(
                new KcidbSettings(URI.create("https://config.example.org/submit"), "config-jwt", "config_origin"));
    }

    @Test
    @DisplayName("KCIDB_SUBMIT_URL and KCIDB_JWT beat KCIDB_REST")
    void specificVarsBeatRest() {
        KcidbSettings settings = resolve(env("KCIDB_SUBMIT_URL", "https://specific.example.org/submit",
                "KCIDB_JWT", "specific-jwt", "KCIDB_REST", "https://" + REST_TOKEN + "@rest.example.org"), fileConfig);

        assertThat(settings.submitUrl()).isEqualTo(URI.create("https://specific.example.org/submit"));
        assertThat(settings.jwt()).isEqualTo("specific-jwt");
    }

    @Test
    @DisplayName("KCIDB_SUBMIT_URL without KCIDB_JWT and a KCIDB_REST of another host is refused: its token stays home")
    void restTokenNeverSentToAnotherReceiver() {
        assertThatThrownBy(() -> resolve(env("KCIDB_SUBMIT_URL", "https://other.example.org/submit",
                "KCIDB_REST", "https://" + REST_TOKEN + "@rest.example.org"), fileConfig))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("other.example.org").hasMessageContaining("rest.example.org")
                .hasMessageContaining("different KCIDB receivers").hasMessageNotContaining(REST_TOKEN);
    }

    @Test
    @DisplayName("KCIDB_SUBMIT_URL on the same receiver as KCIDB_REST takes the REST token for its own path")
    void sameReceiverKeepsRestToken() {
        KcidbSettings settings = resolve(env("KCIDB_SUBMIT_URL", "https://rest.example.org:443/v2/submit",
                "KCIDB_REST", "https://" + REST_TOKEN + "@rest.example.org"), fileConfig);

        assertThat(settings.submitUrl()).isEqualTo(URI.create("https://rest.example.org:443/v2/submit"));
        assertThat(settings.jwt()).isEqualTo(REST_TOKEN);
    }

    @Test
    @DisplayName("KCIDB_JWT with the URL of KCIDB_REST is refused: the JWT never goes to REST's host unasked")
    void explicitJwtNeverSentToRestHost() {
        assertThatThrownBy(() -> resolve(env("KCIDB_JWT", "specific-jwt",
                "KCIDB_REST", "https://" + REST_TOKEN + "@rest.example.org"), fileConfig))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("KCIDB_JWT is set").hasMessageContaining("rest.example.org")
                .hasMessageNotContaining(REST_TOKEN).hasMessageNotContaining("specific-jwt");
    }

    @Test
    @DisplayName("KCIDB_REST beats UNIFIED_TOKEN and the config file")
    void restBeatsUnifiedToken() {
        KcidbSettings settings = resolve(env("KCIDB_REST", "https://" + REST_TOKEN + "@rest.example.org/submit",
                "UNIFIED_TOKEN", "unified-token"), fileConfig);

        assertThat(settings.jwt()).isEqualTo(REST_TOKEN);
        assertThat(settings.submitUrl()).isEqualTo(URI.create("https://rest.example.org/submit"));
    }

    @Test
    @DisplayName("UNIFIED_TOKEN beats the config file's kcidb_jwt")
    void unifiedTokenBeatsConfig() {
        KcidbSettings settings = resolve(env("UNIFIED_TOKEN", "unified-token"), fileConfig);

        assertThat(settings.jwt()).isEqualTo("unified-token");
    }

    @Test
    @DisplayName("KCIDB_JWT beats UNIFIED_TOKEN")
    void specificJwtBeatsUnifiedToken() {
        KcidbSettings settings =
                resolve(env("KCIDB_JWT", "specific-jwt", "UNIFIED_TOKEN", "unified-token"), fileConfig);

        assertThat(settings.jwt()).isEqualTo("specific-jwt");
    }

    @Test
    @DisplayName("KCIDB_ORIGIN beats the config file's kcidb_origin")
    void originFromEnvironment() {
        assertThat(resolve(env("KCIDB_ORIGIN", "env_origin"), fileConfig).origin()).isEqualTo("env_origin");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "https://TOKEN@db.example.org,                  https://db.example.org/submit",
        "https://TOKEN@db.example.org/,                 https://db.example.org/submit",
        "https://TOKEN@db.example.org/submit,           https://db.example.org/submit",
        "https://TOKEN@db.example.org:8443/api/,        https://db.example.org:8443/api/submit",
        "http://TOKEN:ignored@127.0.0.1:9000/kcidb,     http://127.0.0.1:9000/kcidb/submit",
    })
    @DisplayName("the path of KCIDB_REST is forced to end in /submit and the user info is stripped")
    void restPathForcedToSubmit(String rest, String expectedUrl) {
        KcidbSettings settings = resolve(env("KCIDB_REST", rest), originOnlyConfig);

        assertThat(settings.submitUrl()).isEqualTo(URI.create(expectedUrl));
        assertThat(settings.jwt()).isEqualTo("TOKEN");
    }

    @Test
    @DisplayName("a KCIDB_REST without a token is ignored, as kci-dev does")
    void restWithoutTokenIgnored() {
        KcidbSettings settings = resolve(env("KCIDB_REST", "https://rest.example.org/submit"), fileConfig);

        assertThat(settings.submitUrl()).isEqualTo(URI.create("https://config.example.org/submit"));
    }

    @Test
    @DisplayName("a missing JWT is reported with pullab_cloud's message")
    void missingJwt() {
        ObjectNode config = (ObjectNode) fileConfig.deepCopy();
        config.putNull("kcidb_jwt");

        assertThatThrownBy(() -> resolve(Map.of(), config))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Missing required configuration: kernelci.kcidb_jwt")
                .hasMessageContaining("KCIDB_JWT");
    }

    @Test
    @DisplayName("a missing submit URL is reported")
    void missingUrl() {
        assertThatThrownBy(() -> resolve(env("KCIDB_JWT", "jwt", "KCIDB_ORIGIN", "lab"), emptyConfig))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Missing required configuration: kernelci.kcidb_submit_url");
    }

    @Test
    @DisplayName("a missing origin is reported (there is no default)")
    void missingOrigin() {
        assertThatThrownBy(() -> resolve(env("KCIDB_REST", "https://t@h.example.org"), emptyConfig))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Missing required configuration: kernelci.kcidb_origin");
    }

    @Test
    @DisplayName("an origin KCIDB would reject is refused at resolve time, naming it")
    void badOrigin() {
        assertThatThrownBy(() -> resolve(env("KCIDB_ORIGIN", "pull-labs-demo"), fileConfig))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'pull-labs-demo'")
                .hasMessageContaining("KCIDB_ORIGIN");
    }

    @Test
    @DisplayName("a malformed KCIDB_REST is reported without echoing the token")
    void malformedRestHidesToken() {
        assertThatThrownBy(() -> resolve(env("KCIDB_REST", "https://" + REST_TOKEN + "@bad host/x"), fileConfig))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("KCIDB_REST")
                .hasMessageNotContaining(REST_TOKEN);
    }

    @Test
    @DisplayName("toString redacts the JWT")
    void toStringRedactsJwt() {
        KcidbSettings settings = resolve(env("KCIDB_REST", "https://" + REST_TOKEN + "@rest.example.org"), fileConfig);

        assertThat(settings.toString()).doesNotContain(REST_TOKEN).contains("rest.example.org/submit");
    }

    @Test
    @DisplayName("the status base URL is the submit URL without /submit")
    void baseUrl() {
        KcidbSettings settings = new KcidbSettings(URI.create("https://db.example.org:8443/api/submit"), "j", "lab");

        assertThat(settings.baseUrl()).isEqualTo(URI.create("https://db.example.org:8443/api"));
    }
}
