package dev.pullab.core.benchmark;

/** Told after each benchmark file a {@link RunSource} has fetched, so long downloads show progress. */
@FunctionalInterface
public interface DownloadProgress {

    /** Says nothing. */
    DownloadProgress SILENT = (done, total, bytes) -> { };

    /**
     * @param filesDone  files fetched so far
     * @param filesTotal files to fetch
     * @param bytesDone  bytes fetched so far
     */
    void fetched(int filesDone, int filesTotal, long bytesDone);
}
