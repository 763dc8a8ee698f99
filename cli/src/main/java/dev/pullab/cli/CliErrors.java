package dev.pullab.cli;

import dev.pullab.core.text.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What the user sees when a command fails with an exception it did not handle itself: one line, {@code error: },
 * naming the path or the AWS service and the cause, and exit status 1. The stack trace only with
 * {@value #DEBUG_VARIABLE}=1. An {@link Error} is not an exception of the command and is not handled here.
 */
final class CliErrors implements IExecutionExceptionHandler {

    /** Set to 1 (or true) to get the stack trace after the one line. */
    static final String DEBUG_VARIABLE = "PULLAB_DEBUG";
    static final int EXIT_FAILED = 1;

    private final boolean debug;

    CliErrors(UnaryOperator<String> env) {
        String value = env.apply(DEBUG_VARIABLE);
        this.debug = value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println("error: " + Printable.escape(describe(exception)));
        if (debug) {
            exception.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILED;
    }

    /** One line naming what failed and why. */
    static String describe(Throwable failure) {
        return oneLine(text(failure));
    }

    private static String text(Throwable failure) {
        if (failure instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
            return text(unchecked.getCause());
        }
        if (failure instanceof AwsServiceException aws) {
            return aws(aws);
        }
        if (failure instanceof SdkClientException client) {
            return awsClient(client);
        }
        if (failure instanceof SdkException sdk) {
            return "AWS: " + sdk.getMessage();
        }
        if (failure instanceof FileSystemException fs) {
            return path(fs);
        }
        if (failure instanceof IOException io) {
            return io.getClass().getSimpleName() + (io.getMessage() == null ? "" : ": " + io.getMessage());
        }
        return failure.getMessage() == null || failure.getMessage().isBlank() ? failure.getClass().getName()
                : failure.getMessage();
    }

    private static String aws(AwsServiceException e) {
        String service = e.awsErrorDetails() == null || e.awsErrorDetails().serviceName() == null ? "AWS"
                : "AWS " + e.awsErrorDetails().serviceName();
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : " " + e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? e.getMessage() : e.awsErrorDetails().errorMessage();
        boolean denied = e.statusCode() == 403 || code.toLowerCase(Locale.ROOT).contains("denied")
                || code.toLowerCase(Locale.ROOT).contains("unauthorized");
        return service + " refused the request (HTTP " + e.statusCode() + code + "): " + message
                + (denied ? " (check the IAM permissions of the credentials in use)" : "");
    }

    private static String awsClient(SdkClientException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Unable to load credentials")) {
            return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                    + "or run 'aws configure'";
        }
        if (message.contains("Unable to load region")) {
            return "no AWS region configured: pass --region (e.g. --region us-east-1), or set AWS_REGION";
        }
        return "AWS client failed: " + message;
    }

    private static final Map<Class<? extends FileSystemException>, String> REASONS = Map.of(
            NoSuchFileException.class, "no such file or directory",
            AccessDeniedException.class, "permission denied",
            FileAlreadyExistsException.class, "already exists (a file is in the way)",
            NotDirectoryException.class, "not a directory",
            DirectoryNotEmptyException.class, "directory not empty");

    private static String path(FileSystemException e) {
        String reason = REASONS.getOrDefault(e.getClass(), e.getReason() == null ? e.getClass().getSimpleName()
                : e.getReason());
        String file = e.getFile() == null ? "" : e.getFile() + ": ";
        String other = e.getOtherFile() == null ? "" : " (with " + e.getOtherFile() + ")";
        return file + reason + other;
    }

    /** On one line: line breaks joined with a space, other control characters (terminal escapes) shown as spaces. */
    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ").replaceAll("\\p{Cntrl}", " ");
    }
}
