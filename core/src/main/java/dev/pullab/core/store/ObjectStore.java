package dev.pullab.core.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Where a lab keeps its objects (in AWS: S3), as the domain uses it: list a prefix, read at most so many bytes, write,
 * copy, delete; and, for uploads that skip what is already there, write a file with its SHA-256 recorded and read that
 * record back. The one way run payloads, configs, VM outputs and reports are read and written; its S3 implementation is
 * {@code dev.pullab.aws.S3ObjectStore}. Service faults other than a missing object propagate as unchecked exceptions
 * of the implementation.
 */
public interface ObjectStore {

    /** The most a config object (a lab config, a pipeline config) may hold: 1 MiB, hundreds of times a real one. */
    int MAX_CONFIG_BYTES = 1 << 20;

    /** One listed object: its full key and its size in bytes as listed. */
    record StoredObject(String key, long size) {
    }

    /** One listed object with when it was last written (for the sweeper's hang detection). */
    record WrittenObject(String key, long size, Instant lastModified) {
    }

    /** The bucket or the object does not exist; the message is the store's own. */
    final class NotFoundException extends IOException {
        private static final long serialVersionUID = 1L;

        public NotFoundException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Every object whose key starts with {@code prefix}, all pages, in key order. */
    List<StoredObject> list(String bucket, String prefix);

    /** Like {@link #list}, with each object's last-modified time. */
    List<WrittenObject> listWritten(String bucket, String prefix);

    /**
     * The last {@code maxBytes} bytes of the object (all of it when it is shorter): a ranged read, the rest is not
     * downloaded.
     *
     * @throws NotFoundException when the bucket or object does not exist
     * @throws IOException       when reading the body fails
     */
    byte[] readTail(String bucket, String key, long maxBytes) throws IOException;

    /**
     * Streams the object and keeps at most {@code limit + 1} bytes: a result longer than {@code limit} means the
     * object is over the limit. The rest of a larger object is not downloaded.
     *
     * @throws NotFoundException when the bucket or object does not exist
     * @throws IOException       when reading the body fails
     */
    byte[] readAtMost(String bucket, String key, long limit) throws IOException;

    /** Writes {@code content} at {@code key}, replacing what was there. */
    void put(String bucket, String key, byte[] content, String contentType);

    /**
     * Writes {@code content} at {@code key}, replacing what was there, recording {@code sha256} (lower-case hex, of
     * whatever the caller fingerprints) as {@link #putFile} does, for {@link #recordedSha256} to read back.
     */
    void put(String bucket, String key, byte[] content, String contentType, String sha256);

    /** A server-side copy of one object. */
    void copy(String sourceBucket, String sourceKey, String targetBucket, String targetKey);

    /** Deletes the object at {@code key}; nothing happens when there is none. */
    void delete(String bucket, String key);

    /**
     * Writes the file at {@code key}, streamed from disk, recording {@code sha256} (its SHA-256, lower-case hex) with
     * the object, so that {@link #recordedSha256} tells a later upload whether the content changed.
     *
     * @throws java.io.UncheckedIOException when the file cannot be read
     */
    void putFile(String bucket, String key, Path file, String contentType, String sha256);

    /**
     * {@link #putFile(String, String, Path, String, String)}, telling {@code sent} how many bytes of the file have
     * been sent so far, as they go (for the progress of a large file; a retried request starts again from 0). This
     * default tells it once, after the write.
     *
     * @throws java.io.UncheckedIOException when the file cannot be read
     */
    default void putFile(String bucket, String key, Path file, String contentType, String sha256,
            LongConsumer sent) {
        putFile(bucket, key, file, contentType, sha256);
        try {
            sent.accept(java.nio.file.Files.size(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The SHA-256 {@link #putFile} recorded with the object; empty when the object does not exist or was written
     * another way (then its content is unknown and an upload writes it again).
     */
    Optional<String> recordedSha256(String bucket, String key);

    /**
     * A config object, read whole but never more than {@link #MAX_CONFIG_BYTES}.
     *
     * @throws NotFoundException        when it does not exist
     * @throws IllegalArgumentException naming the object when it is larger
     */
    default byte[] config(S3Location location) throws IOException {
        byte[] content = readAtMost(location.bucket(), location.prefix(), MAX_CONFIG_BYTES);
        if (content.length > MAX_CONFIG_BYTES) {
            throw new IllegalArgumentException("s3://" + location.bucket() + "/" + location.prefix()
                    + " is larger than " + MAX_CONFIG_BYTES + " bytes, too large for a config");
        }
        return content;
    }
}
