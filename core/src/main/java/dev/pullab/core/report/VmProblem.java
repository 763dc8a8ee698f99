package dev.pullab.core.report;

import java.util.Objects;
import java.util.Optional;

/**
 * Something an operator should know about one VM (or one test) of a run: it failed, did not report, or left output
 * that could not be used. Every problem is also visible in KCIDB (an ERROR or MISS test) unless said otherwise.
 *
 * @param test       the test
 * @param instanceId the VM; empty for a problem of the whole test (e.g. its benchmark files disagree) or for a VM that
 *                   was never launched
 * @param kind       what went wrong
 * @param message    what exactly, e.g. {@code FAILED: Exit code 1 at run 2} or the parse error naming the file and
 *                   line
 */
public record VmProblem(String test, Optional<String> instanceId, Kind kind, String message) {

    /** What went wrong. */
    public enum Kind {
        /** {@code result.txt} says FAILED (reported for every failed VM, with or without results). */
        FAILED,
        /** No {@code result.txt} before the deadline. */
        MISSING,
        /** A job VM that succeeded but wrote no {@code results.json}. */
        NO_RESULTS,
        /** {@code results.json} cannot be used; none of its entries are reported. */
        MALFORMED_RESULTS,
        /** A benchmark CSV cannot be read; the VM's benchmark files are left out of the analysis. */
        MALFORMED_BENCHMARK,
        /** {@code stats.json} cannot be read; tests lack {@code instance_type} and {@code arch} (not in KCIDB). */
        MALFORMED_STATS,
        /** The benchmark files of a test cannot be analysed together (e.g. they disagree on a metric's direction). */
        ANALYSIS,
        /** The caller's URL function gave no absolute URL for a log; tests lack a log link (not in KCIDB). */
        LOG_URL,
        /** Two KCIDB tests would have had the same id; the later one was dropped (not in KCIDB). */
        DUPLICATE_TEST
    }

    public VmProblem {
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** One line for a log: {@code <test> on <instance>: <KIND>: <message>}. */
    public String describe() {
        return test + instanceId.map(id -> " on " + id).orElse("") + ": " + kind + ": " + message;
    }
}
