package dev.pullab.core.benchmark;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark CSV inside a run, located by the S3 layout the VM client writes:
 * {@code test_<name>/output/<instance_id>/benchmark-base*.csv} or {@code benchmark-tip*.csv}.
 *
 * @param test       the test name (the {@code test_} directory without its prefix)
 * @param instanceId the VM (or Fargate task) that wrote the file
 * @param role       base or tip kernel
 * @param location   where the file was read from, for messages (a path or an {@code s3://} URI)
 */
public record BenchmarkFile(String test, String instanceId, KernelRole role, String location) {

    private static final Pattern LAYOUT =
            Pattern.compile("^test_([^/]+)/output/([^/]+)/(?:.+/)?benchmark-(base|tip)[^/]*\\.csv$");

    public BenchmarkFile {
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(location, "location");
    }

    /**
     * Classifies a path relative to the run root ({@code /}-separated).
     *
     * @return the benchmark file it names, or empty for any other file of the run (logs, results, payloads)
     */
    public static Optional<BenchmarkFile> fromRunPath(String relativePath, String location) {
        Matcher m = LAYOUT.matcher(relativePath);
        if (!m.matches()) {
            return Optional.empty();
        }
        KernelRole role = "base".equals(m.group(3)) ? KernelRole.BASE : KernelRole.TIP;
        return Optional.of(new BenchmarkFile(m.group(1), m.group(2), role, location));
    }
}
