package dev.pullab.core.log;

/**
 * Where the lab publishes the logs others may read: scrubbed copies of the VMs' logs under {@value #PREFIX} in the
 * results bucket, mirroring the raw key ({@code logs/<run>/test_<test>/output/<instance id>/<file>}). Only this
 * prefix is ever served to dashboard users (the stack's {@code publicLogs} option); raw outputs stay private, and the
 * VMs cannot write here, so nothing reaches it without going through {@link LogScrubber}.
 */
public final class PublishedLogs {

    /** The prefix of published (scrubbed) logs in the results bucket. */
    public static final String PREFIX = "logs/";

    /** The environment variable naming the https base URL under which {@value #PREFIX} is served, when it is. */
    public static final String BASE_URL_ENV = "PULLAB_LOGS_URL";

    private PublishedLogs() {
    }

    /** The key of the published copy of a raw output key. */
    public static String key(String rawKey) {
        if (rawKey.startsWith("/") || rawKey.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a raw output key: " + rawKey);
        }
        return PREFIX + rawKey;
    }
}
