package dev.pullab.core.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A run's place in S3: {@code s3://bucket/run_prefix}.
 *
 * <p>The prefix is stored without leading or trailing slashes and may be empty (a run at the bucket's root).
 *
 * @param bucket the bucket name
 * @param prefix the run prefix, e.g. {@code run_20250101_abc}; {@code ""} for the bucket's root
 */
public record S3Location(String bucket, String prefix) {

    private static final String SCHEME = "s3://";
    /** Lenient on purpose: also accepts legacy us-east-1 names with capitals or underscores. */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,254}");

    /** Normalises the prefix (surrounding slashes removed) and checks the bucket name. */
    public S3Location {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("invalid S3 bucket name '" + bucket + "'");
        }
        prefix = trimSlashes(prefix);
    }

    /**
     * Parses {@code s3://bucket/run_prefix} ({@code s3://bucket} and trailing slashes accepted).
     *
     * @throws IllegalArgumentException when the text is not an {@code s3://} URI with a bucket
     */
    public static S3Location parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        String text = uri.trim();
        if (!text.startsWith(SCHEME)) {
            throw new IllegalArgumentException("not an S3 URI: '" + uri + "' (expected s3://bucket/run_prefix)");
        }
        String rest = text.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("no bucket in S3 URI '" + uri + "' (expected s3://bucket/run_prefix)");
        }
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("invalid S3 bucket name '" + bucket + "' in '" + uri + "'");
        }
        return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    /** The key of a path relative to the run, e.g. {@code key("analysis/report.json")}. */
    public String key(String relativePath) {
        String relative = trimSlashes(relativePath);
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** What every key of the run starts with: {@code prefix + "/"}, or {@code ""} at the bucket's root. */
    public String keyPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /** The {@code s3://} URI of a key of this bucket. */
    public String uriOf(String key) {
        return SCHEME + bucket + "/" + key;
    }

    /** {@code s3://bucket/prefix}, or {@code s3://bucket} for the root. */
    @Override
    public String toString() {
        return prefix.isEmpty() ? SCHEME + bucket : SCHEME + bucket + "/" + prefix;
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
