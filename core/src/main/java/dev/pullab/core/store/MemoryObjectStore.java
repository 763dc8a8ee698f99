package dev.pullab.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * An {@link ObjectStore} in memory, for what runs without S3: the lab's timing replays (the leak harness, whose
 * clock is simulated, so write times must come from that clock and not from a server) and the domain's tests. Objects
 * are kept by bucket and key with their content type, the SHA-256 recorded with them and when they were written
 * (from the given clock). Reads and writes of chosen keys can be made to fail as a broken connection or a refused
 * request would. Thread-safe.
 */
public final class MemoryObjectStore implements ObjectStore {

    /** One stored object. */
    public record Entry(byte[] content, String contentType, Optional<String> sha256, Instant written) {

        public Entry {
            content = content.clone();
            Objects.requireNonNull(sha256, "sha256");
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }

    private final Map<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
    private final Set<String> unwritable = ConcurrentHashMap.newKeySet();
    private final Supplier<Instant> clock;

    /** Write times from the system clock. */
    public MemoryObjectStore() {
        this(Clock.systemUTC()::instant);
    }

    /** Write times from {@code clock} (a simulated one in replays). */
    public MemoryObjectStore(Supplier<Instant> clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Puts an object as a VM would (text, no recorded SHA-256). */
    public MemoryObjectStore with(String bucket, String key, String content) {
        put(bucket, key, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
        return this;
    }

    /** From now on, reading this key fails as a broken connection would. */
    public MemoryObjectStore failingRead(String bucket, String key) {
        unreadable.add(bucket + "/" + key);
        return this;
    }

    /** From now on, writing this key fails as a refused request would. */
    public MemoryObjectStore failingWrite(String bucket, String key) {
        unwritable.add(bucket + "/" + key);
        return this;
    }

    /** The object at {@code key}, when there is one. */
    public Optional<Entry> entry(String bucket, String key) {
        return Optional.ofNullable(objects.get(bucket + "/" + key));
    }

    /** The content at {@code key}, when there is an object. */
    public Optional<byte[]> object(String bucket, String key) {
        return entry(bucket, key).map(Entry::content);
    }

    @Override
    public List<StoredObject> list(String bucket, String prefix) {
        return listWritten(bucket, prefix).stream().map(o -> new StoredObject(o.key(), o.size())).toList();
    }

    @Override
    public List<WrittenObject> listWritten(String bucket, String prefix) {
        String from = bucket + "/" + prefix;
        List<WrittenObject> found = new ArrayList<>();
        objects.forEach((key, e) -> {
            if (key.startsWith(from)) {
                found.add(new WrittenObject(key.substring(bucket.length() + 1), e.content.length, e.written()));
            }
        });
        return found;
    }

    @Override
    public byte[] readTail(String bucket, String key, long maxBytes) throws IOException {
        byte[] content = read(bucket, key);
        return Arrays.copyOfRange(content, (int) Math.max(0, content.length - maxBytes), content.length);
    }

    @Override
    public byte[] readAtMost(String bucket, String key, long limit) throws IOException {
        byte[] content = read(bucket, key);
        return Arrays.copyOf(content, (int) Math.min(content.length, limit + 1));
    }

    private byte[] read(String bucket, String key) throws IOException {
        if (unreadable.contains(bucket + "/" + key)) {
            throw new IOException("connection reset while reading s3://" + bucket + "/" + key);
        }
        Entry entry = objects.get(bucket + "/" + key);
        if (entry == null) {
            throw new NotFoundException("NoSuchKey: s3://" + bucket + "/" + key, null);
        }
        return entry.content;
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType) {
        write(bucket, key, content, contentType, Optional.empty());
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType, String sha256) {
        write(bucket, key, content, contentType, Optional.of(sha256));
    }

    private void write(String bucket, String key, byte[] content, String contentType, Optional<String> sha256) {
        if (unwritable.contains(bucket + "/" + key)) {
            throw new IllegalStateException("AccessDenied: PutObject on s3://" + bucket + "/" + key);
        }
        objects.put(bucket + "/" + key, new Entry(content, contentType, sha256, clock.get()));
    }

    @Override
    public void copy(String sourceBucket, String sourceKey, String targetBucket, String targetKey) {
        Entry source = objects.get(sourceBucket + "/" + sourceKey);
        if (source == null) {
            throw new IllegalStateException("NoSuchKey: s3://" + sourceBucket + "/" + sourceKey);
        }
        write(targetBucket, targetKey, source.content, source.contentType(), source.sha256());
    }

    @Override
    public void delete(String bucket, String key) {
        objects.remove(bucket + "/" + key);
    }

    @Override
    public void putFile(String bucket, String key, Path file, String contentType, String sha256) {
        try {
            put(bucket, key, Files.readAllBytes(file), contentType, sha256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> recordedSha256(String bucket, String key) {
        return entry(bucket, key).flatMap(Entry::sha256);
    }
}
