package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("the pullab command line")
class PullabCommandTest {

    @Test
    @DisplayName("every subcommand takes --log-level (inherited from pullab)")
    void everySubcommandTakesLogLevel() {
        Map<String, CommandLine> subcommands = PullabCommand.commandLine().getSubcommands();

        assertThat(subcommands).containsKeys("upload-rpms", "analyze", "poll", "local-run", "upload-tests");
        subcommands.forEach((name, command) -> {
            if (!name.equals("help")) {
                assertThat(command.getCommandSpec().optionsMap()).as(name).containsKey("--log-level");
            }
        });
    }
}
