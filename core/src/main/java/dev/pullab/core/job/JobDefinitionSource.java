package dev.pullab.core.job;

import dev.pullab.core.url.UrlRedaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a job definition may be downloaded from, and how large it may be (policy only: the orchestrator does the
 * HTTP download, checking {@link #refuse(URI, List)} before and {@link #tooLarge(long, long)} while reading; see
 * {@link LabConfig.JobDefinitionPolicy}).
 *
 * <p>A URL is accepted when it is {@code https}, carries no user info and its host is on the allow-list. Hosts compare
 * case-insensitively and ignore one trailing dot; an entry {@code *.example.org} matches every subdomain of
 * {@code example.org} (not {@code example.org} itself). Plain {@code http} is refused unless the list names that
 * very host with its scheme, {@code http://127.0.0.1}: an explicit opt-in for local runs and tests against a server
 * on loopback (production lists host names only).
 */
public final class JobDefinitionSource {

    private JobDefinitionSource() {
    }

    /**
     * Why the job definition at {@code url} must not be downloaded, or empty when it may be.
     *
     * @param url          the ticket's {@code jobDefinition}
     * @param allowedHosts host names and {@code *.domain} entries
     */
    public static Optional<String> refuse(URI url, List<String> allowedHosts) {
        Objects.requireNonNull(allowedHosts, "allowedHosts");
        if (url == null) {
            return Optional.of("the job has no job definition URL");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && plainHttpAllowed(url, allowedHosts))) {
            return Optional.of("job definition URL must be https: " + shown(url));
        }
        if (url.getRawUserInfo() != null) {
            return Optional.of("job definition URL must not carry user info: " + shown(url));
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            return Optional.of("job definition URL has no host: " + shown(url));
        }
        String host = normalHost(url.getHost());
        boolean allowed = allowedHosts.stream().filter(Objects::nonNull).map(JobDefinitionSource::withoutScheme)
                .map(JobDefinitionSource::normalHost)
                .filter(entry -> !entry.isEmpty()).anyMatch(entry -> matches(host, entry));
        return allowed ? Optional.empty()
                : Optional.of("job definition host '" + host + "' is not allowed (allowed: "
                        + String.join(", ", allowedHosts) + ")");
    }

    /**
     * Plain http is refused unless the allow-list names the host with its scheme ({@code http://127.0.0.1}): an
     * explicit opt-in for local runs and tests against a server on loopback; production lists host names only.
     */
    private static boolean plainHttpAllowed(URI url, List<String> allowedHosts) {
        String host = url.getHost() == null ? "" : normalHost(url.getHost());
        return allowedHosts.stream().filter(Objects::nonNull)
                .filter(entry -> entry.toLowerCase(Locale.ROOT).startsWith("http://"))
                .anyMatch(entry -> normalHost(withoutScheme(entry)).equals(host));
    }

    private static String withoutScheme(String entry) {
        return entry.toLowerCase(Locale.ROOT).startsWith("http://") ? entry.substring("http://".length()) : entry;
    }

    /** As {@link #refuse(URI, List)} for the URL as the ticket carries it; a malformed URL is refused. */
    public static Optional<String> refuse(String url, List<String> allowedHosts) {
        if (url == null || url.isBlank()) {
            return refuse((URI) null, allowedHosts);
        }
        try {
            return refuse(new URI(url.trim()), allowedHosts);
        } catch (URISyntaxException e) {
            return Optional.of("job definition URL is malformed: " + e.getMessage());
        }
    }

    /** Why a definition of {@code bytes} bytes (so far) is refused, or empty when it is within {@code maxBytes}. */
    public static Optional<String> tooLarge(long bytes, long maxBytes) {
        return bytes > maxBytes
                ? Optional.of("job definition is larger than " + maxBytes + " bytes (read " + bytes + ")")
                : Optional.empty();
    }

    private static boolean matches(String host, String entry) {
        if (entry.startsWith("*.")) {
            String suffix = entry.substring(1);
            return host.endsWith(suffix) && host.length() > suffix.length();
        }
        return host.equals(entry);
    }

    private static String normalHost(String host) {
        String lower = host.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The URL for messages: its user info (credentials) replaced, everything else as given ({@link UrlRedaction}). */
    public static String shown(URI url) {
        return UrlRedaction.shown(url);
    }

    /** {@link #shown(URI)} for a URL that may not even parse. */
    public static String shown(String url) {
        return UrlRedaction.shown(url);
    }
}
