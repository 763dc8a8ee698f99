package dev.pullab.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Puts local files under a prefix of a bucket, writing only what changed: a file is uploaded unless the object at its
 * key has the same size and the same SHA-256 recorded by an earlier upload ({@link ObjectStore#putFile}). Optionally
 * removes the objects under the prefix that are not among the files, so that the prefix ends up holding exactly them
 * (a test directory: a stage deleted locally must not keep running from the bucket).
 *
 * <p>Used by {@code pullab upload-tests}; meant for any upload of local files to the storage bucket. Not atomic: a
 * reader of the prefix during the upload may see old and new files together. Stateless apart from its store.
 */
public final class StorageUploader {

    /** What became of one file or stale object. */
    public enum Outcome {
        /** Written. */
        UPLOADED,
        /** Already there with the same content. */
        UNCHANGED,
        /** Would be written (dry run). */
        WOULD_UPLOAD,
        /** Deleted: under the prefix but not among the files. */
        REMOVED,
        /** Would be deleted (dry run). */
        WOULD_REMOVE;

        /** Lower case with spaces, for output lines. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** Told after each file or stale object, with its running count ({@code done} of {@code total}). */
    @FunctionalInterface
    public interface Progress {
        Progress SILENT = (done, total, key, outcome) -> { };

        void step(int done, int total, String key, Outcome outcome);
    }

    /** Told, as a file is written, how many of its bytes have been sent so far (for the progress of large files). */
    @FunctionalInterface
    public interface Transfer {
        Transfer NONE = (key, sent, size) -> { };

        void sent(String key, long sent, long size);
    }

    /** An object read back after its upload is not what was written: its size or its recorded SHA-256 differs. */
    public static final class NotVerifiedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotVerifiedException(String message) {
            super(message);
        }
    }

    /**
     * What an upload did (or, in a dry run, would do).
     *
     * @param uploaded  files written
     * @param unchanged files already there
     * @param removed   stale objects deleted
     * @param bytes     bytes written
     */
    public record Summary(int uploaded, int unchanged, int removed, long bytes) {

        /** Whether anything was (or would be) written or deleted. */
        public boolean changed() {
            return uploaded > 0 || removed > 0;
        }
    }

    private final ObjectStore objects;

    public StorageUploader(ObjectStore objects) {
        this.objects = Objects.requireNonNull(objects, "objects");
    }

    /**
     * Uploads {@code files} under {@code prefix} of {@code bucket}.
     *
     * @param prefix the key prefix, ending with {@code /} (e.g. {@code tests/my-test/})
     * @param files  key relative to {@code prefix} → local regular file
     * @param prune  whether to delete the objects under {@code prefix} that are not among {@code files}
     * @param dryRun whether to only read the bucket and tell what would be done
     * @throws UncheckedIOException when a file cannot be read
     * @throws NotVerifiedException when an object read back after its upload differs from its file
     */
    public Summary upload(String bucket, String prefix, SortedMap<String, Path> files, boolean prune, boolean dryRun,
            Progress progress) {
        return upload(bucket, prefix, files, prune, dryRun, progress, Transfer.NONE);
    }

    /**
     * {@link #upload(String, String, SortedMap, boolean, boolean, Progress)}, telling {@code transfer} the bytes sent
     * of each file as it is written. Each written object is read back (its size and recorded SHA-256) before the next
     * file.
     */
    public Summary upload(String bucket, String prefix, SortedMap<String, Path> files, boolean prune, boolean dryRun,
            Progress progress, Transfer transfer) {
        Objects.requireNonNull(bucket, "bucket");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix '" + prefix + "' must end with '/'");
        }
        Map<String, Long> present = new LinkedHashMap<>();
        for (ObjectStore.StoredObject object : objects.list(bucket, prefix)) {
            present.put(object.key(), object.size());
        }
        Map<String, Long> stale = new LinkedHashMap<>(prune ? present : Map.of());
        files.keySet().forEach(relative -> stale.remove(prefix + relative));
        int total = files.size() + stale.size();
        int done = 0;
        int uploaded = 0;
        int unchanged = 0;
        long bytes = 0;
        for (Map.Entry<String, Path> file : files.entrySet()) {
            String key = prefix + file.getKey();
            long size = size(file.getValue());
            String sha256 = sha256(file.getValue());
            boolean same = Objects.equals(present.get(key), size)
                    && objects.recordedSha256(bucket, key).equals(Optional.of(sha256));
            Outcome outcome;
            if (same) {
                outcome = Outcome.UNCHANGED;
                unchanged++;
            } else {
                if (!dryRun) {
                    objects.putFile(bucket, key, file.getValue(), contentType(key), sha256,
                            sent -> transfer.sent(key, sent, size));
                    verify(bucket, key, size, sha256);
                }
                outcome = dryRun ? Outcome.WOULD_UPLOAD : Outcome.UPLOADED;
                uploaded++;
                bytes += size;
            }
            progress.step(++done, total, key, outcome);
        }
        for (String key : stale.keySet()) {
            if (!dryRun) {
                objects.delete(bucket, key);
            }
            progress.step(++done, total, key, dryRun ? Outcome.WOULD_REMOVE : Outcome.REMOVED);
        }
        return new Summary(uploaded, unchanged, stale.size(), bytes);
    }

    /** Reads the object back: its listed size and its recorded SHA-256 must be the file's. */
    private void verify(String bucket, String key, long size, String sha256) {
        Optional<String> recorded = objects.recordedSha256(bucket, key);
        Optional<Long> stored = objects.list(bucket, key).stream().filter(o -> o.key().equals(key))
                .map(ObjectStore.StoredObject::size).findFirst();
        if (!stored.equals(Optional.of(size)) || !recorded.equals(Optional.of(sha256))) {
            throw new NotVerifiedException("s3://" + bucket + "/" + key + " read back after its upload is "
                    + stored.map(n -> n + " bytes").orElse("missing") + " with SHA-256 "
                    + recorded.orElse("(none recorded)") + ", not " + size + " bytes with SHA-256 " + sha256
                    + ": upload it again");
        }
    }

    /** The SHA-256 of a file, lower-case hex, streamed. */
    public static String sha256(Path file) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** A content type from the key's extension: shell scripts, JSON, text, RPMs; else binary. */
    static String contentType(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        if (name.endsWith(".sh")) {
            return "text/x-shellscript";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".txt") || name.endsWith(".md") || name.endsWith(".conf") || name.endsWith(".csv")) {
            return "text/plain";
        }
        if (name.endsWith(".rpm")) {
            return "application/x-rpm";
        }
        return "application/octet-stream";
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
