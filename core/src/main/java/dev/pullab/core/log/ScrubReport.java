package dev.pullab.core.log;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one scrub did, without the secrets: how many redactions of each kind, how many lines were read, and how many
 * of them were longer than the scrubber's line bound (and so were scrubbed in pieces).
 */
public record ScrubReport(Map<RedactionKind, Integer> redactions, long lines, long overLongLines) {

    public ScrubReport {
        redactions = Map.copyOf(redactions);
    }

    /** The number of redactions of all kinds. */
    public int total() {
        return redactions.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The redactions of one kind (0 when none). */
    public int count(RedactionKind kind) {
        return redactions.getOrDefault(kind, 0);
    }

    /** One line for a run log, e.g. {@code 3 redactions (jwt 1, bearer_token 2) in 812 lines}. */
    public String describe() {
        String kinds = Arrays.stream(RedactionKind.values())
                .filter(redactions::containsKey)
                .map(kind -> kind.label() + " " + redactions.get(kind))
                .collect(Collectors.joining(", "));
        return total() + " redactions" + (kinds.isEmpty() ? "" : " (" + kinds + ")") + " in " + lines + " lines"
                + (overLongLines == 0 ? "" : ", " + overLongLines + " over-long lines scrubbed in pieces");
    }
}
