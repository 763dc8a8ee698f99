package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.KernelCiApiDouble;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's logging, seen on stderr of the shaded jar: warnings visible by default, --log-level and LOG_LEVEL. */
@DisplayName("pullab --log-level / LOG_LEVEL: the CLI's warnings on stderr")
class LogLevelIT {

    private static final String WARNING = "WARN PollerSettings - PULLAB_CURSOR_FILE / cursor_file (/tmp/cursor.json) "
            + "is not used: the cursor lives in DynamoDB (PULLAB_CURSOR_TABLE)";

    private final KernelCiApiDouble api = KernelCiApiDouble.start("log-level-token");

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    @DisplayName("a warning of the code the CLI runs is on stderr by default (WARN), in a short format")
    void givenIgnoredSetting_whenPolled_thenItsWarningIsOnStderr() throws Exception {
        JarRun run = JarRun.run(dir, env(), "poll", "--once", "--dry-run");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains(WARNING);
    }

    @Test
    @DisplayName("--log-level error, given after the subcommand, hides it")
    void givenErrorLevel_whenPolled_thenNoWarning() throws Exception {
        JarRun run = JarRun.run(dir, env(), "poll", "--once", "--dry-run", "--log-level", "error");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain("cursor_file");
    }

    @Test
    @DisplayName("LOG_LEVEL=ERROR (pullab_cloud's variable) hides it when --log-level is not given")
    void givenLogLevelVariable_whenPolled_thenNoWarning() throws Exception {
        List<String> env = env();
        env.add("LOG_LEVEL=ERROR");

        JarRun run = JarRun.run(dir, env, "poll", "--once", "--dry-run");

        assertThat(run.err()).doesNotContain("cursor_file");
    }

    @Test
    @DisplayName("--log-level before the subcommand wins over LOG_LEVEL")
    void givenOptionAndVariable_whenPolled_thenTheOptionWins() throws Exception {
        List<String> env = env();
        env.add("LOG_LEVEL=ERROR");

        JarRun run = JarRun.run(dir, env, "--log-level", "WARNING", "poll", "--once", "--dry-run");

        assertThat(run.err()).contains(WARNING);
    }

    @Test
    @DisplayName("an unknown level is bad usage (exit 2) naming the valid ones")
    void givenUnknownLevel_whenRun_thenUsageError() throws Exception {
        JarRun run = JarRun.run(dir, env(), "poll", "--once", "--dry-run", "--log-level", "loud");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--log-level 'loud' is not a log level: use ERROR, WARN, INFO or DEBUG");
    }

    private List<String> env() {
        return new ArrayList<>(List.of("KERNELCI_API_BASE_URI=" + api.baseUri(),
                "KERNELCI_RUNTIME_NAME=pull-labs-aws-ec2", "PULLAB_CURSOR_FILE=/tmp/cursor.json"));
    }
}
