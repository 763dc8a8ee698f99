package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.vmtest.VmTestRules;
import dev.pullab.testkit.AwsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@DisplayName("VmTestCatalog: a run's tests, from the storage bucket's tests/ first, then bundled")
class VmTestCatalogIT {

    private static final VmTestBundle BUNDLED = VmTestBundle.fromClasspath();

    private S3Client s3;
    private String storage;
    private VmTestCatalog catalog;

    @BeforeEach
    void createBucket() {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        storage = emulator.createBucket("pullab-storage-catalog");
        catalog = new VmTestCatalog(new S3ObjectStore(s3), BUNDLED);
    }

    @Test
    @DisplayName("a test of the bucket shadows the bundled test of the same name")
    void givenBucketTestNamedAsBundledOne_whenResolving_thenTheBucketOneIsUsed() {
        put("tests/basic-test/run.sh", "echo custom\n");

        VmTestCatalog.VmTest test = catalog.resolve(List.of("basic-test"), storage).get("basic-test");

        assertThat(test.origin()).isEqualTo("s3://" + storage + "/tests/basic-test/");
        assertThat(text(test.files().get("run.sh"))).isEqualTo("echo custom\n");
        assertThat(test.files()).doesNotContainKey("common_lib.sh");
    }

    @Test
    @DisplayName("a test the bucket does not hold is the bundled one")
    void givenTestOnlyBundled_whenResolving_thenTheBundledOneIsUsed() {
        put("tests/my-test/run.sh", "true\n");

        VmTestCatalog.VmTest test = catalog.resolve(List.of("basic-test"), storage).get("basic-test");

        assertThat(test.origin()).isEqualTo(BUNDLED.origin() + "/basic-test");
        assertThat(test.files().keySet()).isEqualTo(BUNDLED.files("basic-test").keySet());
        assertThat(test.files().get("run.sh")).isEqualTo(BUNDLED.files("basic-test").get("run.sh"));
    }

    @Test
    @DisplayName("a bucket test without lib/ gets the bundled lib/, beside its own files")
    void givenBucketTestWithoutLib_whenResolving_thenTheBundledLibIsAdded() {
        put("tests/my-test/run-01-a.sh", "true\n");
        put("tests/my-test/external_requirements.json", "{\"kernel-rpms/binary\": true}");

        VmTestCatalog.VmTest test = catalog.resolve(List.of("my-test"), storage).get("my-test");

        assertThat(test.files()).containsKeys("run-01-a.sh", "external_requirements.json")
                .containsKeys(BUNDLED.lib().keySet().toArray(String[]::new));
        assertThat(test.files().get("lib/test_lib.sh")).isEqualTo(BUNDLED.lib().get("lib/test_lib.sh"));
        assertThat(test.requiredFolders()).containsExactly("kernel-rpms/binary");
    }

    @Test
    @DisplayName("a bucket test shipping its own lib/ keeps it alone")
    void givenBucketTestWithOwnLib_whenResolving_thenOnlyItsLibIsUsed() {
        put("tests/my-test/run.sh", "true\n");
        put("tests/my-test/lib/test_lib.sh", "mine\n");

        VmTestCatalog.VmTest test = catalog.resolve(List.of("my-test"), storage).get("my-test");

        assertThat(test.files()).containsOnlyKeys("run.sh", "lib/test_lib.sh");
        assertThat(text(test.files().get("lib/test_lib.sh"))).isEqualTo("mine\n");
    }

    @Test
    @DisplayName("the S3 console's empty folder markers are not files")
    void givenFolderMarkers_whenResolving_thenTheyAreLeftOut() {
        put("tests/my-test/", "");
        put("tests/my-test/run.sh", "true\n");
        put("tests/my-test/data/", "");

        assertThat(catalog.resolve(List.of("my-test"), storage).get("my-test").files())
                .containsKey("run.sh").doesNotContainKeys("", "data/");
    }

    @Test
    @DisplayName("an unknown test fails naming where it looked and the tests of both places")
    void givenUnknownTest_whenResolving_thenTheMessageListsBucketAndBundledTests() {
        put("tests/my-test/run.sh", "true\n");

        assertThatThrownBy(() -> catalog.resolve(List.of("basic-test", "nope"), storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown vm-test 'nope': looked in s3://" + storage
                        + "/tests/ (tests there: my-test) and in the bundled tests of " + BUNDLED.origin() + " ("
                        + String.join(", ", BUNDLED.names()) + ")")
                .hasMessageContaining("and s3://" + storage + "/test-scripts/<name>/<name>_test_payload.zip")
                .hasMessageContaining("pullab upload-tests --bucket " + storage);
    }

    @Test
    @DisplayName("a lab's own test uploaded the pullab_cloud way (test-scripts/<name>/<name>_test_payload.zip) runs"
            + " without being uploaded again")
    void givenPullabCloudZipOfOwnTest_whenResolving_thenItsFilesAreUsedWithTheBundledLib() throws Exception {
        putZip("test-scripts/old-test/old-test_test_payload.zip", Map.of("run-1.sh", "echo one\n",
                "run-2.sh", "echo two\n", "external_requirements.json", "{\"kernel-rpms/binary\": true}"));

        VmTestCatalog.VmTest test = catalog.resolve(List.of("old-test"), storage).get("old-test");

        assertThat(test.origin()).isEqualTo("s3://" + storage + "/test-scripts/old-test/old-test_test_payload.zip");
        assertThat(text(test.files().get("run-2.sh"))).isEqualTo("echo two\n");
        assertThat(test.requiredFolders()).containsExactly("kernel-rpms/binary");
        assertThat(test.files()).containsKeys("lib/test_lib.sh");
    }

    @Test
    @DisplayName("pullab_cloud's zipped copy of a test pullab bundles does not shadow the bundled one")
    void givenPullabCloudZipOfBundledTest_whenResolving_thenTheBundledOneIsUsed() throws Exception {
        putZip("test-scripts/basic-test/basic-test_test_payload.zip", Map.of("run.sh", "echo old\n"));

        VmTestCatalog.VmTest test = catalog.resolve(List.of("basic-test"), storage).get("basic-test");

        assertThat(test.origin()).isEqualTo(BUNDLED.origin() + "/basic-test");
    }

    @Test
    @DisplayName("a pullab_cloud zip that is not a zip is refused, naming where it is")
    void givenBrokenPullabCloudZip_whenResolving_thenRefused() {
        put("test-scripts/old-test/old-test_test_payload.zip", "PK not really");

        assertThatThrownBy(() -> catalog.resolve(List.of("old-test"), storage))
                .hasMessageContaining("s3://" + storage + "/test-scripts/old-test/old-test_test_payload.zip cannot"
                        + " run:");
    }

    @Test
    @DisplayName("a pullab_cloud zip that inflates past the size cap is refused (counted while inflating)")
    void givenPullabCloudZipBomb_whenResolving_thenRefusedAtTheCap() throws Exception {
        putZip("test-scripts/old-test/old-test_test_payload.zip",
                Map.of("run.sh", "x".repeat((int) VmTestRules.MAX_BYTES + 1)));

        assertThatThrownBy(() -> catalog.resolve(List.of("old-test"), storage))
                .hasMessageContaining("more than " + VmTestRules.MAX_BYTES + " bytes once inflated");
    }

    @Test
    @DisplayName("a pullab_cloud zip with a '..' entry is refused")
    void givenPullabCloudZipSlip_whenResolving_thenRefused() throws Exception {
        putZip("test-scripts/old-test/old-test_test_payload.zip", Map.of("run.sh", "true\n",
                "../../etc/cron.d/x", "evil\n"));

        assertThatThrownBy(() -> catalog.resolve(List.of("old-test"), storage))
                .hasMessageContaining("cannot run:").hasMessageContaining("../../etc/cron.d/x");
    }

    @Test
    @DisplayName("without a storage bucket only the bundled tests are known, and the message says so")
    void givenNoStorageBucket_whenResolvingUnknownTest_thenTheMessageSaysNoBucket() {
        assertThatThrownBy(() -> catalog.resolve(List.of("nope"), null))
                .hasMessageStartingWith("unknown vm-test 'nope': looked in no storage bucket (none is configured)");
    }

    @Test
    @DisplayName("a bucket test without run script is refused, not replaced by the bundled one")
    void givenBucketTestWithoutStage_whenResolving_thenRefused() {
        put("tests/basic-test/start.sh", "true\n");

        assertThatThrownBy(() -> catalog.resolve(List.of("basic-test"), storage))
                .hasMessageContaining("s3://" + storage + "/tests/basic-test/ cannot run: test basic-test has no "
                        + "run.sh or run*.sh");
    }

    @Test
    @DisplayName("a bucket test whose external_requirements.json is not JSON is refused")
    void givenBadRequirements_whenResolving_thenRefusedNamingTheFile() {
        put("tests/my-test/run.sh", "true\n");
        put("tests/my-test/external_requirements.json", "{kernel-rpms: yes");

        assertThatThrownBy(() -> catalog.resolve(List.of("my-test"), storage))
                .hasMessageContaining("test my-test: external_requirements.json is not valid JSON");
    }

    @Test
    @DisplayName("a bucket key climbing out of its test with .. is refused")
    void givenDotDotKey_whenResolving_thenRefused() {
        put("tests/my-test/run.sh", "true\n");
        put("tests/my-test/lib/../../other/x.sh", "true\n");

        assertThatThrownBy(() -> catalog.resolve(List.of("my-test"), storage))
                .hasMessageContaining("file 'lib/../../other/x.sh' holds '..'");
    }

    @Test
    @DisplayName("a bucket test of more than MAX_FILES files is refused before anything is downloaded")
    void givenTooManyFiles_whenResolving_thenRefused() {
        put("tests/my-test/run.sh", "true\n");
        for (int i = 0; i < VmTestRules.MAX_FILES; i++) {
            put("tests/my-test/data/f" + i, "x");
        }

        assertThatThrownBy(() -> catalog.resolve(List.of("my-test"), storage))
                .hasMessageContaining("test my-test has " + (VmTestRules.MAX_FILES + 1) + " files");
    }

    @Test
    @DisplayName("a config's test name that is not plain is refused before the bucket is read for it")
    void givenUnsafeName_whenResolving_thenRefused() {
        assertThatThrownBy(() -> catalog.resolve(List.of("../basic-test"), storage))
                .hasMessageContaining("test name '../basic-test' is not allowed");
    }

    @Test
    @DisplayName("the bucket's tests are listed by name")
    void givenBucketTests_whenListing_thenTheirNames() {
        put("tests/b-test/run.sh", "true\n");
        put("tests/a-test/run.sh", "true\n");
        put("tests/a-test/lib/x.sh", "true\n");
        put("tests/README.md", "not a test");

        assertThat(catalog.bucketTests(storage)).containsExactly("a-test", "b-test");
    }

    private void put(String key, String content) {
        s3.putObject(b -> b.bucket(storage).key(key), RequestBody.fromString(content, StandardCharsets.UTF_8));
    }

    private void putZip(String key, Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        s3.putObject(b -> b.bucket(storage).key(key), RequestBody.fromBytes(bytes.toByteArray()));
    }

    private static String text(byte[] content) {
        return new String(content, StandardCharsets.UTF_8);
    }
}
