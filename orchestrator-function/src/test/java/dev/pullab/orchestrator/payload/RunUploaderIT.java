package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.core.run.VmGroup;
import dev.pullab.testkit.AwsEmulator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

@DisplayName("RunUploader: a run's payloads, client and shared artifacts in S3")
class RunUploaderIT {

    private static final String RUN = "run_t1_20250101_120000";
    private static final String KERNEL_TEST = "example-kernel-reboot-test";
    private static final Map<String, String> BOOT_PARAMS = Map.of("PULLAB_JOB_NAME", "baseline-x86",
            "PULLAB_KERNEL_URL", "https://storage.kernelci.org/bzImage");
    /** Storage bucket content: what kernel-rpms/binary holds, plus neighbours that must not be copied. */
    private static final Map<String, String> STORAGE = Map.of(
            "kernel-rpms/binary/x86_64/kernel-6.1.1.x86_64.rpm", "x86 rpm",
            "kernel-rpms/binary/x86_64/kernel-6.1.2.x86_64.rpm", "x86 rpm 2",
            "kernel-rpms/binary/aarch64/kernel-6.1.1.aarch64.rpm", "arm rpm",
            "kernel-rpms/src/kernel-6.1.1.src.rpm", "source rpm",
            "kernel-rpms/binary-old/kernel-5.rpm", "old rpm");
    private static final Map<String, String> EXPECTED_SHARED = Map.of(
            "x86_64/kernel-6.1.1.x86_64.rpm", "x86 rpm",
            "x86_64/kernel-6.1.2.x86_64.rpm", "x86 rpm 2",
            "aarch64/kernel-6.1.1.aarch64.rpm", "arm rpm");

    private final VmTestBundle tests = VmTestBundle.fromClasspath();
    private S3Client s3;
    private String results;
    private String storage;
    private RunUploader uploader;

    @BeforeEach
    void createBuckets() {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        results = emulator.createBucket("pullab-results-it");
        storage = emulator.createBucket("pullab-storage-it");
        uploader = new RunUploader(new S3ObjectStore(s3), tests);
    }

    @Test
    void givenPlanWithTwoTests_whenUploading_thenEachPayloadIsAtItsKeyAsTheBuiltZip() {
        uploader.upload(plan(VmTestSpec.of("basic-test"), new VmTestSpec("kernelci-boot", BOOT_PARAMS)), results, storage);

        PayloadBuilder builder = new PayloadBuilder(tests);
        ResponseBytes<GetObjectResponse> basic = get(RUN + "/test_basic-test/input/basic-test_test_payload.zip");
        ResponseBytes<GetObjectResponse> boot = get(RUN + "/test_kernelci-boot/input/kernelci-boot_test_payload.zip");
        assertThat(basic.asByteArray()).isEqualTo(builder.zip(VmTestSpec.of("basic-test")));
        assertThat(boot.asByteArray()).isEqualTo(builder.zip(new VmTestSpec("kernelci-boot", BOOT_PARAMS)));
        assertThat(basic.response().contentType()).isEqualTo("application/zip");
    }

    @Test
    void givenPlanWithTwoTests_whenUploading_thenTheClientIsOnceAtTheRunRoot() {
        uploader.upload(plan(VmTestSpec.of("basic-test"), new VmTestSpec("kernelci-boot", BOOT_PARAMS)), results, storage);

        assertThat(get(RUN + "/test-vm-client.sh").asByteArray()).isEqualTo(tests.client());
        assertThat(keys(results, RUN + "/")).containsExactlyInAnyOrder(
                RUN + "/test-vm-client.sh",
                RUN + "/test_basic-test/input/basic-test_test_payload.zip",
                RUN + "/test_kernelci-boot/input/kernelci-boot_test_payload.zip");
    }

    @Test
    void givenTestRequiringKernelRpmsBinary_whenUploading_thenExactlyThatFolderIsCopiedUnderShared() {
        seedStorage();

        uploader.upload(plan(VmTestSpec.of(KERNEL_TEST)), results, storage);

        assertThat(contents(results, RUN + "/shared/")).isEqualTo(prefixed("kernel-rpms/binary", EXPECTED_SHARED));
    }

    @Test
    void givenTwoTestsRequiringTheSameFolder_whenUploading_thenItIsCopiedOnceForTheRun() {
        seedStorage();

        uploader.upload(plan(VmTestSpec.of(KERNEL_TEST), VmTestSpec.of("unixbench-kernel-regression")), results, storage);

        assertThat(contents(results, RUN + "/shared/")).isEqualTo(prefixed("kernel-rpms/binary", EXPECTED_SHARED));
    }

    @Test
    void givenFolderLargerThanOneListingPage_whenUploading_thenEveryObjectIsCopied() {
        seedStorage();
        RunUploader smallPages = new RunUploader(new S3ObjectStore(s3, 2), tests);

        smallPages.upload(plan(VmTestSpec.of(KERNEL_TEST)), results, storage);

        assertThat(contents(results, RUN + "/shared/")).isEqualTo(prefixed("kernel-rpms/binary", EXPECTED_SHARED));
    }

    @Test
    void givenRunAlreadyUploaded_whenUploadingAgain_thenSharedObjectsAreNotCopiedAgain() {
        seedStorage();
        RunPlan plan = plan(VmTestSpec.of(KERNEL_TEST));
        uploader.upload(plan, results, storage);
        String copied = RUN + "/shared/kernel-rpms/binary/x86_64/kernel-6.1.1.x86_64.rpm";
        put(results, copied, "X86 RPM"); // same size, other bytes: a second copy would restore "x86 rpm"

        uploader.upload(plan, results, storage);

        assertThat(text(get(copied))).isEqualTo("X86 RPM");
    }

    @Test
    void givenCopyInterruptedHalfWay_whenUploadingAgain_thenOnlyTheMissingObjectsAreCopied() {
        seedStorage();
        RunPlan plan = plan(VmTestSpec.of(KERNEL_TEST));
        uploader.upload(plan, results, storage);
        String kept = RUN + "/shared/kernel-rpms/binary/x86_64/kernel-6.1.1.x86_64.rpm";
        String lost = RUN + "/shared/kernel-rpms/binary/aarch64/kernel-6.1.1.aarch64.rpm";
        put(results, kept, "X86 RPM");
        s3.deleteObject(b -> b.bucket(results).key(lost));

        uploader.upload(plan, results, storage);

        assertThat(text(get(lost))).isEqualTo("arm rpm");
        assertThat(text(get(kept))).isEqualTo("X86 RPM");
    }

    @Test
    void givenRunAlreadyUploaded_whenUploadingAgain_thenPayloadsAndClientKeepTheSameBytes() {
        RunPlan plan = plan(new VmTestSpec("kernelci-boot", BOOT_PARAMS));
        uploader.upload(plan, results, storage);
        Map<String, String> before = contents(results, RUN + "/");

        uploader.upload(plan, results, storage);

        assertThat(contents(results, RUN + "/")).isEqualTo(before);
    }

    @Test
    void givenRequiredFolderAbsentFromStorage_whenUploading_thenNoFailureAndNothingShared() {
        assertThatCode(() -> uploader.upload(plan(VmTestSpec.of(KERNEL_TEST)), results, storage))
                .doesNotThrowAnyException();

        assertThat(keys(results, RUN + "/shared/")).isEmpty();
        assertThat(keys(results, RUN + "/")).contains(RunUploader.payloadKey(RUN, KERNEL_TEST));
    }

    @Test
    void givenNoTestRequiringAFolder_whenUploadingWithoutStorageBucket_thenPayloadsAreUploaded() {
        uploader.upload(plan(VmTestSpec.of("basic-test")), results, null);

        assertThat(keys(results, RUN + "/")).contains(RunUploader.payloadKey(RUN, "basic-test"));
    }

    @Test
    void givenTestRequiringAFolder_whenUploadingWithoutStorageBucket_thenIllegalArgumentAndNothingWritten() {
        assertThatThrownBy(() -> uploader.upload(plan(VmTestSpec.of(KERNEL_TEST)), results, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kernel-rpms/binary");

        assertThat(keys(results, "")).isEmpty();
    }

    @Test
    void givenSameTestWithTwoParameterSets_whenUploading_thenIllegalArgumentAndNothingWritten() {
        RunPlan plan = plan(new VmTestSpec("kernelci-boot", BOOT_PARAMS), new VmTestSpec("kernelci-boot", Map.of()));

        assertThatThrownBy(() -> uploader.upload(plan, results, storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kernelci-boot");
        assertThat(keys(results, "")).isEmpty();
    }

    @Test
    void givenUnknownTest_whenUploading_thenIllegalArgumentAndNothingWritten() {
        assertThatThrownBy(() -> uploader.upload(plan(VmTestSpec.of("basic-test"), VmTestSpec.of("nope")), results, storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
        assertThat(keys(results, "")).isEmpty();
    }

    private static RunPlan plan(VmTestSpec... runs) {
        List<VmGroup> groups = Arrays.stream(runs)
                .map(run -> new VmGroup(run, "x86_64", "ami-0123456789abcdef0", "c6i.large", 2, 3600))
                .toList();
        return new RunPlan(RUN, "t1", Optional.empty(), Executor.EC2, groups);
    }

    private void seedStorage() {
        STORAGE.forEach((key, content) -> put(storage, key, content));
    }

    private void put(String bucket, String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content, StandardCharsets.UTF_8));
    }

    private ResponseBytes<GetObjectResponse> get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(results).key(key));
    }

    private List<String> keys(String bucket, String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
    }

    /** Key → content (as ISO-8859-1, byte-faithful) of the objects under {@code prefix}. */
    private Map<String, String> contents(String bucket, String prefix) {
        Map<String, String> found = new TreeMap<>();
        for (String key : keys(bucket, prefix)) {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            found.put(key, new String(bytes, StandardCharsets.ISO_8859_1));
        }
        return found;
    }

    private static Map<String, String> prefixed(String folder, Map<String, String> relative) {
        Map<String, String> expected = new TreeMap<>();
        relative.forEach((key, content) -> expected.put(RunUploader.sharedPrefix(RUN, folder) + key, content));
        return expected;
    }

    private static String text(ResponseBytes<GetObjectResponse> object) {
        return object.asUtf8String();
    }
}
