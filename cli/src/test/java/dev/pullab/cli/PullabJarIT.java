package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** The shaded {@code pullab.jar} run as an operator runs it, on the shipped example and on the S3 emulator. */
class PullabJarIT {

    private static final Path EXAMPLE = Path.of(System.getProperty("pullab.examples.dir", "../examples"))
            .resolve("run_unixbench-demo_20261124_120000");

    @TempDir
    Path dir;

    @Test
    @DisplayName("the README's command on the shipped example prints the report and writes JSON and 3 plots")
    void givenExampleRun_whenAnalysed_thenReportJsonAndPlots() throws Exception {
        JarRun run = pullab(List.of(), "analyze", "--input", EXAMPLE.toString(),
                "--json", dir.resolve("r.json").toString(), "--plots", dir.resolve("p").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("BENCHMARK REGRESSION ANALYSIS", "Test: unixbench-kernel-regression",
                "Process_Creation", "Tests with regressions: unixbench-kernel-regression");
        assertThat(dir.resolve("r.json")).isNotEmptyFile();
        try (Stream<Path> plots = Files.list(dir.resolve("p"))) {
            assertThat(plots).hasSize(3);
        }
    }

    @Test
    @DisplayName("the same run read from S3 gives the identical report and shows download progress")
    void givenRunInS3_whenAnalysed_thenSameReportAsLocal() throws Exception {
        AwsEmulator aws = AwsEmulator.get();
        String bucket = aws.createBucket("pullab-results");
        upload(aws, bucket, "run_unixbench-demo_20261124_120000");

        JarRun local = pullab(List.of(), "analyze", "--input", EXAMPLE.toString());
        JarRun s3 = pullab(envOf(aws), "analyze", "--input",
                "s3://" + bucket + "/run_unixbench-demo_20261124_120000", "--region", aws.region().id());

        assertThat(s3.exitCode()).as(s3.err()).isZero();
        assertThat(s3.out()).isEqualTo(local.out());
        assertThat(s3.err()).contains("Fetching benchmark files from s3://" + bucket
                + "/run_unixbench-demo_20261124_120000: 20/20");
    }

    @Test
    @DisplayName("a bucket that does not exist fails with exit 1 naming the S3 location")
    void givenMissingBucket_whenAnalysed_thenExitOne() throws Exception {
        AwsEmulator aws = AwsEmulator.get();

        JarRun run = pullab(envOf(aws), "analyze", "--input", "s3://pullab-no-such-bucket-x1/run_1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("s3://pullab-no-such-bucket-x1/run_1");
    }

    @Test
    @DisplayName("S3 input with no region anywhere is a usage error telling to pass --region")
    void givenNoRegion_whenS3Input_thenUsageError() throws Exception {
        JarRun run = pullab(List.of("HOME=" + dir, "AWS_CONFIG_FILE=" + dir.resolve("none")),
                "analyze", "--input", "s3://some-bucket/run_1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no AWS region configured: pass --region");
    }

    private static List<String> envOf(AwsEmulator aws) {
        List<String> env = new ArrayList<>();
        aws.environment().forEach((k, v) -> env.add(k + "=" + v));
        return env;
    }

    private static void upload(AwsEmulator aws, String bucket, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLE)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String key = prefix + "/" + EXAMPLE.relativize(file).toString().replace('\\', '/');
                aws.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
            }
        }
    }

    private JarRun pullab(List<String> env, String... args) throws Exception {
        return JarRun.run(dir, env, args);
    }
}
