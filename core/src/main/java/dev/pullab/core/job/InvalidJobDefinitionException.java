package dev.pullab.core.job;

import dev.pullab.core.kernelci.ErrorCode;

/**
 * A document that is not a PULL_LABS job definition (unchecked). The message names the problem and its JSON path,
 * e.g. {@code invalid job definition: tests[0].timeout_s: must be between 1 and 86400, got -5}.
 * {@link JobTranslator#translate(dev.pullab.core.job.JobTicket, byte[], LabConfig, String, java.time.Instant)}
 * catches it and returns {@link #rejection()}.
 */
public final class InvalidJobDefinitionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidJobDefinitionException(String message) {
        super(message);
    }

    /** The rejection to report: {@link ErrorCode#JOB_GENERATION_ERROR} with this exception's message. */
    public JobRejection rejection() {
        return new JobRejection(ErrorCode.JOB_GENERATION_ERROR, getMessage());
    }
}
