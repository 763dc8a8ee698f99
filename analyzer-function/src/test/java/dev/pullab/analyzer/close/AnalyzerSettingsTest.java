package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.SecretLookup;
import dev.pullab.core.benchmark.ReadLimits;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnalyzerSettingsTest {

    private static final SecretLookup NO_SECRETS = id -> {
        throw new AssertionError("no secret expected, asked for " + id);
    };

    @Test
    @DisplayName("without read-limit settings the defaults apply: 16 MiB per file, 32 MiB per VM, 64 MiB per run")
    void givenNoLimitSettings_whenResolved_thenDefaults() {
        assertThat(AnalyzerSettings.resolve(env(Map.of()), NO_SECRETS).readLimits()).isEqualTo(ReadLimits.DEFAULTS);
    }

    @Test
    @DisplayName("PULLAB_READ_LIMIT_FILE_MIB, _VM_MIB and _RUN_MIB set the read limits in MiB")
    void givenLimitSettings_whenResolved_thenThoseLimits() {
        AnalyzerSettings settings = AnalyzerSettings.resolve(env(Map.of("PULLAB_READ_LIMIT_FILE_MIB", "32",
                "PULLAB_READ_LIMIT_VM_MIB", "96", "PULLAB_READ_LIMIT_RUN_MIB", "512")), NO_SECRETS);

        assertThat(settings.readLimits()).isEqualTo(new ReadLimits(32L << 20, 96L << 20, 512L << 20));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"0", "-1", "1.5", "16MiB", "2048", "0x10"})
    @DisplayName("a read limit that is not a whole number of MiB from 1 to 1024 is a configuration error naming it")
    void givenBadLimit_whenResolved_thenNamedError(String value) {
        assertThatThrownBy(() -> AnalyzerSettings.resolve(env(Map.of("PULLAB_READ_LIMIT_FILE_MIB", value)),
                NO_SECRETS))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("PULLAB_READ_LIMIT_FILE_MIB must be a whole number of MiB from 1 to 1024, got '" + value
                        + "'");
    }

    @Test
    @DisplayName("without PULLAB_LOGS_URL there is no logs URL (links are S3 URLs of the published copies)")
    void givenNoLogsUrl_whenResolved_thenNone() {
        assertThat(AnalyzerSettings.resolve(env(Map.of()), NO_SECRETS).logsUrl()).isEmpty();
    }

    @Test
    @DisplayName("PULLAB_LOGS_URL is the https base of the published logs, a trailing slash dropped")
    void givenLogsUrl_whenResolved_thenBase() {
        AnalyzerSettings settings = AnalyzerSettings.resolve(env(Map.of("PULLAB_LOGS_URL",
                "https://d111111abcdef8.cloudfront.net/")), NO_SECRETS);

        assertThat(settings.logsUrl()).contains(URI.create("https://d111111abcdef8.cloudfront.net"));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"http://logs.example.org", "https://logs.example.org/?sig=1", "https://logs.example.org/#a",
        "logs.example.org", "https:///logs", "https://user@logs.example.org", "https://logs example"})
    @DisplayName("a PULLAB_LOGS_URL that is not a plain https base is a configuration error naming it")
    void givenBadLogsUrl_whenResolved_thenNamedError(String value) {
        assertThatThrownBy(() -> AnalyzerSettings.resolve(env(Map.of("PULLAB_LOGS_URL", value)), NO_SECRETS))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("PULLAB_LOGS_URL ");
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "eu-west-1", "PULLAB_RUNS_TABLE", "runs"));
        env.putAll(extra);
        return env;
    }
}
