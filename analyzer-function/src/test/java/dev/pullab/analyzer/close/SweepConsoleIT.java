package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.Ec2ConsoleReader;
import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.launch.ConsoleReader;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.testkit.AwsEmulator;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
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
 * The sweeper keeps the serial console of each overdue VM it terminates, scrubbed, as {@code console-output.log} in
 * the VM's output prefix of the results bucket, before any run is closed (the closer here stops the sweep right after
 * the reaping, so what is checked is what the reaping left).
 */
@DisplayName("The sweeper on the emulator: an overdue VM's console is kept, scrubbed, beside its outputs")
class SweepConsoleIT {

    private static final String LAB_TOKEN = "kernelci-lab-token-0123456789abcdef";

    private final AwsEmulator aws = AwsEmulator.get();
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final S3Client s3 = aws.client(S3Client.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = "results-" + suffix;
    private final String run = "run_sweep-console-" + suffix + "_20261205_054500";

    private String launch() {
        return ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(
                        Tag.builder().key(VmTags.RUN).value(run).build(),
                        Tag.builder().key(VmTags.TEST).value("kernelci-boot").build()).build()))
                .instances().get(0).instanceId();
    }

    private String sweep(ConsoleReader console) {
        s3.createBucket(b -> b.bucket(bucket));
        String vm = launch();
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        return List.of();
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of(new RunRecord(run, "t", Optional.empty(), Executor.EC2,
                                List.of("kernelci-boot"), List.of(), 1, List.of(), RunRecord.RunState.RUNNING, 0, 1));
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        ConsoleCapture capture = new ConsoleCapture(console, LogScrubber.forLab(LAB_TOKEN, null),
                new S3ObjectStore(s3), bucket);
        SweepHandler handler = new SweepHandler(runs, () -> {
            throw new IllegalStateException("closing is not what this test checks");
        }, new Ec2InstanceReaper(ec2, capture), bucket, Clock.systemUTC());

        assertThatThrownBy(() -> handler.handleRequest(java.util.Map.of(), null))
                .hasMessageContaining("closing is not");
        return vm;
    }

    private String kept(String vm) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket)
                .key(run + "/test_kernelci-boot/output/" + vm + "/console-output.log")).asString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("EC2's console (the emulator's boot text) is at <run>/test_<test>/output/<instance>/console-output.log")
    void givenOverdueVm_whenSwept_thenConsoleInOutputPrefix() {
        String vm = sweep(new Ec2ConsoleReader(() -> ec2));

        assertThat(kept(vm)).contains("Linux version");
        assertThat(ec2.describeInstances(b -> b.instanceIds(vm)).reservations().get(0).instances().get(0).state()
                .nameAsString()).isIn("terminated", "shutting-down");
    }

    @Test
    @DisplayName("a console that printed the lab's token and an AWS key id is kept with both redacted")
    void givenConsoleWithSecrets_whenSwept_thenKeptScrubbed() {
        String vm = sweep(instanceId -> ("[    0.000000] Linux version 6.12.0 (gcc 13.2)\n"
                + "+ curl -H 'Authorization: Token " + LAB_TOKEN + "' https://api.kernelci.org\n"
                + "+ export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                + "[    1.234567] Kernel panic - not syncing: VFS: Unable to mount root fs\n")
                .getBytes(StandardCharsets.UTF_8));

        String console = kept(vm);

        assertThat(console).doesNotContain(LAB_TOKEN).doesNotContain("AKIAIOSFODNN7EXAMPLE")
                .contains("[REDACTED:").contains("Linux version 6.12.0")
                .contains("Kernel panic - not syncing: VFS: Unable to mount root fs");
    }

    @Test
    @DisplayName("a console that cannot be read is skipped: the VM is terminated all the same")
    void givenConsoleReadFails_whenSwept_thenVmTerminatedWithoutLog() {
        String vm = sweep(instanceId -> {
            throw new IllegalStateException("GetConsoleOutput refused");
        });

        assertThat(ec2.describeInstances(b -> b.instanceIds(vm)).reservations().get(0).instances().get(0).state()
                .nameAsString()).isIn("terminated", "shutting-down");
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix(run)).contents()).isEmpty();
    }
}
