package dev.pullab.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LogLevel: --log-level and LOG_LEVEL as the simple binding's settings")
class LogLevelTest {

    @Test
    @DisplayName("levels are read in any case, and pullab_cloud's WARNING is WARN")
    void parsesAnyCaseAndWarning() {
        assertThat(LogLevel.parse("debug", "LOG_LEVEL")).isEqualTo(LogLevel.DEBUG);
        assertThat(LogLevel.parse(" WARNING ", "LOG_LEVEL")).isEqualTo(LogLevel.WARN);
    }

    @Test
    @DisplayName("an unknown level names the setting, the value and the valid levels")
    void unknownLevelIsRefused() {
        assertThatThrownBy(() -> LogLevel.parse("loud", "LOG_LEVEL")).isInstanceOf(ConfigurationException.class)
                .hasMessage("LOG_LEVEL 'loud' is not a log level: use ERROR, WARN, INFO or DEBUG");
    }

    @Test
    @DisplayName("LOG_LEVEL unset or blank gives no level (the caller's default)")
    void unsetVariableGivesNothing() {
        assertThat(LogLevel.fromEnvironment(Map.<String, String>of()::get)).isEmpty();
        assertThat(LogLevel.fromEnvironment(Map.of("LOG_LEVEL", " ")::get)).isEmpty();
        assertThat(LogLevel.fromEnvironment(Map.of("LOG_LEVEL", "info")::get)).contains(LogLevel.INFO);
    }

    @Test
    @DisplayName("a function's settings: the default level, the AWS SDK kept at WARN even at DEBUG")
    void functionSettings() {
        assertThat(LogLevel.DEBUG.simpleLoggerProperties(false)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "org.slf4j.simpleLogger.defaultLogLevel", "debug",
                "org.slf4j.simpleLogger.log.software.amazon.awssdk", "warn"));
    }

    @Test
    @DisplayName("the CLI's settings: stderr, level and short class name, no thread, no time")
    void commandLineSettings() {
        assertThat(LogLevel.ERROR.simpleLoggerProperties(true)).containsEntry("org.slf4j.simpleLogger.logFile",
                "System.err").containsEntry("org.slf4j.simpleLogger.showThreadName", "false")
                .containsEntry("org.slf4j.simpleLogger.showShortLogName", "true")
                .containsEntry("org.slf4j.simpleLogger.defaultLogLevel", "error")
                .containsEntry("org.slf4j.simpleLogger.log.software.amazon.awssdk", "error");
    }
}
