package dev.pullab.core.run;

/**
 * A benchmark file of a run together with its bytes, as fetched from a directory or a bucket.
 *
 * @param file    where it sits in the run layout
 * @param content the raw CSV bytes
 */
public record RunFile(BenchmarkFile file, byte[] content) {
}
