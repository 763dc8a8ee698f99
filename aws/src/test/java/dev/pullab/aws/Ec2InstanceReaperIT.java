package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.testkit.AwsEmulator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sweeper's reaper on the emulator (moto, whose console output is a fixed boot text): each VM still alive has its
 * console kept in the results bucket, beside its other outputs, before it is terminated.
 */
@DisplayName("Ec2InstanceReaper on the emulator: console kept, then terminated")
class Ec2InstanceReaperIT {

    private final AwsEmulator aws = AwsEmulator.get();
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final S3Client s3 = aws.client(S3Client.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = "results-" + suffix;
    private final String run = "run_reap-" + suffix + "_20261205_054500";

    private String launch(String test) {
        return ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(
                        Tag.builder().key(VmTags.RUN).value(run).build(),
                        Tag.builder().key(VmTags.TEST).value(test).build()).build()))
                .instances().get(0).instanceId();
    }

    private String state(String instanceId) {
        return ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0).state()
                .nameAsString();
    }

    @Test
    @DisplayName("the console of a VM still alive is read (latest, decoded) and kept as console-output.log")
    void givenAliveVm_whenReaped_thenConsoleKeptAndVmTerminated() {
        s3.createBucket(b -> b.bucket(bucket));
        String vm = launch("kernelci-boot");
        ConsoleCapture capture = new ConsoleCapture(new Ec2ConsoleReader(() -> ec2),
                LogScrubber.withoutLabSecrets(), new S3ObjectStore(s3), bucket);

        Map<String, String> tests = new Ec2InstanceReaper(ec2, capture).terminate(run);

        assertThat(tests).containsExactly(Map.entry(vm, "kernelci-boot"));
        assertThat(state(vm)).isIn("terminated", "shutting-down");
        String console = s3.getObjectAsBytes(b -> b.bucket(bucket)
                .key(run + "/test_kernelci-boot/output/" + vm + "/console-output.log")).asString(StandardCharsets.UTF_8);
        assertThat(console).contains("Linux version");
    }

    @Test
    @DisplayName("Ec2ConsoleReader: the emulator's console comes back decoded, not as base64")
    void givenVm_whenConsoleRead_thenDecodedText() {
        String vm = launch("kernelci-boot");

        byte[] console = new Ec2ConsoleReader(() -> ec2).latest(vm);

        assertThat(new String(console, StandardCharsets.UTF_8)).contains("Linux version");
    }

    @Test
    @DisplayName("a capture that fails (no such bucket) does not keep the VM alive")
    void givenCaptureFails_whenReaped_thenVmStillTerminated() {
        String vm = launch("kernelci-boot");
        ConsoleCapture capture = new ConsoleCapture(new Ec2ConsoleReader(() -> ec2),
                LogScrubber.withoutLabSecrets(), new S3ObjectStore(s3), "no-such-bucket-" + suffix);

        new Ec2InstanceReaper(ec2, capture).terminate(run);

        assertThat(state(vm)).isIn("terminated", "shutting-down");
    }

    @Test
    @DisplayName("a VM already terminated is not handed to the capture again")
    void givenTerminatedVm_whenReaped_thenNotCaptured() {
        String vm = launch("kernelci-boot");
        ec2.terminateInstances(b -> b.instanceIds(vm));
        List<String> captured = new ArrayList<>();

        Map<String, String> tests = new Ec2InstanceReaper(ec2, (r, t, i) -> captured.add(i)).terminate(run);

        assertThat(tests).containsKey(vm);
        assertThat(captured).isEmpty();
    }

    @Test
    @DisplayName("alive lists the run's pending or running VMs with their test and launch time, not terminated ones")
    void givenRunningAndTerminated_whenListed_thenOnlyAlive() {
        String running = launch("kernelci-boot");
        String gone = launch("kernelci-ltp");
        ec2.terminateInstances(b -> b.instanceIds(gone));

        List<dev.pullab.core.launch.LiveVms.LiveVm> alive = new Ec2InstanceReaper(ec2).alive(run);

        assertThat(alive).singleElement().satisfies(vm -> {
            assertThat(vm.instanceId()).isEqualTo(running);
            assertThat(vm.test()).isEqualTo("kernelci-boot");
            assertThat(vm.launchedAt()).isAfter(java.time.Instant.now().minusSeconds(300));
        });
    }

    @Test
    @DisplayName("terminating one VM of a run ends it alone; a VM without the run's tag is left running")
    void givenTwoVms_whenOneTerminated_thenOnlyIt() {
        String target = launch("kernelci-boot");
        String sibling = launch("kernelci-boot");
        String foreign = ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)).instances().get(0)
                .instanceId();
        Ec2InstanceReaper reaper = new Ec2InstanceReaper(ec2);

        reaper.terminate(run, target);
        reaper.terminate(run, foreign);

        assertThat(state(target)).isIn("terminated", "shutting-down");
        assertThat(state(sibling)).isEqualTo("running");
        assertThat(state(foreign)).isEqualTo("running");
        ec2.terminateInstances(b -> b.instanceIds(sibling, foreign));
    }
}
