package dev.pullab.core.benchmark;

import java.util.Objects;
import java.util.Optional;

/**
 * A benchmark file of a run together with its bytes, as fetched from a directory or a bucket, or the reason it was
 * not fetched (it is over a {@link ReadLimits read limit}): the reader then refuses it with that reason, as it
 * refuses a malformed file.
 *
 * @param file       where it sits in the run layout
 * @param content    the raw CSV bytes (empty when not read)
 * @param notRead    why the file was not read, e.g. {@code not read: 62914560 bytes is over the limit of 16 MiB per
 *                   file}; empty when it was
 */
public record RunFile(BenchmarkFile file, byte[] content, Optional<String> notRead) {

    public RunFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(notRead, "notRead");
    }

    /** A file that was read. */
    public RunFile(BenchmarkFile file, byte[] content) {
        this(file, content, Optional.empty());
    }

    /** A file that was not read, and why. */
    public static RunFile notRead(BenchmarkFile file, String reason) {
        return new RunFile(file, new byte[0], Optional.of(reason));
    }
}
