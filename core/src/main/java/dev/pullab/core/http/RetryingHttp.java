package dev.pullab.core.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
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
        this.client = HttpClient.newBuilder()
                .connectTimeout(policy.requestTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
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
        HttpRequest built = http11OnPlainHttp(request.timeout(policy.requestTimeout()).build());
        String what = service + " " + built.method() + " " + redact(built.uri());
        for (int attempt = 1; ; attempt++) {
            String failure;
            int status = 0;
            Throwable cause = null;
            try {
                HttpResponse<T> response = client.send(built, handler);
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

    /** 5xx and 429 are worth another try; other 4xx will answer the same again. */
    static boolean retryable(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    private static String hint(int status) {
        return status == 401 || status == 403 ? " (check the token: it is missing, wrong, expired or lacks rights)"
                : "";
    }

    /** A URI without user info (which may carry a token, e.g. {@code KCIDB_REST}). */
    public static String redact(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri.toString();
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "…" : oneLine;
    }
}
