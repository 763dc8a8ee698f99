package dev.pullab.core.kernelci;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** A node's {@code result}. */
public enum NodeResult {
    PASS, FAIL, SKIP, INCOMPLETE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * kernelci-core's {@code evaluate_test_suite_result}: any fail → fail, else any pass → pass, else any skip →
     * skip, else none.
     */
    public static Optional<NodeResult> rollUp(Collection<NodeResult> children) {
        for (NodeResult decisive : new NodeResult[] {FAIL, PASS, SKIP}) {
            if (children.contains(decisive)) {
                return Optional.of(decisive);
            }
        }
        return Optional.empty();
    }
}
