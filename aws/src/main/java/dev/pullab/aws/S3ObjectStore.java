package dev.pullab.aws;

import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.store.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on S3, with one S3 client it does not own. {@link #putFile} records the SHA-256 as the user
 * metadata {@value #SHA256_METADATA} ({@code x-amz-meta-sha256}), which stays right whatever the bucket's encryption
 * (an ETag is an MD5 only for single-part uploads without SSE-KMS).
 */
public final class S3ObjectStore implements ObjectStore {

    /** User metadata name of the SHA-256 {@link #putFile} records. */
    static final String SHA256_METADATA = "sha256";
    /** The slowest upload a streamed {@link #putFile} waits for before giving up an attempt. */
    static final long MIN_UPLOAD_BYTES_PER_SECOND = 256 * 1024;

    private final S3Client s3;
    private final Integer pageSize;

    public S3ObjectStore(S3Client s3) {
        this(s3, null);
    }

    /** For tests: lists with pages of {@code pageSize} keys (null: the service's default, 1000). */
    public S3ObjectStore(S3Client s3, Integer pageSize) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.pageSize = pageSize;
    }

    @Override
    public List<StoredObject> list(String bucket, String prefix) {
        List<StoredObject> objects = new ArrayList<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).maxKeys(pageSize)
                .build();
        for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
            objects.add(new StoredObject(object.key(), object.size() == null ? 0 : object.size()));
        }
        objects.sort(Comparator.comparing(StoredObject::key));
        return objects;
    }

    @Override
    public List<WrittenObject> listWritten(String bucket, String prefix) {
        List<WrittenObject> objects = new ArrayList<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).maxKeys(pageSize)
                .build();
        for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
            objects.add(new WrittenObject(object.key(), object.size() == null ? 0 : object.size(),
                    object.lastModified()));
        }
        objects.sort(Comparator.comparing(WrittenObject::key));
        return objects;
    }

    @Override
    public byte[] readTail(String bucket, String key, long maxBytes) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("a tail of at least one byte, got " + maxBytes);
        }
        try {
            byte[] tail = readAtMost(s3, GetObjectRequest.builder().bucket(bucket).key(key)
                    .range("bytes=-" + maxBytes).build(), maxBytes);
            if (tail.length > maxBytes) { // only a store that ignores the range sends more
                throw new IOException("s3://" + bucket + "/" + key + ": the store ignored the range bytes=-"
                        + maxBytes + " and sent more");
            }
            return tail;
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new NotFoundException(e.getMessage(), e);
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 416) { // an empty object has no last byte
                return new byte[0];
            }
            throw e;
        }
    }

    @Override
    public byte[] readAtMost(String bucket, String key, long limit) throws IOException {
        try {
            return readAtMost(s3, GetObjectRequest.builder().bucket(bucket).key(key).build(), limit);
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new NotFoundException(e.getMessage(), e); // S3's words, as operators know them
        }
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(content));
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType, String sha256) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(Map.of(SHA256_METADATA, sha256)),
                RequestBody.fromBytes(content));
    }

    @Override
    public void copy(String sourceBucket, String sourceKey, String targetBucket, String targetKey) {
        s3.copyObject(b -> b.sourceBucket(sourceBucket).sourceKey(sourceKey)
                .destinationBucket(targetBucket).destinationKey(targetKey));
    }

    @Override
    public void delete(String bucket, String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public void putFile(String bucket, String key, Path file, String contentType, String sha256) {
        requireRegularFile(bucket, key, file);
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(Map.of(SHA256_METADATA, sha256)),
                RequestBody.fromFile(file));
    }

    /**
     * Streams the file from disk in one PUT (S3 takes up to 5 GiB in one; kernel RPMs are 50-150 MB), counting the
     * bytes read by the SDK as it sends them. The SDK checksums the body on the way, so a corrupted transfer fails.
     */
    @Override
    public void putFile(String bucket, String key, Path file, String contentType, String sha256,
            LongConsumer sent) {
        requireRegularFile(bucket, key, file);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        ContentStreamProvider content = () -> {
            try {
                return new CountingInputStream(Files.newInputStream(file), sent);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        };
        // the clients' 60 s per attempt would cut a 150 MB kernel RPM on a slow link: allow 256 KiB/s
        java.time.Duration attempt = java.time.Duration.ofSeconds(Math.max(60, size / MIN_UPLOAD_BYTES_PER_SECOND));
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(Map.of(SHA256_METADATA, sha256))
                        .overrideConfiguration(o -> o.apiCallAttemptTimeout(attempt)
                                .apiCallTimeout(attempt.multipliedBy(3))),
                RequestBody.fromContentProvider(content, size, contentType));
    }

    private static void requireRegularFile(String bucket, String key, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new java.nio.file.NoSuchFileException(file.toString(), null,
                    "not a regular file, cannot upload it to s3://" + bucket + "/" + key));
        }
    }

    /** Tells how many bytes were read so far, after each read. */
    private static final class CountingInputStream extends FilterInputStream {
        private final LongConsumer sent;
        private long count;

        CountingInputStream(InputStream in, LongConsumer sent) {
            super(in);
            this.sent = sent;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                sent.accept(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
                sent.accept(count);
            }
            return n;
        }
    }

    @Override
    public Optional<String> recordedSha256(String bucket, String key) {
        try {
            return Optional.ofNullable(s3.headObject(b -> b.bucket(bucket).key(key)).metadata().get(SHA256_METADATA));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /**
     * Streams the object and keeps at most {@code limit + 1} bytes: a result longer than {@code limit} means the
     * object is over the limit. The rest of a larger object is not downloaded (the connection is aborted).
     */
    static byte[] readAtMost(S3Client s3, GetObjectRequest request, long limit) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request)) {
            byte[] content = ReadLimits.readAtMost(in, limit);
            if (content.length > limit) {
                in.abort();
            }
            return content;
        }
    }
}
