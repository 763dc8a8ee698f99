package dev.pullab.core.benchmark;

/**
 * Input that cannot be analysed: a malformed benchmark CSV, an inconsistent run, an unreadable location.
 * The message always names the file (and line, when there is one) so an operator can fix it.
 */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error located at {@code location:line}. */
    public static InvalidInputException at(String location, long line, String message) {
        return new InvalidInputException(location + ":" + line + ": " + message);
    }
}
