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
