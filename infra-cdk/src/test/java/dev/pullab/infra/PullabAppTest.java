package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

/** The app as {@code cdk synth} runs it: the cdk-nag plugin passes and the template is written. */
class PullabAppTest {

    @Test
    void synthesizesWithTheNagPluginPassing(@TempDir Path out) throws IOException {
        App app = new App(AppProps.builder().outdir(out.toString())
                .context(Map.of("placeholderCode", "true", "prefix", "pullab-ci")).build());
        PullabApp.configure(app);
        app.synth();

        assertThat(out.resolve("pullab-ci.template.json")).exists();
        String report = Files.readString(out.resolve("validation-report.json"));
        assertThat(report).contains("\"pluginReports\": []");
    }

    @Test
    void anUnacknowledgedFindingFailsTheSynth(@TempDir Path out) {
        App app = new App(AppProps.builder().outdir(out.toString())
                .context(Map.of("placeholderCode", "true")).build());
        PullabStack stack = PullabApp.configure(app);
        // a queue without dead-letter queue nor TLS policy: AwsSolutions-SQS3 and -SQS4
        new software.amazon.awscdk.services.sqs.Queue(stack, "Unchecked");

        assertThatThrownBy(app::synth).hasMessageContaining("Validation failed");
        assertThat(out.resolve("validation-report.json")).content().contains("AwsSolutions-SQS");
    }

    @Test
    void givenAPullabCloudConfig_whenSynthesized_thenItsKernelciBlockConfiguresTheFunctionsAndTheSchedule(
            @TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"kernelci": {"api_base_uri": "https://kernelci-api.example.org/latest", "api_token": "s3cr3t-token",
                  "runtime_name": "pull-labs-aws-ec2", "poll_interval_sec": 300, "platforms": ["qemu-x86_64", "arm64-ec2"],
                  "cursor_file": "/tmp/pullab_cloud_cursor.json", "kcidb_submit_url": "https://db.kernelci.org/submit",
                  "kcidb_origin": "pullab_cloud_aws", "kcidb_jwt": "ey.secret.jwt"},
                 "storage": {"type": "s3", "bucket": "kernel-ci-results"}}
                """);
        App app = new App(AppProps.builder().context(Map.of("placeholderCode", "true", "config", config.toString(),
                "kcidbOrigin", "my_lab")).build());
        PullabStack stack = PullabApp.configure(app);
        software.amazon.awscdk.assertions.Template template =
                software.amazon.awscdk.assertions.Template.fromStack(stack);

        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Environment", Map.of("Variables",
                software.amazon.awscdk.assertions.Match.objectLike(Map.of(
                        "KERNELCI_API_BASE_URI", "https://kernelci-api.example.org/latest",
                        "KERNELCI_RUNTIME_NAME", "pull-labs-aws-ec2",
                        "KERNELCI_PLATFORMS", "qemu-x86_64,arm64-ec2")))));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Environment", Map.of("Variables",
                software.amazon.awscdk.assertions.Match.objectLike(Map.of(
                        "KCIDB_SUBMIT_URL", "https://db.kernelci.org/submit",
                        "KCIDB_ORIGIN", "my_lab"))))); // -c beats the file
        template.hasResourceProperties("AWS::Scheduler::Schedule", Map.of("ScheduleExpression", "rate(5 minutes)"));
        assertThat(template.toJSON().toString()).doesNotContain("s3cr3t-token", "ey.secret.jwt");
        software.amazon.awscdk.assertions.Annotations warnings =
                software.amazon.awscdk.assertions.Annotations.fromStack(stack);
        for (String secret : java.util.List.of("kernelci.api_token", "kernelci.kcidb_jwt")) {
            warnings.hasWarning("*", software.amazon.awscdk.assertions.Match.stringLikeRegexp(
                    secret + " in .*config.json is not deployed.*"));
        }
    }

    @Test
    void givenAConfigPathThatDoesNotExist_whenConfigured_thenTheErrorNamesIt(@TempDir Path dir) {
        App app = new App(AppProps.builder().context(Map.of("placeholderCode", "true",
                "config", dir.resolve("nope.json").toString())).build());

        assertThatThrownBy(() -> PullabApp.configure(app))
                .hasMessageContaining("context config=").hasMessageContaining("nope.json: no such file");
    }

    @Test
    void givenAPollIntervalThatIsNotANumber_whenConfigured_thenTheErrorNamesTheKey(@TempDir Path dir)
            throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"kernelci\": {\"poll_interval_sec\": \"often\"}}");

        assertThatThrownBy(() -> PullabCloudConfig.read(config))
                .hasMessageContaining("kernelci.poll_interval_sec must be a whole number of seconds, got 'often'");
    }

    @Test
    void givenSecretsInTheConfig_whenRead_thenTheyAreReportedAsIgnored(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"kernelci\": {\"api_token\": \"t\", \"kcidb_jwt\": null, \"poll_interval_sec\": 30}}");

        PullabCloudConfig read = PullabCloudConfig.read(config);

        assertThat(read.ignored()).containsExactly("kernelci.api_token");
        assertThat(read.context()).containsExactly(Map.entry("pollInterval", "1"));
    }

    @Test
    void givenAConfigWithARoleName_whenSynthesized_thenTheOrchestratorMayPassThatRoleToEc2Only(@TempDir Path dir)
            throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"test_config": {"test_id": "test-001", "role_name": "kernel-ci-vm-role", "vms": []}}
                """);
        App app = new App(AppProps.builder().context(Map.of("placeholderCode", "true", "config", config.toString()))
                .build());
        software.amazon.awscdk.assertions.Template template =
                software.amazon.awscdk.assertions.Template.fromStack(PullabApp.configure(app));

        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                software.amazon.awscdk.assertions.Match.arrayWith(java.util.List.of(
                        software.amazon.awscdk.assertions.Match.objectLike(Map.of(
                                "Action", "iam:PassRole",
                                "Condition", Map.of("StringEquals",
                                        Map.of("iam:PassedToService", "ec2.amazonaws.com")))))))));
        assertThat(template.toJSON().toString()).contains(":role/kernel-ci-vm-role");
    }

    @Test
    void givenARoleNameThatIsNoIamName_whenConfigured_thenRefusedNamingIt() {
        App app = new App(AppProps.builder().context(Map.of("placeholderCode", "true",
                "vmRoleNames", "good-role,bad role*")).build());

        assertThatThrownBy(() -> PullabApp.configure(app))
                .hasMessageContaining("context vmRoleNames: 'bad role*' is not an IAM role name");
    }
}
