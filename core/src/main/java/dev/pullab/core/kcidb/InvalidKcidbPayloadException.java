package dev.pullab.core.kcidb;

import java.util.List;

/**
 * A KCIDB revision that the kcidb-io v5.3 schema rejects. kcidb-restd-rs would accept it (it only checks that the body
 * is JSON) and the ingester would later move it to {@code failed/} without telling anyone, so pullab refuses to send
 * it. The message lists every problem, each starting with the JSON path of the faulty field.
 */
public class InvalidKcidbPayloadException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Immutable; {@link List#copyOf} lists are serializable. */
    private final List<String> problems;

    public InvalidKcidbPayloadException(List<String> problems) {
        super("KCIDB payload does not match the kcidb-io v5.3 schema (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "): " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, e.g. {@code $.tests[0].status: does not have a value in the enumeration [...]}. */
    public List<String> problems() {
        return problems;
    }
}
