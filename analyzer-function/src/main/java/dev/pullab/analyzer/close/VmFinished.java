package dev.pullab.analyzer.close;

import dev.pullab.core.run.Uploader;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code result.txt} written by the VM client: one VM (or task) of a run has finished.
 *
 * @param bucket     results bucket
 * @param runPrefix  the run, e.g. {@code run_pulllab-6825…-1a2b3c4d_20260520_101530}
 * @param test       the test the VM ran
 * @param instanceId the VM
 * @param uploader   who wrote the {@code result.txt}, when the notification names it
 */
public record VmFinished(String bucket, String runPrefix, String test, String instanceId, Optional<Uploader> uploader) {

    private static final Pattern RESULT = Pattern.compile("^(.+?)/test_([^/]+)/output/([^/]+)/result\\.txt$");

    /** The VM's key in the run's progress: {@code <test>/<instance id>}. */
    public String vm() {
        return test + "/" + instanceId;
    }

    /** The VM a key belongs to, when the key is a {@code result.txt} of the run layout. */
    public static Optional<VmFinished> fromKey(String bucket, String key) {
        return fromKey(bucket, key, Optional.empty());
    }

    /** The VM a key belongs to, and who wrote it, when the key is a {@code result.txt} of the run layout. */
    public static Optional<VmFinished> fromKey(String bucket, String key, Optional<Uploader> uploader) {
        Matcher m = RESULT.matcher(key);
        return m.matches() ? Optional.of(new VmFinished(bucket, m.group(1), m.group(2), m.group(3), uploader))
                : Optional.empty();
    }
}
