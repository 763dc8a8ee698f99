package dev.pullab.core.kcidb;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a submission is in kcidb-restd-rs's spool ({@code GET /status?id=}): still being written, waiting for the
 * ingester, ingested, rejected by the ingester's schema validation, or unknown.
 */
public enum SubmissionStatus {
    /** {@code inprogress}: the upload is still being written. */
    INPROGRESS,
    /** {@code ready}: in the spool, waiting for the ingester. */
    READY,
    /** {@code processed}: ingested and archived. */
    PROCESSED,
    /** {@code failed}: the ingester rejected it (schema validation). */
    FAILED,
    /** {@code notfound} (HTTP 404): no such submission, or it was cleaned up. */
    NOTFOUND;

    /** The receiver's spelling, e.g. {@code inprogress}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SubmissionStatus> fromWireName(String name) {
        for (SubmissionStatus status : values()) {
            if (status.wireName().equals(name)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
