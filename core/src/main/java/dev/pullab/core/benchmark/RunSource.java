package dev.pullab.core.benchmark;

import java.util.List;

/** Where a run's results live: a local directory or an S3 prefix with the layout the VM client writes. */
public interface RunSource {

    /**
     * Fetches every {@code test_<name>/output/<instance_id>/benchmark-(base|tip)*.csv} of the run.
     *
     * @throws InvalidInputException when the location does not exist or cannot be read
     */
    List<RunFile> benchmarkFiles(DownloadProgress progress);

    /** The location, for messages: a path or an {@code s3://bucket/prefix} URI. */
    String location();
}
