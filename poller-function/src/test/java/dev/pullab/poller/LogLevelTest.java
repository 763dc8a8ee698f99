package dev.pullab.poller;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The poller function honours LOG_LEVEL: loading its handler class (as Lambda does, before any logger) sets the level.
 * Each case runs in its own JVM, since the logging binding reads its settings once per JVM.
 */
@DisplayName("the poller function's LOG_LEVEL")
class LogLevelTest {

    /** Loads the handler class as Lambda does, then prints which levels a logger has on. */
    public static void main(String[] args) throws ClassNotFoundException {
        Class.forName("dev.pullab.poller.PollHandler", true, LogLevelTest.class.getClassLoader());
        org.slf4j.Logger log = LoggerFactory.getLogger("dev.pullab.poller.Probe");
        System.out.print("debug=" + log.isDebugEnabled() + " info=" + log.isInfoEnabled() + " warn="
                + log.isWarnEnabled());
    }

    @Test
    @DisplayName("LOG_LEVEL=DEBUG turns debug logging on")
    void givenDebug_whenHandlerLoaded_thenDebugOn() throws Exception {
        assertThat(probe("DEBUG")).isEqualTo("debug=true info=true warn=true");
    }

    @Test
    @DisplayName("LOG_LEVEL=WARN leaves only warnings and errors")
    void givenWarn_whenHandlerLoaded_thenInfoOff() throws Exception {
        assertThat(probe("warn")).isEqualTo("debug=false info=false warn=true");
    }

    @Test
    @DisplayName("without LOG_LEVEL the function logs at INFO")
    void givenNoLevel_whenHandlerLoaded_thenInfo() throws Exception {
        assertThat(probe(null)).isEqualTo("debug=false info=true warn=true");
    }

    private static String probe(String level) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LogLevelTest.class.getName()));
        builder.environment().remove("LOG_LEVEL");
        if (level != null) {
            builder.environment().put("LOG_LEVEL", level);
        }
        Process process = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
