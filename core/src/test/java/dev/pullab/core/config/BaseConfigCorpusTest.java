package dev.pullab.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.testkit.BadInputCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad base-config corpus ({@code bad-input/base-config/}): pullab_cloud config files named by
 * {@code PULLAB_BASE_CONFIG}, read as {@code pullab poll} reads its settings ({@link ConfigSource}, then
 * {@link PollerSettings#resolve}). Each fails at start with a message naming the file or the setting and the problem.
 */
class BaseConfigCorpusTest {

    @TempDir
    Path dir;

    static Stream<BadInputCorpus.Case> configs() {
        return BadInputCorpus.stream("base-config");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    @DisplayName("a bad config file fails at start, naming the file or the setting and the problem")
    void givenBadConfigFile_whenSettingsResolved_thenClearConfigurationError(BadInputCorpus.Case config)
            throws IOException {
        Path file = dir.resolve("config.json");
        Files.write(file, config.bytes());

        assertThatThrownBy(() -> PollerSettings.resolve(ConfigSource.of(Map.of("PULLAB_BASE_CONFIG",
                file.toString())), SecretLookup.NONE))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> config.strings("message").forEach(part -> assertThat(e)
                        .hasMessageContaining(part.replace("{path}", file.toString()))));
    }
}
