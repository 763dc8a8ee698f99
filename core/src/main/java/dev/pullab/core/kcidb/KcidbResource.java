package dev.pullab.core.kcidb;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named remote resource of KCIDB's schema (a test's {@code output_files} entry): a file name, usable as a local file
 * name (no {@code /}, no NUL, not empty), and the absolute URL that downloads it.
 */
public record KcidbResource(String name, URI url) {

    private static final Pattern NAME = Pattern.compile("^[^/\\x00]+$");

    public KcidbResource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("a KCIDB resource name must be a file name without '/' or NUL, got '"
                    + name + "'");
        }
        if (!url.isAbsolute()) {
            throw new IllegalArgumentException("the URL of resource " + name + " must be absolute: " + url);
        }
    }

    /** Whether KCIDB accepts this as a resource name: not empty, no {@code /}, no NUL. */
    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }
}
