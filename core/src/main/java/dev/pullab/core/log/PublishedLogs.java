package dev.pullab.core.log;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

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

    /**
     * The public link of the published copy of a raw key under a base URL that serves {@value #PREFIX}:
     * {@code base + "/" + rawKey}, each path segment URL-encoded (a space is {@code %20}), e.g. base
     * {@code https://logs.example.org} and raw key {@code run_1/test_boot/output/i-1/run-1-output.log} give
     * {@code https://logs.example.org/run_1/test_boot/output/i-1/run-1-output.log}.
     *
     * @param base the https base URL ({@value #BASE_URL_ENV}), without query or fragment; a trailing slash is ignored
     */
    public static URI url(URI base, String rawKey) {
        key(rawKey);
        String text = base.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text + "/" + encodePath(rawKey));
    }

    /** A key's path segments URL-encoded one by one, the slashes between them kept. */
    public static String encodePath(String key) {
        StringBuilder path = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (path.length() > 0 || key.startsWith("/")) {
                path.append('/');
            }
            path.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path.toString();
    }
}
