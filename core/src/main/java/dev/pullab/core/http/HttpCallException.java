package dev.pullab.core.http;

import java.util.OptionalInt;

/**
 * A remote call that failed for good: a non-retryable status, or retries exhausted. The message names the service,
 * the method and the URL (never credentials: URLs are built without user info and tokens travel in headers only),
 * the status and the start of the answer.
 */
public class HttpCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public HttpCallException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status of the last answer, empty when no answer came (timeouts, connection failures). */
    public OptionalInt status() {
        return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
    }

    /** 401 or 403: the credentials are wrong; retrying cannot help. */
    public boolean isAuthFailure() {
        return status == 401 || status == 403;
    }
}
