package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** A command that fails prints one line naming what and why, never a stack trace (unless PULLAB_DEBUG=1). */
class CliErrorsTest {

    private static final String HEADER =
            "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";

    @TempDir
    Path dir;

    @Test
    @DisplayName("analyze --json under a regular file exits 4 with one line naming the path, no stack trace")
    void unwritableJsonReport() throws Exception {
        Path file = Files.writeString(dir.resolve("file.txt"), "in the way");
        Path json = file.resolve("r.json");

        CliRun result = CliRun.of("analyze", "-i", run().toString(), "--json", json.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_UNWRITABLE_OUTPUT);
        assertThat(result.err()).contains("error: cannot write the JSON report to " + json + ": " + file
                + ": already exists (a file is in the way)").doesNotContain("\tat ");
    }

    @Test
    @DisplayName("analyze --plots naming a regular file exits 4 with one line naming the path, no stack trace")
    void unwritablePlots() throws Exception {
        Path file = Files.writeString(dir.resolve("plots.png"), "in the way");

        CliRun result = CliRun.of("analyze", "-i", run().toString(), "--plots", file.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_UNWRITABLE_OUTPUT);
        assertThat(result.err()).contains("error: cannot write the plots to " + file + ": " + file)
                .doesNotContain("\tat ");
    }

    @Test
    @DisplayName("analyze --html naming a regular file exits 4 with one line naming the path, no stack trace")
    void unwritableHtml() throws Exception {
        Path file = Files.writeString(dir.resolve("html"), "in the way");

        CliRun result = CliRun.of("analyze", "-i", run().toString(), "--html", file.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_UNWRITABLE_OUTPUT);
        assertThat(result.err()).contains("error: cannot write the HTML report to " + file.resolve("report.html"))
                .doesNotContain("\tat ");
    }

    @Test
    @DisplayName("replay-dlq with an unusable AWS region exits 1 with one line, no stack trace")
    void replayDlqWithoutRegion() {
        CliRun result = CliRun.of("replay-dlq", "--dlq", "https://sqs.example/1/dlq", "--to",
                "https://sqs.example/1/q", "--region", " ");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: empty AWS region: pass --region, e.g. --region us-east-1"
                + System.lineSeparator());
    }

    @Test
    @DisplayName("an AWS access-denied answer names the service, the code and the IAM hint on one line")
    void accessDenied() {
        DynamoDbException denied = (DynamoDbException) DynamoDbException.builder().statusCode(400)
                .message("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:GetItem")
                .awsErrorDetails(AwsErrorDetails.builder().serviceName("DynamoDb").errorCode("AccessDeniedException")
                        .errorMessage("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                                + "dynamodb:GetItem\non resource: table/cursor")
                        .build())
                .build();

        Failing result = Failing.run(denied, Map.of());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: AWS DynamoDb refused the request (HTTP 400 AccessDeniedException): "
                + "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:GetItem on resource: "
                + "table/cursor (check the IAM permissions of the credentials in use)" + System.lineSeparator());
    }

    @Test
    @DisplayName("no AWS credentials is said in one line telling how to provide them")
    void noCredentials() {
        SdkClientException missing = SdkClientException.create("Unable to load credentials from any of the providers "
                + "in the chain AwsCredentialsProviderChain(credentialsProviders=[...]) : [SystemPropertyCredentials"
                + "Provider(): Unable to load credentials from system settings.\n ProfileCredentialsProvider(): ...]");

        Failing result = Failing.run(missing, Map.of());

        assertThat(result.err()).startsWith("error: no AWS credentials found: set AWS_ACCESS_KEY_ID")
                .doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    @DisplayName("with PULLAB_DEBUG=1 the stack trace follows the one line")
    void debugShowsTrace() {
        Failing result = Failing.run(new IllegalStateException("broken"), Map.of("PULLAB_DEBUG", "1"));

        assertThat(result.err()).startsWith("error: broken" + System.lineSeparator()).contains("\tat ");
    }

    /** A run of a command that throws {@code failure}, with the handler pullab installs. */
    private record Failing(int exitCode, String err) {
        static Failing run(Exception failure, Map<String, String> env) {
            @Command(name = "failing")
            final class FailingCommand implements Callable<Integer> {
                @Override
                public Integer call() throws Exception {
                    throw failure;
                }
            }
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new FailingCommand())
                    .setExecutionExceptionHandler(new CliErrors(env::get));
            cli.setErr(new PrintWriter(err, true));
            return new Failing(cli.execute(), err.toString());
        }
    }

    private Path run() throws Exception {
        Path output = dir.resolve("run/test_ub/output/i-1");
        Files.createDirectories(output);
        StringBuilder base = new StringBuilder(HEADER);
        StringBuilder tip = new StringBuilder(HEADER);
        for (int i = 0; i < 5; i++) {
            base.append("score,lps,").append(1000 + i).append(",true,6.1,i-1,m5.large,x86_64\n");
            tip.append("score,lps,").append(700 + i).append(",true,6.2,i-1,m5.large,x86_64\n");
        }
        Files.writeString(output.resolve("benchmark-base-1.csv"), base);
        Files.writeString(output.resolve("benchmark-tip-1.csv"), tip);
        return dir.resolve("run");
    }
}
