package dev.pullab.core.http;

import dev.pullab.core.url.UrlRedaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JDK {@link HttpClient} with the retry rule every pullab client shares: retry 5xx, 429 and timeouts or
 * connection failures with capped exponential backoff and jitter; never retry other 4xx. Credentials are the
 * caller's business (headers); they are never logged or put in exception messages.
 */
public final class RetryingHttp {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingHttp.class);
    private static final int BODY_EXCERPT = 300;

    /** The most redirects one request follows. */
    public static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie");

    private final String service;
    private final HttpClient client;
    private final RetryPolicy policy;
    private final Sleeper sleeper;

    /** Waits between attempts; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * @param service the remote's name for messages, e.g. {@code KernelCI API}
     */
    public RetryingHttp(String service, RetryPolicy policy, Sleeper sleeper) {
        this.service = Objects.requireNonNull(service, "service");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        // redirects are followed by send(), hop by hop, so that each target passes the caller's RedirectPolicy and
        // credentials never follow a redirect to another origin
        this.client = HttpClient.newBuilder()
                .connectTimeout(policy.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public RetryingHttp(String service, RetryPolicy policy) {
        this(service, policy, Sleeper.REAL);
    }

    /**
     * Sends the request (with the policy's per-attempt timeout) until it gets a 2xx, a non-retryable answer, or runs
     * out of attempts.
     *
     * @return the 2xx response
     * @throws HttpCallException otherwise
     */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), body -> body);
    }

    /**
     * Like {@link #send(HttpRequest.Builder)} with another body type; {@code text} renders a body for messages.
     */
    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            java.util.function.Function<T, String> text) {
        return send(request, handler, text, RedirectPolicy.ANY);
    }

    /**
     * Like {@link #send(HttpRequest.Builder, HttpResponse.BodyHandler, java.util.function.Function)}, following at
     * most {@value #MAX_REDIRECTS} redirects, each only where {@code redirects} allows it. Credential headers
     * ({@code Authorization}, {@code Cookie}) are dropped on a hop to another origin (scheme, host or port).
     */
    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            java.util.function.Function<T, String> text, RedirectPolicy redirects) {
        HttpRequest built = http11OnPlainHttp(request.timeout(policy.requestTimeout()).build());
        String what = service + " " + built.method() + " " + redact(built.uri());
        for (int attempt = 1; ; attempt++) {
            String failure;
            int status = 0;
            Throwable cause = null;
            try {
                HttpResponse<T> response = followed(built, handler, redirects, what);
                status = response.statusCode();
                if (status / 100 == 2) {
                    return response;
                }
                failure = "HTTP " + status + ": " + excerpt(text.apply(response.body()));
                if (!retryable(status)) {
                    throw new HttpCallException(what + " failed: " + failure + hint(status), status, null);
                }
            } catch (HttpTimeoutException e) {
                failure = "timed out after " + policy.requestTimeout().toSeconds() + " s";
                cause = e;
            } catch (IOException e) {
                failure = "cannot connect: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage());
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HttpCallException(what + " interrupted", 0, e);
            }
            if (attempt >= policy.maxAttempts()) {
                throw new HttpCallException(what + " failed after " + attempt + " attempts: " + failure, status,
                        cause);
            }
            Duration wait = policy.backoff(attempt, () -> ThreadLocalRandom.current().nextDouble());
            LOG.warn("{} attempt {}/{} failed ({}); retrying in {} ms", what, attempt, policy.maxAttempts(), failure,
                    wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HttpCallException(what + " interrupted", status, e);
            }
        }
    }

    /**
     * HTTP/1.1 for plain {@code http://}: with no version set, the JDK client sends {@code Upgrade: h2c} on every
     * plain request, and uvicorn's default parser (httptools, what kernelci-api runs) answers it by passing the
     * request on without its body (PATCH/PUT get {@code 422 body Field required}, the next request on the connection
     * {@code 400 Invalid HTTP request}). Over TLS, HTTP/2 is still used where ALPN negotiates it.
     */
    static HttpRequest http11OnPlainHttp(HttpRequest request) {
        if (!"http".equalsIgnoreCase(request.uri().getScheme()) || request.version().isPresent()) {
            return request;
        }
        return HttpRequest.newBuilder(request, (name, value) -> true).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Sends {@code request} and follows its redirects, each checked; the first answer that is not a redirect. */
    private <T> HttpResponse<T> followed(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            RedirectPolicy redirects, String what) throws IOException, InterruptedException {
        HttpRequest current = request;
        for (int hops = 0; ; hops++) {
            HttpResponse<T> response = client.send(current, handler);
            Optional<String> location = response.headers().firstValue("Location");
            if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty()) {
                return response;
            }
            URI target;
            try {
                target = current.uri().resolve(location.get().strip());
            } catch (IllegalArgumentException e) {
                throw new HttpCallException(what + " was redirected to a Location that is not a URL", 0, null);
            }
            if (hops >= MAX_REDIRECTS) {
                throw new HttpCallException(what + " was redirected more than " + MAX_REDIRECTS + " times", 0, null);
            }
            if (!"https".equalsIgnoreCase(target.getScheme()) && !"http".equalsIgnoreCase(target.getScheme())) {
                throw new HttpCallException(what + " was redirected to " + redact(target) + ": refused, not http(s)",
                        0, null);
            }
            Optional<String> refusal = redirects.refusal(target);
            if (refusal.isPresent()) {
                throw new HttpCallException(what + " was redirected to " + redact(target) + ": refused, "
                        + refusal.get(), 0, null);
            }
            current = redirected(current, target, response.statusCode());
        }
    }

    /** The request for the next hop: same method and body (GET after 303), no credentials to another origin. */
    static HttpRequest redirected(HttpRequest request, URI target, int status) {
        boolean crossOrigin = !sameOrigin(request.uri(), target);
        HttpRequest.Builder next = HttpRequest.newBuilder(request,
                (name, value) -> !(crossOrigin && CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))))
                .uri(target)
                // each hop's own scheme decides, as for a first request (see http11OnPlainHttp)
                .version("https".equalsIgnoreCase(target.getScheme()) ? HttpClient.Version.HTTP_2
                        : HttpClient.Version.HTTP_1_1);
        if (status == 303) {
            next.GET();
        }
        return next.build();
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** 5xx and 429 are worth another try; other 4xx will answer the same again. */
    static boolean retryable(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    private static String hint(int status) {
        return status == 401 || status == 403 ? " (check the token: it is missing, wrong, expired or lacks rights)"
                : "";
    }

    /** A URI with its user info (which may carry a token, e.g. {@code KCIDB_REST}) replaced ({@link UrlRedaction}). */
    public static String redact(URI uri) {
        return UrlRedaction.shown(uri);
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "…" : oneLine;
    }
}
