package dev.pullab.core.report;

import java.util.Objects;
import java.util.Optional;

/**
 * What a VM's {@code result.txt} says: {@code SUCCESS}, {@code FAILED: <reason>} (e.g.
 * {@code FAILED: Exit code 1 at run 2}, {@code FAILED: Timeout after 600 s at run 1}), or nothing at all.
 *
 * @param status SUCCESS, FAILED or MISSING
 * @param line   for FAILED, the first line of {@code result.txt} (what operators read, e.g.
 *               {@code FAILED: Exit code 1 at run 2}); empty otherwise
 */
public record VmResult(Status status, Optional<String> line) {

    /** How a VM ended. */
    public enum Status {
        /** {@code result.txt} is {@code SUCCESS}: every stage succeeded. */
        SUCCESS,
        /** {@code result.txt} is anything else, normally {@code FAILED: <reason>}. */
        FAILED,
        /** No {@code result.txt} (or an empty one): the VM did not report. */
        MISSING
    }

    private static final String FAILED_PREFIX = "FAILED";

    public VmResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(line, "line");
        if ((status == Status.FAILED) != line.isPresent()) {
            throw new IllegalArgumentException("a FAILED result, and only it, has a line; got " + status + " " + line);
        }
    }

    /** A successful VM. */
    public static VmResult success() {
        return new VmResult(Status.SUCCESS, Optional.empty());
    }

    /** A VM that did not report. */
    public static VmResult missing() {
        return new VmResult(Status.MISSING, Optional.empty());
    }

    /**
     * Reads {@code result.txt}: empty or blank → MISSING; {@code SUCCESS} (case-insensitive, surrounding blanks
     * ignored) → SUCCESS; anything else → FAILED with its first non-blank line, so that an unexpected text is
     * reported rather than taken for a success.
     *
     * @param resultText the content of {@code result.txt}, empty when the VM wrote none
     */
    public static VmResult parse(Optional<String> resultText) {
        String text = resultText.map(String::strip).orElse("");
        if (text.isEmpty()) {
            return missing();
        }
        if (text.equalsIgnoreCase("SUCCESS")) {
            return success();
        }
        return new VmResult(Status.FAILED, Optional.of(text.lines().map(String::strip).filter(l -> !l.isEmpty())
                .findFirst().orElse(text)));
    }

    /**
     * Why a FAILED VM failed: its line without the {@code FAILED:} prefix (e.g. {@code Exit code 1 at run 2}),
     * {@code unexpected result.txt: <line>} when it has no such prefix; empty for SUCCESS and MISSING.
     */
    public Optional<String> reason() {
        return line.map(text -> {
            if (!text.regionMatches(true, 0, FAILED_PREFIX, 0, FAILED_PREFIX.length())) {
                return "unexpected result.txt: " + text;
            }
            String rest = text.substring(FAILED_PREFIX.length()).strip();
            rest = rest.startsWith(":") ? rest.substring(1).strip() : rest;
            return rest.isEmpty() ? "no reason given" : rest;
        });
    }
}
