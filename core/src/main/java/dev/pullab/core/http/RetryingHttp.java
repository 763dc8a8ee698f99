package dev.pullab.core.http;

import dev.pullab.core.url.UrlRedaction;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
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

    /** The header naming an attempt's number within one call (1 for the first). */
    public static final String ATTEMPT_HEADER = "Pullab-Attempt";
    /** The cap of {@link #send(HttpRequest.Builder)}: 1 MiB. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

    /** The most redirects one request follows. */
    public static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie");

    private final String service;
    private final HttpClient client;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Clock clock;

    /**
     * The backoff's jitter, from a {@code SecureRandom} made for the draw (only before a wait): not
     * {@code ThreadLocalRandom}, whose state a SnapStart snapshot would give every restored environment alike, so that
     * they would all retry in step. Linux's NativePRNG mixes {@code /dev/urandom} into every draw.
     */
    private static double jitter() {
        return new SecureRandom().nextDouble();
    }

    /** Waits between attempts; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * @param service the remote's name for messages, e.g. {@code KernelCI API}
     * @param clock   what the deadlines and {@code Retry-After} dates are measured with
     */
    public RetryingHttp(String service, RetryPolicy policy, Sleeper sleeper, Clock clock) {
        this.service = Objects.requireNonNull(service, "service");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.clock = Objects.requireNonNull(clock, "clock");
        // redirects are followed by send(), hop by hop, so that each target passes the caller's RedirectPolicy and
        // credentials never follow a redirect to another origin
        this.client = HttpClient.newBuilder()
                .connectTimeout(policy.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public RetryingHttp(String service, RetryPolicy policy, Sleeper sleeper) {
        this(service, policy, sleeper, Clock.systemUTC());
    }

    public RetryingHttp(String service, RetryPolicy policy) {
        this(service, policy, Sleeper.REAL);
    }

    /**
     * Sends the request until it gets a 2xx, a non-retryable answer, or runs out of attempts or time, reading at
     * most {@value #DEFAULT_MAX_BYTES} bytes of the answer.
     *
     * @return the 2xx response
     * @throws HttpCallException otherwise
     */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, DEFAULT_MAX_BYTES);
    }

    /**
     * Like {@link #send(HttpRequest.Builder)}, reading at most {@code maxBytes} bytes of any answer (UTF-8): a 2xx
     * answer larger than that is a {@link HttpCallException.Failure#TOO_LARGE} failure, never retried (the same
     * resource would be as large again).
     */
    public HttpResponse<String> send(HttpRequest.Builder request, int maxBytes) {
        LimitedBody limited = new LimitedBody(maxBytes);
        HttpResponse<byte[]> response = send(request, limited, LimitedBody::text);
        if (limited.exceeded(response.body())) {
            throw new HttpCallException(service + " answer from " + redact(response.request().uri())
                    + " larger than " + maxBytes + " bytes", HttpCallException.Failure.TOO_LARGE,
                    response.statusCode(), null);
        }
        return new TextResponse(response, new String(response.body(), StandardCharsets.UTF_8));
    }

    /**
     * Like {@link #send(HttpRequest.Builder)} with another body type; {@code text} renders a body for messages. The
     * handler decides how much of a body is read: pass a {@link LimitedBody}.
     */
    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            Function<T, String> text) {
        return send(request, handler, text, RedirectPolicy.ANY);
    }

    /**
     * Like {@link #send(HttpRequest.Builder, HttpResponse.BodyHandler, Function)}, following at most
     * {@value #MAX_REDIRECTS} redirects, each only where {@code redirects} allows it. Credential headers
     * ({@code Authorization}, {@code Cookie}) are dropped on a hop to another origin (scheme, host or port).
     *
     * <p>Each attempt (its redirects and the whole body included) ends by {@link RetryPolicy#requestTimeout()}, the
     * call by {@link RetryPolicy#overallDeadline()}. A 429 or 503 with {@code Retry-After} (seconds or an HTTP date)
     * sets the next wait, capped by {@link RetryPolicy#maxBackoff()}. An {@link Error} (e.g. out of memory) is never
     * a network failure: it propagates as it is.
     */
    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            Function<T, String> text, RedirectPolicy redirects) {
        HttpRequest built = http11OnPlainHttp(request.timeout(policy.requestTimeout()).build());
        String what = service + " " + built.method() + " " + redact(built.uri());
        Instant callDeadline = clock.instant().plus(policy.overallDeadline());
        for (int attempt = 1; ; attempt++) {
            String failure;
            HttpCallException.Failure kind;
            int status = 0;
            Throwable cause = null;
            Optional<Duration> asked = Optional.empty();
            Instant attemptStart = clock.instant();
            Instant attemptDeadline = earlier(attemptStart.plus(policy.requestTimeout()), callDeadline);
            try {
                HttpResponse<T> response = followed(numbered(built, attempt), handler, redirects, what,
                        attemptDeadline);
                status = response.statusCode();
                if (status / 100 == 2) {
                    return response;
                }
                failure = "HTTP " + status + ": " + excerpt(text.apply(response.body()));
                kind = HttpCallException.Failure.ANSWER;
                if (!retryable(status)) {
                    throw new HttpCallException(what + " failed: " + failure + hint(status), kind, status, null);
                }
                asked = retryAfter(response);
            } catch (HttpTimeoutException e) {
                failure = "timed out: no complete answer within " + (attemptDeadline.equals(callDeadline)
                        ? "the overall deadline of " + seconds(policy.overallDeadline())
                        : seconds(policy.requestTimeout()) + " (the deadline of one attempt, the whole body included)");
                kind = HttpCallException.Failure.TIMEOUT;
                cause = e;
            } catch (IOException e) {
                failure = (e instanceof ConnectException ? "cannot connect: " : "network error: ")
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
                kind = HttpCallException.Failure.NETWORK;
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HttpCallException(what + " interrupted", HttpCallException.Failure.INTERRUPTED, 0, e);
            }
            if (attempt >= policy.maxAttempts()) {
                throw new HttpCallException(what + " failed after " + attempt + " attempts: " + failure, kind, status,
                        cause);
            }
            int done = attempt;
            Duration wait = asked.map(policy::serverAskedWait)
                    .orElseGet(() -> policy.backoff(done, RetryingHttp::jitter));
            if (!clock.instant().plus(wait).isBefore(callDeadline)) {
                throw new HttpCallException(what + " failed after " + attempt + " attempts: " + failure
                        + "; timed out: no time left for another attempt within the overall deadline of "
                        + seconds(policy.overallDeadline()), HttpCallException.Failure.TIMEOUT, status, cause);
            }
            LOG.warn("{} attempt {}/{} failed ({}); retrying in {} ms{}", what, attempt, policy.maxAttempts(), failure,
                    wait.toMillis(), asked.isPresent() ? " (Retry-After)" : "");
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HttpCallException(what + " interrupted", HttpCallException.Failure.INTERRUPTED, status, e);
            }
        }
    }

    /**
     * The wait a 429 or 503 answer asks for with {@code Retry-After}: delay-seconds or an HTTP date (RFC 9110
     * 10.2.3); empty for other answers, a missing or unreadable header.
     */
    Optional<Duration> retryAfter(HttpResponse<?> response) {
        if (response.statusCode() != 429 && response.statusCode() != 503) {
            return Optional.empty();
        }
        Optional<String> header = response.headers().firstValue("Retry-After").map(String::strip);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        if (value.matches("[0-9]{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration until = Duration.between(clock.instant(), at);
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            LOG.warn("{} sent an unreadable Retry-After '{}'; using the backoff", service, excerpt(value));
            return Optional.empty();
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
            RedirectPolicy redirects, String what, Instant deadline) throws IOException, InterruptedException {
        HttpRequest current = request;
        for (int hops = 0; ; hops++) {
            HttpResponse<T> response = await(client.sendAsync(current, handler), deadline);
            Optional<String> location = response.headers().firstValue("Location");
            if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty()) {
                return response;
            }
            URI target;
            try {
                target = current.uri().resolve(location.get().strip());
            } catch (IllegalArgumentException e) {
                throw new HttpCallException(what + " was redirected to a Location that is not a URL",
                        HttpCallException.Failure.REFUSED, 0, null);
            }
            if (hops >= MAX_REDIRECTS) {
                throw new HttpCallException(what + " was redirected more than " + MAX_REDIRECTS + " times",
                        HttpCallException.Failure.REFUSED, 0, null);
            }
            if (!"https".equalsIgnoreCase(target.getScheme()) && !"http".equalsIgnoreCase(target.getScheme())) {
                throw new HttpCallException(what + " was redirected to " + redact(target) + ": refused, not http(s)",
                        HttpCallException.Failure.REFUSED, 0, null);
            }
            Optional<String> refusal = redirects.refusal(target);
            if (refusal.isPresent()) {
                throw new HttpCallException(what + " was redirected to " + redact(target) + ": refused, "
                        + refusal.get(), HttpCallException.Failure.REFUSED, 0, null);
            }
            current = redirected(current, target, response.statusCode());
        }
    }

    /**
     * The answer, body included, if it is complete by {@code deadline}; otherwise the exchange is cancelled and an
     * {@link HttpTimeoutException} thrown. The JDK client wraps whatever broke in an {@link IOException}; an
     * {@link Error} anywhere in that chain is thrown as it is.
     */
    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> exchange, Instant deadline)
            throws IOException, InterruptedException {
        long left = Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
        try {
            return exchange.get(left, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new HttpTimeoutException("no complete answer by the deadline");
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            rethrowError(cause);
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }

    private static void rethrowError(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error error) {
                throw error;
            }
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

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "…" : oneLine;
    }

    /**
     * The request of one attempt, carrying its number ({@value #ATTEMPT_HEADER}: 1 for the first, 2 for its first
     * retry, …), so that a server's log tells a transport retry from a new request.
     */
    private static HttpRequest numbered(HttpRequest request, int attempt) {
        return HttpRequest.newBuilder(request, (name, value) -> true)
                .setHeader(ATTEMPT_HEADER, Integer.toString(attempt)).build();
    }

    /** A byte answer as text, for the callers of {@link #send(HttpRequest.Builder, int)}. */
    private record TextResponse(HttpResponse<byte[]> bytes, String body) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return bytes.statusCode();
        }

        @Override
        public HttpRequest request() {
            return bytes.request();
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return bytes.headers();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return bytes.sslSession();
        }

        @Override
        public URI uri() {
            return bytes.uri();
        }

        @Override
        public HttpClient.Version version() {
            return bytes.version();
        }
    }
}
