package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.VmTags;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.aws.Ec2Launcher;
import dev.pullab.core.launch.UserData;
import dev.pullab.orchestrator.payload.PayloadBuilder;
import dev.pullab.orchestrator.payload.VmTestBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.s3.S3Client;

/** {@link LocalVmExecutor} booting VMs launched in moto with the real client and real vm-tests payloads. */
class LocalVmExecutorIT {

    private static final String REGION = AwsEmulator.get().region().id();

    private static AwsEmulator emulator;
    private static Ec2Client ec2;
    private static S3Client s3;
    private static Path vmTestsDir;

    @TempDir
    Path dir;

    private final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        emulator = AwsEmulator.get();
        ec2 = emulator.client(Ec2Client.builder());
        s3 = emulator.s3();
        vmTestsDir = findVmTests();
    }

    @AfterAll
    static void stop() {
        ec2.close();
    }

    @Test
    @DisplayName("basic-test: one boot, result SUCCESS in S3, instance terminated, nothing left to boot")
    void givenBasicTestVm_whenBootPending_thenSuccessAndTerminated() throws Exception {
        String bucket = emulator.createBucket("pullab-localvm");
        String prefix = "run-basic-" + System.nanoTime();
        upload(bucket, prefix, VmTestBundle.fromDirectory(vmTestsDir), "basic-test");
        String id = launch(bucket, prefix, "basic-test", "m5.large");
        LocalVmExecutor executor = executor();

        List<String> booted = executor.bootPending();

        assertThat(booted).as(String.join("\n", progress)).containsExactly(id);
        assertThat(read(bucket, prefix + "/test_basic-test/output/" + id + "/result.txt"))
                .as(bootLog(id, 1)).isEqualTo("SUCCESS\n");
        assertThat(read(bucket, prefix + "/test_basic-test/output/" + id + "/run-1-output.log"))
                .contains("instance_id: " + id).contains("instance_type: m5.large");
        assertThat(vmLines()).containsExactly("VM " + id + " (test basic-test): boot 1 → exit 0");
        assertThat(dir.resolve(id).resolve("powered-off")).exists();
        assertThat(state(id)).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
        assertThat(executor.bootPending()).isEmpty();
    }

    /**
     * A vm-tests tree under {@code tree} with the client, the functions it shares with the QEMU runner (VmTestBundle
     * inlines them into the uploaded client) and test {@code name} needing no kernel RPMs; its stages are the caller's.
     */
    private Path testTree(Path tree, String name) throws java.io.IOException {
        Path test = tree.resolve(name);
        Files.createDirectories(test);
        Files.copy(vmTestsDir.resolve(LocalVmExecutor.CLIENT), tree.resolve(LocalVmExecutor.CLIENT));
        Files.createDirectories(tree.resolve("lib"));
        Files.copy(vmTestsDir.resolve("lib/client_common.sh"), tree.resolve("lib/client_common.sh"));
        Files.writeString(test.resolve("external_requirements.json"),
                "{\"kernel-rpms/src\": false, \"kernel-rpms/binary\": false}\n");
        return test;
    }

    @Test
    @DisplayName("two stages: exit 194 → a simulated reboot with a new boot id → stage 2 → SUCCESS")
    void givenTwoStageTest_whenBootPending_thenRebootedOnceAndSuccess() throws Exception {
        Path tree = dir.resolve("vm-tests");
        Path test = testTree(tree, "two-stage");
        Files.writeString(test.resolve("run-1.sh"), "#!/usr/bin/env bash\necho stage one on $PULLAB_ARCH\nexit 194\n");
        Files.writeString(test.resolve("run-2.sh"), "#!/usr/bin/env bash\necho stage two of $PULLAB_STAGES\n");
        String bucket = emulator.createBucket("pullab-localvm");
        String prefix = "run-reboot-" + System.nanoTime();
        upload(bucket, prefix, VmTestBundle.fromDirectory(tree), "two-stage");
        String id = launch(bucket, prefix, "two-stage", "m7g.large");
        Path sandbox = dir.resolve("sandboxes");
        LocalVmExecutor executor = new LocalVmExecutor(ec2, s3, emulator.endpoint(), REGION,
                Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"), sandbox, progress::add);

        List<String> booted = executor.bootPending();

        assertThat(booted).containsExactly(id);
        assertThat(vmLines()).as(bootLog(sandbox, id, 1)).containsExactly(
                "VM " + id + " (test two-stage): boot 1 → exit 194",
                "VM " + id + " (test two-stage): boot 2 → exit 0");
        String output = prefix + "/test_two-stage/output/" + id + "/";
        assertThat(read(bucket, output + "result.txt")).isEqualTo("SUCCESS\n");
        assertThat(read(bucket, output + "run-1-output.log")).contains("stage one on arm64");
        assertThat(read(bucket, output + "run-2-output.log")).contains("stage two of 2");
        assertThat(read(bucket, prefix + "/test_two-stage/state/" + id + "/run_id.txt")).isEqualTo("2\n");
        assertThat(sandbox.resolve(id).resolve("rebooted")).exists();
        assertThat(sandbox.resolve(id).resolve("boot_id")).hasContent("boot-2");
        assertThat(state(id)).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
        assertThat(executor.bootPending()).isEmpty();
    }

    @Test
    @DisplayName("a VM that cannot boot (no client in S3) is reported and terminated; the next VM still boots")
    void givenVmWithoutClient_whenBootPending_thenReportedTerminatedAndOthersBoot() throws Exception {
        String bucket = emulator.createBucket("pullab-localvm");
        String broken = "run-broken-" + System.nanoTime();
        String good = "run-good-" + System.nanoTime();
        upload(bucket, good, VmTestBundle.fromDirectory(vmTestsDir), "basic-test");
        String brokenId = launch(bucket, broken, "basic-test", "t3.micro");
        String goodId = launch(bucket, good, "basic-test", "t3.micro");
        LocalVmExecutor executor = executor();

        List<String> booted = executor.bootPending();

        assertThat(booted).containsExactlyInAnyOrder(brokenId, goodId);
        assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("VM " + brokenId + ": cannot boot"));
        assertThat(progress).contains("VM " + goodId + " (test basic-test): boot 1 → exit 0");
        assertThat(read(bucket, good + "/test_basic-test/output/" + goodId + "/result.txt")).isEqualTo("SUCCESS\n");
        assertThat(state(brokenId)).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
        assertThat(state(goodId)).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
        assertThat(executor.bootPending()).isEmpty();
    }

    @Test
    @DisplayName("a sandbox root given as a relative path (pullab local-run's default work dir) still boots the VM")
    void givenRelativeSandboxRoot_whenBootPending_thenSuccess() throws Exception {
        String bucket = emulator.createBucket("pullab-localvm");
        String prefix = "run-relative-" + System.nanoTime();
        upload(bucket, prefix, VmTestBundle.fromDirectory(vmTestsDir), "basic-test");
        String id = launch(bucket, prefix, "basic-test", "m5.large");
        Path relative = Path.of("target", "relative-sandbox-" + System.nanoTime()); // below the working directory
        LocalVmExecutor executor = new LocalVmExecutor(ec2, s3, emulator.endpoint(), REGION,
                Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"), relative, progress::add);

        assertThat(executor.bootPending()).as(String.join("\n", progress)).containsExactly(id);

        assertThat(read(bucket, prefix + "/test_basic-test/output/" + id + "/result.txt"))
                .as(bootLog(id, 1)).isEqualTo("SUCCESS\n");
    }

    @Test
    @DisplayName("three VMs boot at once (at most 3): their stages overlap, a line every few seconds says how many are"
            + " done, and each VM still succeeds")
    void givenThreeVms_whenBootPending_thenBootedConcurrentlyWithWaitingLines() throws Exception {
        Path tree = dir.resolve("vm-tests");
        Path test = testTree(tree, "slow-stage");
        Path starts = dir.resolve("starts");
        Path ends = dir.resolve("ends");
        Files.writeString(test.resolve("run.sh"), "#!/usr/bin/env bash\ndate +%s.%N >> " + starts
                + "\nsleep " + (LocalVmExecutor.WAIT_REPORT_S + 2) + "\ndate +%s.%N >> " + ends + "\n");
        String bucket = emulator.createBucket("pullab-localvm");
        String prefix = "run-parallel-" + System.nanoTime();
        upload(bucket, prefix, VmTestBundle.fromDirectory(tree), "slow-stage");
        List<String> ids = List.of(launch(bucket, prefix, "slow-stage", "t3.micro"),
                launch(bucket, prefix, "slow-stage", "t3.micro"), launch(bucket, prefix, "slow-stage", "t3.micro"));
        Path sandbox = dir.resolve("sandboxes");
        LocalVmExecutor executor = new LocalVmExecutor(ec2, s3, emulator.endpoint(), REGION,
                Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"), sandbox, progress::add,
                new LocalConsoles(sandbox), t -> false, 3);

        List<String> booted = executor.bootPending();

        assertThat(booted).isEqualTo(ids.stream().sorted().toList());
        for (String id : ids) {
            assertThat(read(bucket, prefix + "/test_slow-stage/output/" + id + "/result.txt"))
                    .as(bootLog(sandbox, id, 1)).isEqualTo("SUCCESS\n");
        }
        List<Double> started = Files.readAllLines(starts).stream().map(Double::valueOf).toList();
        List<Double> ended = Files.readAllLines(ends).stream().map(Double::valueOf).toList();
        assertThat(started).hasSize(3);
        assertThat(ended).hasSize(3);
        assertThat(started.stream().mapToDouble(d -> d).max().orElseThrow())
                .as("the last stage started before the first one ended")
                .isLessThan(ended.stream().mapToDouble(d -> d).min().orElseThrow());
        assertThat(progress.get(0)).isEqualTo("booting 3 VM(s), at most 3 at once");
        assertThat(progress).anySatisfy(line -> assertThat(line).matches("waiting for VMs: [0-3]/3 done, [0-3] running,"
                + " [0-9]+ s"));
    }

    @Test
    @DisplayName("VMs booting at once: 1 to 16, anything else refused naming the bound")
    void givenParallelismOutOfBounds_whenCreated_thenRefused() {
        Map<String, String> credentials = Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalVmExecutor(ec2, s3, emulator.endpoint(),
                        REGION, credentials, dir, progress::add, new LocalConsoles(dir), t -> false, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 16, got 0");
        assertThat(LocalVmExecutor.defaultParallelism()).isBetween(1, 4);
    }

    /**
     * The progress lines about each VM, without the ones about them all ("booting N VM(s)", and "waiting for VMs"
     * whose number depends on timing).
     */
    private List<String> vmLines() {
        return progress.stream().filter(line -> !line.startsWith("waiting for VMs: ")
                && !line.startsWith("booting ")).toList();
    }

    private LocalVmExecutor executor() {
        return new LocalVmExecutor(ec2, s3, emulator.endpoint(), REGION,
                Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"), dir, progress::add);
    }

    private static void upload(String bucket, String prefix, VmTestBundle tests, String test) {
        byte[] zip = new PayloadBuilder(tests).zip(VmTestSpec.of(test));
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/test_" + test + "/input/" + test + "_test_payload.zip"),
                RequestBody.fromBytes(zip));
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/" + LocalVmExecutor.CLIENT),
                RequestBody.fromBytes(tests.client()));
    }

    private static String launch(String bucket, String prefix, String test, String type) {
        String userData = UserData.script(bucket, prefix, test, REGION, 600, 120);
        String image = ec2.describeImages(b -> b.owners("amazon")).images().get(0).imageId();
        Instance instance = ec2.runInstances(b -> b.imageId(image).instanceType(type).minCount(1).maxCount(1)
                .userData(Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)))
                .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(
                        tag(VmTags.LAB, "true"), tag(VmTags.RUN, prefix),
                        tag(VmTags.TEST, test), tag(VmTags.LAUNCH, prefix + "-0"))))
                .instances().get(0);
        return instance.instanceId();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static InstanceStateName state(String id) {
        return ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0).state().name();
    }

    private static String read(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    private String bootLog(String id, int boot) {
        return bootLog(dir, id, boot);
    }

    private static String bootLog(Path root, String id, int boot) {
        try {
            return Files.readString(root.resolve(id).resolve("boot-" + boot + ".log"));
        } catch (java.io.IOException e) {
            return "(no boot log: " + e + ")";
        }
    }

    private static Path findVmTests() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("vm-tests").resolve(LocalVmExecutor.CLIENT))) {
                return at.resolve("vm-tests");
            }
        }
        throw new IllegalStateException("no vm-tests/ above " + Path.of("").toAbsolutePath());
    }
}
