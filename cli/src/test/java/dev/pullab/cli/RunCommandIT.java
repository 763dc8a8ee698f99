package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.cli.local.LocalLab;
import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pullab run on a served local lab (local-run --serve): one run from a config, followed to its close")
class RunCommandIT {

    private static final String BOOT_CONFIG = """
            {"test_config": {"test_id": "boot", "vms": [
               {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                "instance_type": "t3.micro", "max_runtime": 600, "test": ["basic-test"], "min_count": 1}]}}
            """;

    @TempDir
    static Path dir;

    private static LocalLab lab;
    private static Path labFile;
    private static final AtomicBoolean STOP = new AtomicBoolean();
    private static final List<String> LAB_LOG = new CopyOnWriteArrayList<>();
    private static ExecutorService serving;
    private static Future<?> loop;

    @BeforeAll
    static void serveLocalLab() throws IOException {
        // the command's clients find the emulator and its (dummy) keys in the lab file
        AwsEmulator.get();
        lab = new LocalLab(new LocalLab.Options("pull-labs-aws-ec2", dir.resolve("lab"), false,
                Duration.ofMinutes(4), Optional.empty(), Optional.empty(), 0), LAB_LOG::add);
        labFile = lab.open();
        serving = Executors.newSingleThreadExecutor();
        loop = serving.submit(() -> {
            lab.serve(STOP::get);
            return null;
        });
    }

    @AfterAll
    static void stopLocalLab() throws Exception {
        STOP.set(true);
        loop.get(60, TimeUnit.SECONDS);
        serving.shutdown();
        lab.close();
    }

    @Test
    @DisplayName("the lab file names the emulator, every resource and the trigger queue")
    void givenServedLab_whenLabFileRead_thenEveryResourceNamed() throws IOException {
        assertThat(Files.readString(labFile)).contains("AWS_REGION=", "AWS_ENDPOINT_URL=http",
                "PULLAB_RUNS_TABLE=", "PULLAB_JOBS_TABLE=", "PULLAB_CURSOR_TABLE=", "PULLAB_LAUNCHES_TABLE=",
                "PULLAB_RESULTS_BUCKET=", "PULLAB_STORAGE_BUCKET=", "PULLAB_JOBS_QUEUE_URL=",
                "PULLAB_RESULTS_QUEUE_URL=", "PULLAB_JOBS_DLQ_URL=", "PULLAB_RESULTS_DLQ_URL=",
                "PULLAB_TRIGGER_QUEUE_URL=");
    }

    @Test
    @DisplayName("--wait --results-dir: prints the run id, the VMs' progress, the summary line; the outputs are copied")
    void givenBootConfig_whenRunWithWait_thenRunIdSummaryAndOutputs() throws IOException {
        Path config = Files.writeString(dir.resolve("boot.json"), BOOT_CONFIG);
        Path results = dir.resolve("results");

        CliRun run = CliRun.of("run", "--lab", labFile.toString(), "--config", config.toString(), "--wait",
                "--results-dir", results.toString(), "--timeout", "4m");

        assertThat(run.exitCode()).as(run.err() + "\nlab:\n" + String.join("\n", LAB_LOG)).isZero();
        String runId = run.out().lines().findFirst().orElseThrow();
        assertThat(runId).matches("run_boot-[A-Za-z0-9._-]+");
        assertThat(run.out()).contains("VMs: 1/1 spawned, 1 successful, 0 failed, 0 missing");
        assertThat(run.err()).contains("uploaded " + config + " to s3://", "started run " + runId,
                "VM launched: i-", "(basic-test): stage 1 done (run-1-output.log)", "(basic-test): result SUCCESS");
        try (Stream<Path> files = Files.walk(results.resolve(runId))) {
            List<String> names = files.filter(Files::isRegularFile).map(p -> results.resolve(runId).relativize(p)
                    .toString()).toList();
            assertThat(names).anyMatch(n -> n.matches("test_basic-test/output/i-[0-9a-f]+/result.txt"))
                    .anyMatch(n -> n.matches("test_basic-test/output/i-[0-9a-f]+/run-1-output.log"))
                    .noneMatch(n -> n.contains("/input/"));
        }
    }

    @Test
    @DisplayName("a config that is not in the bucket: the trigger's refusal, one line, exit status 1")
    void givenMissingS3Config_whenRun_thenTriggerRefusalNamed() {
        CliRun run = CliRun.of("run", "--lab", labFile.toString(), "--config", "s3://no-such-bucket/configs/x.json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("error: the local lab's trigger refused the run: config "
                + "s3://no-such-bucket/configs/x.json");
    }

    @Test
    @DisplayName("--results-dir without --wait is a usage error (exit status 2)")
    void givenResultsDirWithoutWait_whenRun_thenUsageError() {
        CliRun run = CliRun.of("run", "--lab", labFile.toString(), "--config", "x.json", "--results-dir", "out");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--results-dir needs --wait");
    }
}
