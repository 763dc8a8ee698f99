package dev.pullab.core.report;

import dev.pullab.core.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** An object store in memory for the report tests: one bucket's objects by key, with their content types. */
final class MemoryObjectStore implements ObjectStore {

    private final Map<String, byte[]> objects = new TreeMap<>();
    private final Map<String, String> contentTypes = new TreeMap<>();
    private final Set<String> unreadable = new HashSet<>();
    private final Set<String> unwritable = new HashSet<>();

    /** Puts an object as a VM would. */
    MemoryObjectStore with(String key, String content) {
        objects.put(key, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return this;
    }

    /** Reading this key fails as a broken connection would. */
    MemoryObjectStore failingRead(String key) {
        unreadable.add(key);
        return this;
    }

    /** Writing this key fails as a refused request would. */
    MemoryObjectStore failingWrite(String key) {
        unwritable.add(key);
        return this;
    }

    Optional<byte[]> object(String key) {
        return Optional.ofNullable(objects.get(key));
    }

    Optional<String> contentType(String key) {
        return Optional.ofNullable(contentTypes.get(key));
    }

    /** The objects under a prefix, as {@link #list} gives them. */
    List<StoredObject> listed(String prefix) {
        return list("bucket", prefix);
    }

    @Override
    public List<StoredObject> list(String bucket, String prefix) {
        return objects.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new StoredObject(e.getKey(), e.getValue().length)).toList();
    }

    @Override
    public byte[] readAtMost(String bucket, String key, long limit) throws IOException {
        if (unreadable.contains(key)) {
            throw new IOException("connection reset while reading " + key);
        }
        byte[] content = objects.get(key);
        if (content == null) {
            throw new NotFoundException("NoSuchKey: " + key, null);
        }
        return Arrays.copyOf(content, (int) Math.min(content.length, limit + 1));
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType) {
        if (unwritable.contains(key)) {
            throw new IllegalStateException("AccessDenied: PutObject on " + key);
        }
        objects.put(key, content.clone());
        contentTypes.put(key, contentType);
    }

    @Override
    public void copy(String sourceBucket, String sourceKey, String targetBucket, String targetKey) {
        objects.put(targetKey, objects.get(sourceKey).clone());
    }

    @Override
    public void delete(String bucket, String key) {
        objects.remove(key);
    }

    @Override
    public void putFile(String bucket, String key, Path file, String contentType, String sha256) {
        throw new UnsupportedOperationException("not used by the report tests");
    }

    @Override
    public Optional<String> recordedSha256(String bucket, String key) {
        return Optional.empty();
    }
}
