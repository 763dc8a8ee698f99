package dev.pullab.testkit.browser;

/** What went wrong driving the browser, in one line that names the step (start, page load, DevTools command). */
public final class BrowserException extends RuntimeException {
    public BrowserException(String message) {
        super(message);
    }

    public BrowserException(String message, Throwable cause) {
        super(message, cause);
    }
}
