package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.store.ObjectStore;
import dev.pullab.testkit.AwsEmulator;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@DisplayName("S3ObjectStore: listing, deleting, and files written with their SHA-256, on S3")
class S3ObjectStoreIT {

    private static final String SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path dir;

    private S3Client s3;
    private String bucket;
    private ObjectStore store;

    @BeforeEach
    void createBucket() {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        bucket = emulator.createBucket("pullab-objectstore-it");
        store = new S3ObjectStore(s3, 2);
    }

    @Test
    @DisplayName("list returns every object under the prefix, across pages, in key order, with sizes")
    void givenObjectsOverSeveralPages_whenListing_thenAllUnderThePrefixInOrder() {
        put("tests/b/run.sh", "true\n");
        put("tests/a/run.sh", "echo a\n");
        put("tests/a/lib/x.sh", "");
        put("other/run.sh", "true\n");

        assertThat(store.list(bucket, "tests/")).containsExactly(
                new ObjectStore.StoredObject("tests/a/lib/x.sh", 0),
                new ObjectStore.StoredObject("tests/a/run.sh", 7),
                new ObjectStore.StoredObject("tests/b/run.sh", 5));
    }

    @Test
    @DisplayName("a file written with putFile has its content and its SHA-256 recorded")
    void givenFile_whenPutFile_thenContentAndShaAreStored() throws Exception {
        Path file = Files.writeString(dir.resolve("run.sh"), "echo hi\n");

        store.putFile(bucket, "tests/t/run.sh", file, "text/x-shellscript", "abc123");

        assertThat(store.readAtMost(bucket, "tests/t/run.sh", 100))
                .isEqualTo("echo hi\n".getBytes(StandardCharsets.UTF_8));
        assertThat(store.recordedSha256(bucket, "tests/t/run.sh")).contains("abc123");
    }

    @Test
    @DisplayName("a streamed putFile tells the bytes sent as they go, ending at the file's size, and stores it whole")
    void givenLargeFile_whenPutFileWithProgress_thenBytesToldAndContentStored() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("kernel.x86_64.rpm"), content);
        java.util.List<Long> told = new java.util.ArrayList<>();

        store.putFile(bucket, "kernel-rpms/binary/x86_64/kernel.x86_64.rpm", file, "application/x-rpm", "abc123",
                told::add);

        assertThat(told).hasSizeGreaterThan(1).isSorted().last().isEqualTo((long) content.length);
        assertThat(store.readAtMost(bucket, "kernel-rpms/binary/x86_64/kernel.x86_64.rpm", content.length))
                .isEqualTo(content);
        assertThat(store.recordedSha256(bucket, "kernel-rpms/binary/x86_64/kernel.x86_64.rpm")).contains("abc123");
    }

    @Test
    @DisplayName("an object written another way, or none at all, has no recorded SHA-256")
    void givenPlainObjectOrNone_whenReadingSha_thenEmpty() {
        put("tests/t/run.sh", "");

        assertThat(store.recordedSha256(bucket, "tests/t/run.sh")).isEmpty();
        assertThat(store.recordedSha256(bucket, "tests/t/missing.sh")).isEmpty();
    }

    @Test
    @DisplayName("putFile of a path that is not a file fails naming it, and writes nothing")
    void givenMissingFile_whenPutFile_thenUncheckedIoNamingIt() {
        Path missing = dir.resolve("missing.sh");

        assertThatThrownBy(() -> store.putFile(bucket, "tests/t/x.sh", missing, "text/plain", SHA256))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining(missing.toString());
        assertThat(store.list(bucket, "tests/")).isEmpty();
    }

    @Test
    @DisplayName("delete removes the object, and deleting a missing one is no error")
    void givenObject_whenDeleted_thenGone() {
        put("tests/t/old.sh", "x");

        store.delete(bucket, "tests/t/old.sh");
        store.delete(bucket, "tests/t/never.sh");

        assertThat(store.list(bucket, "tests/")).isEmpty();
    }

    @Test
    @DisplayName("listWritten gives each object's last-modified time, across pages")
    void givenObjects_whenListedWritten_thenTimesGiven() {
        java.time.Instant before = java.time.Instant.now().minusSeconds(5);
        put("out/i-1/console-output.log", "boot\n");
        put("out/i-1/run-1-output.log", "+ true\n");
        put("out/i-1/stats.json", "{}");

        List<ObjectStore.WrittenObject> written = store.listWritten(bucket, "out/i-1/");

        assertThat(written).extracting(ObjectStore.WrittenObject::key).containsExactly("out/i-1/console-output.log",
                "out/i-1/run-1-output.log", "out/i-1/stats.json");
        assertThat(written).allSatisfy(o -> assertThat(o.lastModified()).isAfter(before));
    }

    @Test
    @DisplayName("readTail reads only the object's last bytes (all of a shorter one, none of an empty one)")
    void givenObject_whenTailRead_thenLastBytes() throws Exception {
        put("out/console-output.log", "0123456789");
        put("out/empty.log", "");

        assertThat(store.readTail(bucket, "out/console-output.log", 4)).isEqualTo("6789".getBytes(StandardCharsets.UTF_8));
        assertThat(store.readTail(bucket, "out/console-output.log", 100))
                .isEqualTo("0123456789".getBytes(StandardCharsets.UTF_8));
        assertThat(store.readTail(bucket, "out/empty.log", 100)).isEmpty();
        assertThatThrownBy(() -> store.readTail(bucket, "out/missing.log", 4))
                .isInstanceOf(ObjectStore.NotFoundException.class);
    }

    @Test
    @DisplayName("bytes put with a SHA-256 have it recorded, as putFile does")
    void givenBytesWithSha_whenPut_thenShaRecorded() throws Exception {
        store.put(bucket, "out/console-output.log", "boot\n".getBytes(StandardCharsets.UTF_8), "text/plain", "abc123");

        assertThat(store.recordedSha256(bucket, "out/console-output.log")).contains("abc123");
        assertThat(store.readAtMost(bucket, "out/console-output.log", 100))
                .isEqualTo("boot\n".getBytes(StandardCharsets.UTF_8));
    }

    private void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content, StandardCharsets.UTF_8));
    }
}
