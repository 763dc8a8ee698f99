package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.job.JobTranslator;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.vmtest.VmTestRules;
import dev.pullab.orchestrator.payload.RunUploader;
import dev.pullab.orchestrator.payload.VmTestBundle;
import dev.pullab.testkit.AwsEmulator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

@DisplayName("pullab upload-tests: a lab's own tests into the storage bucket, where runs find them")
class UploadTestsCommandIT {

    @TempDir
    Path dir;

    private S3Client s3;
    private ObjectStore store;
    private String storage;
    private Path tests;

    @BeforeEach
    void createBucketAndTests() throws IOException {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        store = new S3ObjectStore(s3);
        storage = emulator.createBucket("pullab-storage-upload");
        tests = Files.createDirectories(dir.resolve("my-tests"));
        write("my-boot/run.sh", "#!/bin/bash\necho my boot\n");
        write("my-boot/external_requirements.json", "{\"kernel-rpms/binary\": false}\n");
        write("my-boot/data/expected.txt", "ok\n");
    }

    @Test
    @DisplayName("each file of a test lands at tests/<name>/<path>, and the test is reported uploaded")
    void givenTestDirectory_whenUploaded_thenEveryFileIsUnderTestsName() {
        Run run = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(keys("tests/")).containsExactly("tests/my-boot/data/expected.txt",
                "tests/my-boot/external_requirements.json", "tests/my-boot/run.sh");
        assertThat(run.out()).contains("uploaded     my-boot: 3 files to s3://" + storage + "/tests/my-boot/ "
                + "(3 written, 0 unchanged, 0 stale deleted)");
        assertThat(run.err()).contains("  my-boot [1/3] uploaded data/expected.txt", "  my-boot [3/3] uploaded run.sh");
    }

    @Test
    @DisplayName("a second upload of the same files writes nothing and says unchanged")
    void givenUploadedTest_whenUploadedAgain_thenUnchanged() {
        run("--test-dir", tests.toString(), "--bucket", storage);

        Run again = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(again.exitCode()).isZero();
        assertThat(again.out())
                .contains("unchanged    my-boot: 3 files already in s3://" + storage + "/tests/my-boot/");
        assertThat(again.err()).doesNotContain(" uploaded ");
    }

    @Test
    @DisplayName("a changed file is written again, a file gone from the directory is deleted from the bucket")
    void givenChangedAndRemovedFiles_whenUploadedAgain_thenOnlyTheyChangeInTheBucket() throws IOException {
        run("--test-dir", tests.toString(), "--bucket", storage);
        write("my-boot/run.sh", "#!/bin/bash\necho my boot, v2\n");
        Files.delete(tests.resolve("my-boot/data/expected.txt"));

        Run again = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(again.out()).contains("(1 written, 1 unchanged, 1 stale deleted)");
        assertThat(keys("tests/")).containsExactly("tests/my-boot/external_requirements.json",
                "tests/my-boot/run.sh");
        assertThat(text("tests/my-boot/run.sh")).isEqualTo("#!/bin/bash\necho my boot, v2\n");
    }

    @Test
    @DisplayName("the bucket comes from PULLAB_STORAGE_BUCKET when --bucket is not given")
    void givenBucketVariable_whenUploadedWithoutBucketOption_thenItIsUsed() {
        Run run = run(Map.of("PULLAB_STORAGE_BUCKET", storage), "--test-dir", tests.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(keys("tests/")).hasSize(3);
    }

    @Test
    @DisplayName("without --bucket nor PULLAB_STORAGE_BUCKET it says so, exit 2, and touches nothing")
    void givenNoBucket_whenRun_thenUsageErrorNamingBoth() {
        Run run = run("--test-dir", tests.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error: no storage bucket: pass --bucket BUCKET or set PULLAB_STORAGE_BUCKET");
    }

    @Test
    @DisplayName("--dry-run tells what would be uploaded and writes nothing")
    void givenDryRun_whenRun_thenNothingWritten() {
        Run run = run("--test-dir", tests.toString(), "--bucket", storage, "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("would upload my-boot: 3 files");
        assertThat(keys("tests/")).isEmpty();
    }

    @Test
    @DisplayName("a directory that is one test is uploaded under its own name")
    void givenOneTestDirectory_whenUploaded_thenUnderItsName() {
        Run run = run("--test-dir", tests.resolve("my-boot").toString(), "--bucket", storage);

        assertThat(run.exitCode()).isZero();
        assertThat(keys("tests/")).contains("tests/my-boot/run.sh");
    }

    @Test
    @DisplayName("a lib link is left out (the bundled lib/ is used), and said so")
    void givenLibLink_whenUploaded_thenLeftOutAndNoted() throws IOException {
        write("lib/test_lib.sh", "log() { :; }\n");
        Files.createSymbolicLink(tests.resolve("my-boot/lib"), Path.of("../lib"));

        Run run = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("skipped      lib: not a test", "lib link left out: runs add the bundled lib/");
        assertThat(keys("tests/")).noneMatch(key -> key.contains("/lib/"));
    }

    @Test
    @DisplayName("a vm-tests tree's bats directory test/ is never uploaded as a test, as it is never bundled as one")
    void givenBatsDirectory_whenUploaded_thenSkipped() throws IOException {
        write("test/run-tests.sh", "bats .\n");

        Run run = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("skipped      test: never a test");
        assertThat(keys("tests/")).noneMatch(key -> key.startsWith("tests/test/"));
    }

    @Test
    @DisplayName("a test without run script, named with --test, is refused, exit 1, while the others upload")
    void givenTestWithoutStage_whenNamed_thenRefusedAndOthersUploaded() throws IOException {
        write("no-stage/start.sh", "true\n");

        Run run = run("--test-dir", tests.toString(), "--bucket", storage, "--test", "no-stage", "--test", "my-boot");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("refused      no-stage: test no-stage has no run.sh or run*.sh",
                "uploaded     my-boot:", "1 test(s) uploaded, 0 unchanged, 1 refused");
        assertThat(keys("tests/")).noneMatch(key -> key.startsWith("tests/no-stage/"));
    }

    @Test
    @DisplayName("a test whose external_requirements.json is not valid JSON is refused, naming the file")
    void givenBadRequirements_whenUploaded_thenRefused() throws IOException {
        write("bad-json/run.sh", "true\n");
        write("bad-json/external_requirements.json", "{\"kernel-rpms/binary\": yes}");

        Run run = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("refused      bad-json: test bad-json: external_requirements.json is not "
                + "valid JSON");
    }

    @Test
    @DisplayName("a test of more than MAX_FILES files is refused before anything is uploaded")
    void givenTooManyFiles_whenUploaded_thenRefused() throws IOException {
        write("big/run.sh", "true\n");
        for (int i = 0; i < VmTestRules.MAX_FILES; i++) {
            write("big/data/f" + i, "x");
        }

        Run run = run("--test-dir", tests.toString(), "--bucket", storage, "--test", "big");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("refused      big: test big has " + (VmTestRules.MAX_FILES + 1) + " files");
        assertThat(keys("tests/")).isEmpty();
    }

    @Test
    @DisplayName("a symbolic link other than lib is refused (it could point outside the test)")
    void givenSymlinkToAFile_whenUploaded_thenRefused() throws IOException {
        Files.createSymbolicLink(tests.resolve("my-boot/credentials"), dir.resolve("secret"));

        Run run = run("--test-dir", tests.toString(), "--bucket", storage);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("refused      my-boot: test my-boot: credentials is a symbolic link");
    }

    @Test
    @DisplayName("a --test with no directory is refused, naming the path looked at")
    void givenUnknownTestName_whenUploaded_thenRefused() {
        Run run = run("--test-dir", tests.toString(), "--bucket", storage, "--test", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("refused      nope: no directory " + tests.resolve("nope"));
    }

    @Test
    @DisplayName("a test uploaded with the CLI is what a config run naming it zips, with the bundled lib/")
    void givenUploadedCustomTest_whenAConfigRunNamesIt_thenItsPayloadHoldsTheUploadedFiles() throws IOException {
        assertThat(run("--test-dir", tests.toString(), "--bucket", storage).exitCode()).isZero();
        String results = AwsEmulator.get().createBucket("pullab-results-upload");
        RunPlan plan = configRun("my-boot");

        new RunUploader(store, VmTestBundle.fromClasspath()).upload(plan, results, storage);

        Map<String, String> payload = unzip(s3.getObjectAsBytes(b -> b.bucket(results)
                .key(RunUploader.payloadKey(plan.runPrefix(), "my-boot"))).asByteArray());
        assertThat(payload).containsEntry("run.sh", "#!/bin/bash\necho my boot\n")
                .containsEntry("data/expected.txt", "ok\n")
                .containsKeys("lib/test_lib.sh", "test-vm-client.sh");
    }

    @Test
    @DisplayName("a config run naming a test that is nowhere fails before writing anything, listing the known ones")
    void givenConfigNamingUnknownTest_whenItsPayloadsAreBuilt_thenRefusedListingBucketAndBundledTests() {
        assertThat(run("--test-dir", tests.toString(), "--bucket", storage).exitCode()).isZero();
        String results = AwsEmulator.get().createBucket("pullab-results-upload");
        RunUploader uploader = new RunUploader(store, VmTestBundle.fromClasspath());

        assertThatThrownBy(() -> uploader.upload(configRun("my-bot"), results, storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown vm-test 'my-bot': looked in s3://" + storage
                        + "/tests/ (tests there: my-boot) and in the bundled tests of")
                .hasMessageContaining("basic-test, ");
        assertThat(s3.listObjectsV2(b -> b.bucket(results)).contents()).isEmpty();
    }

    private RunPlan configRun(String test) {
        String config = "{\"test_config\": {\"test_id\": \"custom-001\", \"role_name\": \"pullab-vm\", "
                + "\"vms\": [{\"ami_id\": \"ami-0123456789abcdef0\", \"instance_type\": \"t3.micro\", "
                + "\"max_runtime\": 3600, \"test\": [\"" + test + "\"], \"min_count\": 1}]}}";
        return JobTranslator.fromConfig(LabConfig.parse(config.getBytes(StandardCharsets.UTF_8)), "abcd1234",
                Instant.parse("2026-12-05T04:00:00Z"));
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run run(String... args) {
        return run(Map.of(), args);
    }

    private Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new UploadTestsCommand(env::get, region -> store));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private void write(String relative, String content) throws IOException {
        Path file = tests.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private java.util.List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(storage).prefix(prefix)).contents().stream()
                .map(S3Object::key).sorted().toList();
    }

    private String text(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(storage).key(key)).asUtf8String();
    }

    private static Map<String, String> unzip(byte[] zip) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }
}
