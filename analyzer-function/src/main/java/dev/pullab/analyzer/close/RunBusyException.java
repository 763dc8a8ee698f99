package dev.pullab.analyzer.close;

/**
 * The run cannot take this notification now: another invocation holds its analysis lease, or its launches are not all
 * recorded yet. The notification must not be acknowledged: if that invocation
 * dies, this redelivery (after the queue's visibility timeout, longer than the lease) is what takes the analysis over.
 */
public final class RunBusyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RunBusyException(String runPrefix, long leaseUntil) {
        super(runPrefix + ": being closed by another invocation (analysis lease until epoch second " + leaseUntil
                + "); retry after it");
    }

    public RunBusyException(String runPrefix, String reason) {
        super(runPrefix + ": " + reason + "; retry later");
    }
}
