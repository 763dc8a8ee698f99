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
}
