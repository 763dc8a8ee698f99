package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.store.StorageUploader;
import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

@DisplayName("pullab upload-rpms: kernel RPMs into the storage bucket's kernel-rpms/ layout")
class UploadRpmsCommandIT {

    @TempDir
    Path dir;

    private S3Client s3;
    private ObjectStore store;
    private String storage;
    private Path rpms;

    @BeforeEach
    void createBucketAndRpms() throws IOException {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        store = new S3ObjectStore(s3);
        storage = emulator.createBucket("pullab-storage-rpms");
        rpms = Files.createDirectories(dir.resolve("rpms"));
        rpm("kernel-6.1.141-1.x86_64.rpm", 1000);
        rpm("kernel-6.1.141-1.aarch64.rpm", 2000);
        rpm("kernel-6.1.141-1.src.rpm", 3000);
    }

    @Test
    @DisplayName("each RPM lands under kernel-rpms/binary/<arch>/ or kernel-rpms/src/ by its suffix, verified")
    void givenRpmsOfEachKind_whenUploaded_thenClassifiedIntoTheSeedsLayout() {
        Run run = run("--bucket", storage, rpms.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(keys()).containsExactly("kernel-rpms/binary/aarch64/kernel-6.1.141-1.aarch64.rpm",
                "kernel-rpms/binary/x86_64/kernel-6.1.141-1.x86_64.rpm", "kernel-rpms/src/kernel-6.1.141-1.src.rpm");
        assertThat(run.out()).contains("uploaded     " + rpms.resolve("kernel-6.1.141-1.x86_64.rpm") + ": to s3://"
                        + storage + "/kernel-rpms/binary/x86_64/kernel-6.1.141-1.x86_64.rpm (1000 B, verified)")
                .contains("uploaded 3, unchanged 0, refused 0, failed 0; bucket s3://" + storage + "/kernel-rpms/");
        assertThat(store.recordedSha256(storage, "kernel-rpms/src/kernel-6.1.141-1.src.rpm"))
                .contains(StorageUploader.sha256(rpms.resolve("kernel-6.1.141-1.src.rpm")));
    }

    @Test
    @DisplayName("a second upload of the same RPMs writes nothing and says unchanged; a changed one is written again")
    void givenUploadedRpms_whenUploadedAgain_thenUnchangedUnlessTheirContentChanged() throws IOException {
        run("--bucket", storage, rpms.toString());
        rpm("kernel-6.1.141-1.x86_64.rpm", 1001);

        Run again = run("--bucket", storage, rpms.toString());

        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("unchanged    " + rpms.resolve("kernel-6.1.141-1.src.rpm") + ": already in",
                "uploaded     " + rpms.resolve("kernel-6.1.141-1.x86_64.rpm") + ": to s3://",
                "uploaded 1, unchanged 2, refused 0, failed 0");
    }

    @Test
    @DisplayName("a text file renamed to .rpm and a file that is not named .rpm are refused by name, exit 1; the "
            + "RPMs still upload")
    void givenNonRpms_whenUploaded_thenRefusedNamingThemAndTheOthersUploaded() throws IOException {
        Path renamed = Files.writeString(rpms.resolve("kernel-6.1.150-1.x86_64.rpm"), "not an rpm, a text file\n");
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Path noarch = Files.write(rpms.resolve("kernel-doc-6.1.noarch.rpm"), rpmBytes(10));

        Run run = run("--bucket", storage, rpms.toString(), text.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains(
                "refused      " + renamed + ": not an RPM: it does not start with the RPM lead (ed ab ee db)",
                "refused      " + text + ": not a kernel RPM name: expected NAME.x86_64.rpm, NAME.aarch64.rpm or "
                        + "NAME.src.rpm",
                "refused      " + noarch + ": not a kernel RPM name",
                "uploaded 3, unchanged 0, refused 3, failed 0");
        assertThat(keys()).hasSize(3).noneMatch(k -> k.contains("6.1.150") || k.contains("noarch"));
    }

    @Test
    @DisplayName("files of a directory not named *.rpm are left out with a note, not refused")
    void givenOtherFilesInDirectory_whenUploaded_thenLeftOutWithANote() throws IOException {
        Files.writeString(rpms.resolve("build.log"), "log\n");

        Run run = run("--bucket", storage, rpms.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains("note: " + rpms + ": 1 file(s) not named *.rpm left out");
    }

    @Test
    @DisplayName("--dry-run tells what would be uploaded and writes nothing")
    void givenDryRun_whenRun_thenNothingWritten() {
        Run run = run("--bucket", storage, "--dry-run", rpms.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("would upload " + rpms.resolve("kernel-6.1.141-1.src.rpm"),
                "would upload 3, unchanged 0, refused 0, failed 0");
        assertThat(keys()).isEmpty();
    }

    @Test
    @DisplayName("the bucket is the lab's storage bucket when --bucket is not given (a lab file, as local-run writes)")
    void givenLabFile_whenUploadedWithoutBucket_thenTheLabsStorageBucket() throws IOException {
        Path lab = Files.writeString(dir.resolve("lab.env"), "PULLAB_STORAGE_BUCKET=" + storage + "\n");

        Run run = run("--lab", lab.toString(), rpms.resolve("kernel-6.1.141-1.src.rpm").toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(keys()).containsExactly("kernel-rpms/src/kernel-6.1.141-1.src.rpm");
    }

    @Test
    @DisplayName("without a bucket from anywhere it says how to give one")
    void givenNoLab_whenRun_thenErrorNamesTheWaysToGiveTheBucket() {
        Run run = run(rpms.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("error: the lab's storage bucket is not known from the environment",
                "--stack NAME", "PULLAB_STORAGE_BUCKET");
    }

    @Test
    @DisplayName("a large RPM shows its progress on stderr, bytes and percent, as it is sent")
    void givenLargeRpm_whenUploaded_thenProgressLines() throws IOException {
        Path big = rpm("kernel-6.1.141-2.x86_64.rpm", 12 * 1024 * 1024);
        AtomicLong clock = new AtomicLong();

        Run run = run(() -> clock.addAndGet(500_000_000L), "--bucket", storage, big.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.err()).contains("  kernel-6.1.141-2.x86_64.rpm: 12.0 MiB of 12.0 MiB (100 %)");
        List<String> lines = run.err().lines().filter(l -> l.contains(" MiB of 12.0 MiB")).toList();
        assertThat(lines).hasSizeGreaterThan(2);
    }

    @Test
    @DisplayName("--help shows the layout and an example")
    void whenHelp_thenLayoutAndExample() {
        Run run = run("--help");

        assertThat(run.out()).contains("kernel-rpms/binary/aarch64/", "pullab upload-rpms --stack pullab-lab",
                "Exit status:");
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run run(String... args) {
        return run(System::nanoTime, args);
    }

    private Run run(java.util.function.LongSupplier clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new UploadRpmsCommand(Map.<String, String>of()::get, lab -> store, clock))
                .setExecutionExceptionHandler(new CliErrors(name -> null));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path rpm(String name, int size) throws IOException {
        return Files.write(rpms.resolve(name), rpmBytes(size));
    }

    private static byte[] rpmBytes(int size) {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        System.arraycopy(UploadRpmsCommand.RPM_MAGIC, 0, content, 0, 4);
        return content;
    }

    private List<String> keys() {
        return new ArrayList<>(s3.listObjectsV2Paginator(b -> b.bucket(storage).prefix("kernel-rpms/")).contents()
                .stream().map(S3Object::key).sorted().toList());
    }
}
