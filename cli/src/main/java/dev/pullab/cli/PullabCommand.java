package dev.pullab.cli;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.LogLevel;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code pullab} command: entry point of {@code ./pullab} and {@code java -jar pullab.jar}. */
@Command(
        name = "pullab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A KernelCI pull lab on AWS: runs KernelCI test jobs on EC2, detects benchmark regressions "
                + "between kernels, reports to KernelCI and KCIDB.",
        footer = {"", "A failure prints one line, 'error: ...'; set PULLAB_DEBUG=1 for the stack trace as well.",
            "Logging (warnings, and more with --log-level INFO or DEBUG) goes to stderr.", "",
            "Example:", "  pullab upload-rpms --stack pullab-lab --log-level info ~/rpmbuild/RPMS/x86_64"},
        subcommands = {AnalyzeCommand.class, PollCommand.class, ReplayDlqCommand.class, LocalRunCommand.class,
                UploadRpmsCommand.class,
                RunCommand.class,
                UploadTestsCommand.class,
                RunsCommand.class, CleanupCommand.class, ValidateCommand.class,
                CommandLine.HelpCommand.class})
public final class PullabCommand {

    /** Given on any command (inherited by every subcommand); else LOG_LEVEL; else WARN. */
    private static final String LOG_LEVEL = "--log-level";
    private static final String LOG_LEVEL_LABEL = "LEVEL";
    private static final String LOG_LEVEL_DESCRIPTION = "What pullab logs on stderr besides its output: ERROR, WARN, "
            + "INFO or DEBUG (default: LOG_LEVEL, else WARN).";

    @Option(names = LOG_LEVEL, paramLabel = LOG_LEVEL_LABEL, scope = ScopeType.INHERIT,
            description = LOG_LEVEL_DESCRIPTION)
    private String logLevel;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine(args).execute(args));
    }

    /** The configured command line with every subcommand (what {@code pullab --help} lists); also used by tests. */
    static CommandLine commandLine() {
        PullabCommand pullab = new PullabCommand();
        return configure(new CommandLine(pullab), pullab);
    }

    /**
     * The command line that runs {@code args}: when they name a subcommand, pullab with that subcommand only, so
     * that picocli reads the annotations of one command rather than of all of them (most of the CLI's start-up
     * before this); otherwise (no subcommand, {@code help}, {@code --help}, a name that is no subcommand) the full
     * one, which prints the usage or the error as before.
     */
    static CommandLine commandLine(String[] args) {
        return subcommandNamed(args).map(PullabCommand::withOnly).orElseGet(PullabCommand::commandLine);
    }

    /** The subcommand that {@code args} run: the first argument after any {@code --log-level}, if it names one. */
    static Optional<Class<?>> subcommandNamed(String[] args) {
        int i = 0;
        while (i < args.length && (args[i].equals(LOG_LEVEL) || args[i].startsWith(LOG_LEVEL + "="))) {
            i += args[i].equals(LOG_LEVEL) ? 2 : 1;
        }
        if (i >= args.length || args[i].startsWith("-")) {
            return Optional.empty();
        }
        String word = args[i];
        return Arrays.stream(PullabCommand.class.getAnnotation(Command.class).subcommands())
                .filter(type -> type != CommandLine.HelpCommand.class)
                .filter(type -> {
                    Command command = type.getAnnotation(Command.class);
                    return command != null && (command.name().equals(word)
                            || Arrays.asList(command.aliases()).contains(word));
                })
                .findFirst();
    }

    /** pullab with one subcommand: the same name, help and version options and inherited --log-level. */
    private static CommandLine withOnly(Class<?> subcommand) {
        PullabCommand pullab = new PullabCommand();
        CommandSpec root = CommandSpec.wrapWithoutInspection(pullab)
                .name(PullabCommand.class.getAnnotation(Command.class).name())
                .mixinStandardHelpOptions(true)
                .versionProvider(new VersionProvider());
        root.addOption(OptionSpec.builder(LOG_LEVEL).paramLabel(LOG_LEVEL_LABEL).type(String.class)
                .scopeType(ScopeType.INHERIT).description(LOG_LEVEL_DESCRIPTION)
                .setter(new ISetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T set(T value) {
                        T previous = (T) pullab.logLevel;
                        pullab.logLevel = (String) value;
                        return previous;
                    }
                })
                .build());
        CommandLine cli = new CommandLine(root);
        cli.addSubcommand(new CommandLine(subcommand));
        return configure(cli, pullab);
    }

    private static CommandLine configure(CommandLine cli, PullabCommand pullab) {
        return cli
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true)
                .setExecutionStrategy(parseResult -> {
                    // before any command runs, so before the first logger is made; a bad level is a usage error of
                    // the command given (whose usage then follows the message)
                    List<CommandLine> given = parseResult.asCommandLineList();
                    pullab.level(System::getenv, given.get(given.size() - 1))
                            .configure(true, System::setProperty);
                    return new CommandLine.RunLast().execute(parseResult);
                })
                .setExecutionExceptionHandler(new CliErrors(System::getenv));
    }

    /**
     * The log level: --log-level, else LOG_LEVEL, else WARN.
     *
     * @throws CommandLine.ParameterException naming the bad value (exit 2)
     */
    LogLevel level(UnaryOperator<String> env, CommandLine commandLine) {
        try {
            return logLevel != null ? LogLevel.parse(logLevel, "--log-level")
                    : LogLevel.fromEnvironment(env).orElse(LogLevel.WARN);
        } catch (ConfigurationException bad) {
            throw new CommandLine.ParameterException(commandLine, bad.getMessage());
        }
    }
}
