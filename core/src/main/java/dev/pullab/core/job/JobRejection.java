package dev.pullab.core.job;

import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.url.UrlRedaction;
import java.util.Objects;

/**
 * Why a claimed job will not run here: the orchestrator finishes the job node as {@code incomplete} with
 * {@code data.error_code = code} and {@code data.error_msg = message}.
 *
 * <p>Codes used by this package:
 * <ul>
 *   <li>{@link ErrorCode#JOB_GENERATION_ERROR}: the job definition is not a PULL_LABS job definition (not JSON, not
 *       an object, {@code tests} not an array, a test without a type, a field of the wrong type, ...): KernelCI
 *       generated something broken;</li>
 *   <li>{@link ErrorCode#INVALID_JOB_PARAMS}: a well-formed definition this lab cannot run as asked (node and
 *       definition on different platforms, a platform outside the table with an arch the lab has no default EC2
 *       platform for, arch mismatch, a test type that is no name, missing artifact, non-http(s) artifact URL,
 *       ...).</li>
 * </ul>
 *
 * @param code    the KernelCI error code
 * @param message what is wrong, naming the offending field or value; cut to {@value #MAX_MESSAGE_CHARS} characters
 *                (a value quoted from a large job definition must not make a megabyte {@code error_msg}); the user
 *                info of every URL in it is replaced ({@link UrlRedaction#inText}): the message goes to the job
 *                node, which anyone can read
 */
public record JobRejection(ErrorCode code, String message) implements Translation {

    /** The longest message kept, in characters: the rest is cut and marked with an ellipsis. */
    public static final int MAX_MESSAGE_CHARS = 1000;

    public JobRejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (message.isBlank()) {
            throw new IllegalArgumentException("a rejection needs a message");
        }
        message = UrlRedaction.inText(message);
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
        }
    }

    /** A well-formed job this lab cannot run as asked. */
    public static JobRejection invalidParams(String message) {
        return new JobRejection(ErrorCode.INVALID_JOB_PARAMS, message);
    }
}
