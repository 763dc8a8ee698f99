package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.launch.ConsoleReader;
import dev.pullab.core.launch.ConsoleWatch;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.launch.VmWatch;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.testkit.AwsEmulator;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sweeper's watch on the emulator: real EC2 (finding the run's live VMs by tag, terminating one) and real S3
 * (the console kept with its SHA-256, its last-modified time, the result written). moto's console text is fixed (a
 * clean boot), so the console is given by a {@link ConsoleReader} double; everything else is the emulator's.
 */
@DisplayName("The sweeper's watch on the emulator: a panicked or silent VM is terminated early and reported failed")
class SweepWatchIT {

    private final AwsEmulator aws = AwsEmulator.get();
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final S3Client s3 = aws.client(S3Client.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = "results-" + suffix;
    private final String run = "run_sweep-watch-" + suffix + "_20261205_060000";

    private String launch() {
        return ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(
                        Tag.builder().key(VmTags.RUN).value(run).build(),
                        Tag.builder().key(VmTags.TEST).value("kernelci-boot").build()).build()))
                .instances().get(0).instanceId();
    }

    private SweepHandler sweeper(String vm, ConsoleReader console, Clock clock) {
        RunRecord open = new RunRecord(run, "t", Optional.empty(), Executor.EC2, List.of("kernelci-boot"), List.of(),
                1, List.of(new LaunchedVm(Optional.of("kernelci-boot"), vm)), RunRecord.RunState.RUNNING, 0,
                Instant.now().plus(Duration.ofHours(3)).getEpochSecond());
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "overdue", "closedPastDeadline" -> List.of();
                    case "open" -> List.of(open);
                    default -> throw new AssertionError("unexpected " + method.getName());
                });
        ConsoleWatch watch = new ConsoleWatch(runs, new Ec2InstanceReaper(ec2), console,
                LogScrubber.forLab(null, null), new S3ObjectStore(s3), bucket,
                new VmWatch(Duration.ofMinutes(30), Duration.ofMinutes(15)), 10);
        return new SweepHandler(runs, () -> {
            throw new AssertionError("no run is overdue");
        }, runPrefix -> Map.of(), bucket, clock, () -> watch);
    }

    private String state(String vm) {
        return ec2.describeInstances(b -> b.instanceIds(vm)).reservations().get(0).instances().get(0).state()
                .nameAsString();
    }

    private String output(String vm, String name) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(run + "/test_kernelci-boot/output/" + vm + "/" + name))
                .asString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a kernel panic on the console: terminated at this sweep, console kept, result.txt quotes the line")
    void givenPanic_whenSwept_thenTerminatedAndReported() {
        s3.createBucket(b -> b.bucket(bucket));
        String vm = launch();

        Map<String, Object> result = sweeper(vm, id -> ("[    0.000000] Linux version 6.13.0-rc1\n"
                + "[    1.903500] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n")
                .getBytes(StandardCharsets.UTF_8), Clock.systemUTC()).handleRequest(Map.of(), null);

        assertThat(state(vm)).isIn("terminated", "shutting-down");
        assertThat(output(vm, "result.txt")).isEqualTo("FAILED: kernel panic on the serial console: \"Kernel panic - "
                + "not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\"\n");
        assertThat(output(vm, "console-output.log")).contains("Linux version 6.13.0-rc1");
        assertThat(result.get("failed_vms")).asList().singleElement().asString().contains(vm, "kernel panic");
    }

    @Test
    @DisplayName("an unchanged console for 30 minutes (by S3's last-modified time): terminated as a hang")
    void givenSilentConsole_whenSweptPastThreshold_thenTerminatedAsHang() {
        s3.createBucket(b -> b.bucket(bucket));
        String vm = launch();
        ConsoleReader login = id -> "[   61.0] Amazon Linux 2023 login:\n".getBytes(StandardCharsets.UTF_8);

        sweeper(vm, login, Clock.systemUTC()).handleRequest(Map.of(), null);
        assertThat(state(vm)).isEqualTo("running");
        String kept = s3.headObject(b -> b.bucket(bucket)
                .key(run + "/test_kernelci-boot/output/" + vm + "/console-output.log")).metadata().get("sha256");
        assertThat(kept).hasSize(64);

        sweeper(vm, login, Clock.fixed(Instant.now().plus(Duration.ofMinutes(31)), ZoneOffset.UTC))
                .handleRequest(Map.of(), null);

        assertThat(state(vm)).isIn("terminated", "shutting-down");
        assertThat(output(vm, "result.txt")).matches("FAILED: no console or stage output for 3[01] min \\(hang\\)\n");
    }

    @Test
    @DisplayName("a clean, changing console: the VM keeps running and nothing is written but its console")
    void givenHealthyConsole_whenSwept_thenLeftRunning() {
        s3.createBucket(b -> b.bucket(bucket));
        String vm = launch();

        sweeper(vm, id -> "[   60.0] pullab: heartbeat test kernelci-boot run 1/1 running 300 s\n"
                .getBytes(StandardCharsets.UTF_8), Clock.systemUTC()).handleRequest(Map.of(), null);

        assertThat(state(vm)).isEqualTo("running");
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix(run)).contents()).extracting(o -> o.key())
                .containsExactly(run + "/test_kernelci-boot/output/" + vm + "/console-output.log");
        ec2.terminateInstances(b -> b.instanceIds(vm));
    }
}
