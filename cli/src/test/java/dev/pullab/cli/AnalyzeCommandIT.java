package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@code pullab analyze} on a run in S3, named as pullab_cloud names it, with its report written back. */
@DisplayName("pullab analyze --bucket B --run-prefix P [--upload]: a run in S3 as pullab_cloud names it")
class AnalyzeCommandIT {

    private static final String RUN = "run_unixbench-demo_20261124_120000";
    private static final Path EXAMPLE = Path.of(System.getProperty("pullab.examples.dir", "../examples"))
            .resolve(RUN);

    @TempDir
    Path dir;

    private AwsEmulator aws;
    private String bucket;

    @BeforeEach
    void uploadTheExampleRun() throws IOException {
        aws = AwsEmulator.get();
        bucket = aws.createBucket("pullab-results-analyze");
        try (Stream<Path> files = Files.walk(EXAMPLE)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String key = RUN + "/" + EXAMPLE.relativize(file).toString().replace('\\', '/');
                aws.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
            }
        }
    }

    @Test
    @DisplayName("--bucket and --run-prefix give the same report as --input s3://B/P")
    void givenBucketAndRunPrefix_whenAnalysed_thenSameReportAsInputUri() throws Exception {
        JarRun byUri = pullab("analyze", "--input", "s3://" + bucket + "/" + RUN);
        JarRun byParts = pullab("analyze", "--bucket", bucket, "--run-prefix", RUN);

        assertThat(byParts.exitCode()).as(byParts.err()).isZero();
        assertThat(byParts.out()).isEqualTo(byUri.out()).contains("Tests with regressions");
        assertThat(keys(RUN + "/analysis/")).isEmpty();
    }

    @Test
    @DisplayName("--upload writes report.json, report.txt and the plots under <run>/analysis/, as the analyzer does")
    void givenUpload_whenAnalysed_thenReportWrittenUnderTheRun() throws Exception {
        JarRun run = pullab("analyze", "--bucket", bucket, "--run-prefix", RUN + "/", "--upload");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(keys(RUN + "/analysis/")).contains(RUN + "/analysis/report.json", RUN + "/analysis/report.txt")
                .filteredOn(k -> k.startsWith(RUN + "/analysis/plots/") && k.endsWith(".png")).hasSize(3);
        assertThat(aws.s3().getObjectAsBytes(b -> b.bucket(bucket).key(RUN + "/analysis/report.txt")).asUtf8String())
                .isEqualTo(run.out());
        assertThat(run.err()).contains("Uploaded: s3://" + bucket + "/" + RUN + "/analysis/report.json, report.txt "
                + "and 3 plots under s3://" + bucket + "/" + RUN + "/analysis/");
    }

    @Test
    @DisplayName("--bucket without --run-prefix is bad usage (exit 2) saying what is missing")
    void givenBucketOnly_whenRun_thenUsageError() throws Exception {
        JarRun run = pullab("analyze", "--bucket", bucket);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--bucket needs --run-prefix RUN_PREFIX");
    }

    @Test
    @DisplayName("--input together with --bucket/--run-prefix is bad usage: the run is named twice")
    void givenInputAndBucket_whenRun_thenUsageError() throws Exception {
        JarRun run = pullab("analyze", "--input", "s3://" + bucket + "/" + RUN, "--bucket", bucket,
                "--run-prefix", RUN);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--input and --bucket/--run-prefix both name the run: give one");
    }

    @Test
    @DisplayName("--upload with a local --input directory is refused: there is no run in S3 to write under")
    void givenUploadWithLocalInput_whenRun_thenRefused() throws Exception {
        JarRun run = pullab("analyze", "--input", EXAMPLE.toString(), "--upload");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--upload writes the report under a run in S3, and " + EXAMPLE
                + " is a local directory: use --json FILE and --plots DIR");
    }

    private JarRun pullab(String... args) throws Exception {
        List<String> env = new ArrayList<>();
        aws.environment().forEach((k, v) -> env.add(k + "=" + v));
        return JarRun.run(dir, env, args);
    }

    private List<String> keys(String prefix) {
        return aws.s3().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).sorted().toList();
    }
}
