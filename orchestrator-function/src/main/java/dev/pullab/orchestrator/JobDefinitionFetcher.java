package dev.pullab.orchestrator;

import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.LimitedBody;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.job.JobDefinitionSource;
import dev.pullab.core.job.JobRejection;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Optional;

/**
 * Downloads PULL_LABS job definitions: https only, hosts on the allow-list (the URL and every redirect target), at
 * most {@code maxBytes}; anything else
 * is a {@link JobRejection} naming the problem (the job is then finished as {@code incomplete}), never a crash.
 * Messages show the URL without its user info: they end up in the job node, which anyone can read.
 */
public final class JobDefinitionFetcher {

    private final RetryingHttp http;
    private final List<String> allowedHosts;
    private final int maxBytes;

    public JobDefinitionFetcher(RetryingHttp http, List<String> allowedHosts, long maxBytes) {
        this.http = http;
        this.allowedHosts = List.copyOf(allowedHosts);
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, maxBytes);
    }

    /** What the download gave: the definition's bytes, or why there are none. */
    public sealed interface Fetched {
        record Body(byte[] bytes) implements Fetched {
        }

        record Refused(JobRejection rejection) implements Fetched {
        }
    }

    public Fetched fetch(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return refused("job definition URL '" + JobDefinitionSource.shown(url) + "' is not a URL");
        }
        String shown = JobDefinitionSource.shown(uri);
        Optional<String> refusal = JobDefinitionSource.refuse(uri, allowedHosts);
        if (refusal.isPresent()) {
            return refused("job definition " + shown + " refused: " + refusal.get());
        }
        LimitedBody limited = new LimitedBody(maxBytes);
        byte[] body;
        try {
            // every redirect target passes the same policy as the URL itself
            body = http.send(HttpRequest.newBuilder(uri).GET().header("Accept", "application/json"), limited,
                    LimitedBody::text, target -> JobDefinitionSource.refuse(target, allowedHosts)).body();
        } catch (HttpCallException e) {
            return refused("job definition " + shown + " is unreachable: " + e.getMessage());
        }
        if (limited.exceeded(body)) {
            return refused("job definition " + shown + " is larger than " + maxBytes + " bytes");
        }
        return new Fetched.Body(body);
    }

    private static Fetched refused(String message) {
        return new Fetched.Refused(JobRejection.invalidParams(message));
    }
}
