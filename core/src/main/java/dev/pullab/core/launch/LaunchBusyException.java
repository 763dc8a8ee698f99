package dev.pullab.core.launch;

/** Another attempt is launching the same VM right now: retry the message later (never launch twice). */
public class LaunchBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LaunchBusyException(String launchId) {
        super("launch " + launchId + " is in progress in another invocation; retrying later");
    }
}
