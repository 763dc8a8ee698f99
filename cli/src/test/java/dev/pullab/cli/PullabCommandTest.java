package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.config.LogLevel;
import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
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

    @Test
    @DisplayName("picocli's classes are Java 17 class files, built from its source, so ./pullab's archive can hold them")
    void picocliCompiledForJava17() throws Exception {
        try (DataInputStream in = new DataInputStream(
                CommandLine.class.getResourceAsStream("CommandLine.class"))) {
            int magic = in.readInt();
            in.readUnsignedShort(); // minor version
            int major = in.readUnsignedShort();

            assertThat(magic).isEqualTo(0xCAFEBABE);
            assertThat(major).as("class file major version (61 is Java 17; picocli's jar has 49, Java 5)")
                    .isEqualTo(61);
        }
        assertThat(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .as("picocli from this module's classes, not from its jar").doesNotEndWith(".jar");
    }

    @Test
    @DisplayName("arguments naming a subcommand give pullab with that subcommand only")
    void oneSubcommandWhenNamed() {
        assertThat(PullabCommand.commandLine(new String[] {"analyze", "--input", "run"}).getSubcommands())
                .containsOnlyKeys("analyze");
        assertThat(PullabCommand.commandLine(new String[] {"--log-level", "info", "runs", "show", "r"})
                .getSubcommands()).containsOnlyKeys("runs");
        assertThat(PullabCommand.commandLine(new String[] {"--log-level=debug", "poll"}).getSubcommands())
                .containsOnlyKeys("poll");
    }

    @Test
    @DisplayName("no subcommand, help, an option first or an unknown name give the full command line")
    void fullCommandLineOtherwise() {
        int all = PullabCommand.commandLine().getSubcommands().size();

        for (String[] args : new String[][] {{}, {"help", "analyze"}, {"--help"}, {"-V"}, {"analyse"},
            {"--log-level"}, {"--log-level", "info"}}) {
            assertThat(PullabCommand.commandLine(args).getSubcommands()).as(String.join(" ", args)).hasSize(all);
        }
    }

    @Test
    @DisplayName("--help in an 80-column pipe breaks lines only at spaces: no word, path or URL is cut in two")
    void helpBreaksOnlyAtSpaces() {
        List<CommandLine> commands = everyCommand();
        List<String> cut = new ArrayList<>();
        for (CommandLine command : commands) {
            command.setUsageHelpAutoWidth(false).setUsageHelpWidth(80);
            String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            Set<String> printed = new HashSet<>(List.of(help.split("\\s+")));
            CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
            Stream.of(usage.description(), usage.footer(), command.getCommandSpec().options()
                    .stream().flatMap(o -> Arrays.stream(o.description())).toArray(String[]::new))
                    .flatMap(Arrays::stream)
                    .flatMap(text -> Arrays.stream(text.split("\\s+")))
                    .filter(word -> !word.isEmpty() && !word.contains("${") && !word.contains("%"))
                    .filter(word -> !printed.contains(word))
                    .forEach(word -> cut.add(command.getCommandName() + ": " + word));
        }

        assertThat(cut).isEmpty();
    }

    @Test
    @DisplayName("indented footer lines (examples, tables) fit in 80 columns, so they print whole, ready to copy")
    void indentedFooterLinesFit() {
        assertThat(everyCommand()).allSatisfy(command -> assertThat(command.getCommandSpec().usageMessage().footer())
                .as(command.getCommandName())
                .filteredOn(line -> line.startsWith(" "))
                .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80)));
    }

    /** pullab, its subcommands and theirs (runs show). */
    private static List<CommandLine> everyCommand() {
        CommandLine pullab = PullabCommand.commandLine();
        List<CommandLine> commands = new ArrayList<>(List.of(pullab));
        pullab.getSubcommands().forEach((name, command) -> {
            commands.add(command);
            commands.addAll(command.getSubcommands().values());
        });
        return commands;
    }

    @Test
    @DisplayName("each subcommand's usage is the same alone as in the full command line")
    void sameUsageAlone() {
        PullabCommand.commandLine().getSubcommands().forEach((name, full) -> {
            if (!name.equals("help")) {
                CommandLine alone = PullabCommand.commandLine(new String[] {name}).getSubcommands().get(name);
                assertThat(alone.getUsageMessage()).as(name).isEqualTo(full.getUsageMessage());
            }
        });
    }

    @Test
    @DisplayName("--log-level is read before or after the subcommand when it is alone")
    void logLevelAlone() {
        for (String[] args : new String[][] {{"--log-level", "info", "analyze", "--input", "run"},
            {"analyze", "--log-level", "info", "--input", "run"}}) {
            CommandLine cli = PullabCommand.commandLine(args);
            cli.parseArgs(args);
            PullabCommand pullab = cli.getCommand();

            assertThat(pullab.level(name -> null, cli)).as(String.join(" ", args)).isEqualTo(LogLevel.INFO);
        }
    }

    @Test
    @DisplayName("a bad --log-level before the subcommand is bad usage of that subcommand (exit 2, its usage shown)")
    void badLogLevelBeforeSubcommand() {
        CliRun run = CliRun.of("--log-level", "loud", "analyze", "--input", "run");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--log-level 'loud' is not a log level").contains("Usage: pullab analyze");
    }
}
