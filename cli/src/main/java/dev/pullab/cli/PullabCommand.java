package dev.pullab.cli;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.LogLevel;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
    @Option(names = "--log-level", paramLabel = "LEVEL", scope = ScopeType.INHERIT,
            description = "What pullab logs on stderr besides its output: ERROR, WARN, INFO or DEBUG "
                    + "(default: LOG_LEVEL, else WARN).")
    private String logLevel;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    static CommandLine commandLine() {
        PullabCommand pullab = new PullabCommand();
        return new CommandLine(pullab)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true)
                .setExecutionStrategy(parseResult -> {
                    // before any command runs, so before the first logger is made
                    pullab.level(System::getenv, parseResult.commandSpec().commandLine())
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
