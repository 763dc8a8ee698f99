package dev.pullab.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("StorageUploader: each written object is read back, and its bytes are told as they go")
class StorageUploaderTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a written object whose content is not the file's fails the upload, naming the object")
    void givenStoreThatCorruptsWrites_whenUploaded_thenNotVerified() throws IOException {
        Path file = Files.writeString(dir.resolve("kernel.src.rpm"), "rpm bytes");
        MemoryObjectStore memory = new MemoryObjectStore();
        ObjectStore corrupting = new ForwardingStore(memory) {
            @Override
            public void putFile(String bucket, String key, Path path, String contentType, String sha256) {
                memory.put(bucket, key, "rpm byte".getBytes(StandardCharsets.UTF_8), contentType, sha256);
            }
        };

        assertThatThrownBy(() -> new StorageUploader(corrupting).upload("storage", "kernel-rpms/src/",
                new TreeMap<>(java.util.Map.of("kernel.src.rpm", file)), false, false,
                StorageUploader.Progress.SILENT))
                .isInstanceOf(StorageUploader.NotVerifiedException.class)
                .hasMessageStartingWith("s3://storage/kernel-rpms/src/kernel.src.rpm read back after its upload is "
                        + "8 bytes")
                .hasMessageEndingWith("not 9 bytes with SHA-256 " + StorageUploader.sha256(file) + ": upload it again");
    }

    @Test
    @DisplayName("the bytes sent of each written file are told to the transfer listener, up to its size")
    void givenTransferListener_whenUploaded_thenToldTheBytesSent() throws IOException {
        Path file = Files.writeString(dir.resolve("kernel.x86_64.rpm"), "0123456789");
        List<String> told = new ArrayList<>();

        new StorageUploader(new MemoryObjectStore()).upload("storage", "kernel-rpms/binary/x86_64/",
                new TreeMap<>(java.util.Map.of("kernel.x86_64.rpm", file)), false, false,
                StorageUploader.Progress.SILENT, (key, sent, size) -> told.add(key + " " + sent + "/" + size));

        assertThat(told).containsExactly("kernel-rpms/binary/x86_64/kernel.x86_64.rpm 10/10");
    }
}
