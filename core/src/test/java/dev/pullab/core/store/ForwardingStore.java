package dev.pullab.core.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** An ObjectStore passing every call to another; tests override what they change. */
class ForwardingStore implements ObjectStore {

    private final ObjectStore delegate;

    ForwardingStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<StoredObject> list(String bucket, String prefix) {
        return delegate.list(bucket, prefix);
    }

    @Override
    public List<WrittenObject> listWritten(String bucket, String prefix) {
        return delegate.listWritten(bucket, prefix);
    }

    @Override
    public byte[] readTail(String bucket, String key, long maxBytes) throws IOException {
        return delegate.readTail(bucket, key, maxBytes);
    }

    @Override
    public byte[] readAtMost(String bucket, String key, long limit) throws IOException {
        return delegate.readAtMost(bucket, key, limit);
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType) {
        delegate.put(bucket, key, content, contentType);
    }

    @Override
    public void put(String bucket, String key, byte[] content, String contentType, String sha256) {
        delegate.put(bucket, key, content, contentType, sha256);
    }

    @Override
    public void copy(String sourceBucket, String sourceKey, String targetBucket, String targetKey) {
        delegate.copy(sourceBucket, sourceKey, targetBucket, targetKey);
    }

    @Override
    public void delete(String bucket, String key) {
        delegate.delete(bucket, key);
    }

    @Override
    public void putFile(String bucket, String key, Path file, String contentType, String sha256) {
        delegate.putFile(bucket, key, file, contentType, sha256);
    }

    @Override
    public Optional<String> recordedSha256(String bucket, String key) {
        return delegate.recordedSha256(bucket, key);
    }
}
