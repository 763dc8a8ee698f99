package dev.pullab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pullab} command: entry point of {@code ./pullab} and {@code java -jar pullab.jar}. */
@Command(
        name = "pullab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A KernelCI pull lab on AWS: runs KernelCI test jobs on EC2, detects benchmark regressions "
                + "between kernels, reports to KernelCI and KCIDB.",
        footer = {"", "A failure prints one line, 'error: ...'; set PULLAB_DEBUG=1 for the stack trace as well."},
        subcommands = {AnalyzeCommand.class, PollCommand.class, ReplayDlqCommand.class, LocalRunCommand.class,
                RunCommand.class,
                UploadTestsCommand.class,
                CommandLine.HelpCommand.class})
public final class PullabCommand {

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    static CommandLine commandLine() {
        return new CommandLine(new PullabCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true)
                .setExecutionExceptionHandler(new CliErrors(System::getenv));
    }
}
