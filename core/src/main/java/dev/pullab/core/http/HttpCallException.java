package dev.pullab.core.http;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A remote call that failed for good: a non-retryable status, retries exhausted, a deadline passed or an answer too
 * large. The message names the service, the method and the URL (never credentials: URLs are built without user info
 * and tokens travel in headers only), the status and the start of the answer; {@link #failure()} says which kind of
 * failure it was.
 */
public class HttpCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that react differently (and for messages that must not guess). */
    public enum Failure {
        /** The server answered, but not as asked (a status, or a body that is not what the API promises). */
        ANSWER,
        /** No complete answer within the deadline of an attempt or of the whole call. */
        TIMEOUT,
        /** The connection failed or broke (an {@link java.io.IOException}). */
        NETWORK,
        /** The answer was larger than the caller's cap for it; never retried. */
        TOO_LARGE,
        /** A redirect that the caller's policy or the client's rules refuse. */
        REFUSED,
        /** The calling thread was interrupted. */
        INTERRUPTED
    }

    private final int status;
    private final Failure failure;

    public HttpCallException(String message, int status, Throwable cause) {
        this(message, Failure.ANSWER, status, cause);
    }

    public HttpCallException(String message, Failure failure, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** The HTTP status of the last answer, empty when no answer came (timeouts, connection failures). */
    public OptionalInt status() {
        return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
    }

    /** Which kind of failure this is. */
    public Failure failure() {
        return failure;
    }

    /**
     * 400 or 422: the server could not take the request as sent (a malformed or incomplete request). Against a
     * well-known API that is a defect of ours, not a verdict on the resource: report it loudly, do not write the
     * resource off.
     */
    public boolean isRequestRejected() {
        return status == 400 || status == 422;
    }

    /** 401 or 403: the credentials are wrong; retrying cannot help. */
    public boolean isAuthFailure() {
        return status == 401 || status == 403;
    }
}
