package dev.pullab.core.kcidb;

import dev.pullab.core.kernelci.Node;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A KCIDB test {@code status}, in the schema's priority order: FAIL (completed, the code is faulty), ERROR (the test
 * did not complete), MISS (did not run because of a harness failure), PASS, DONE (completed without a verdict, e.g.
 * a measurement), SKIP (not applicable).
 */
public enum KcidbStatus {
    FAIL, ERROR, MISS, PASS, DONE, SKIP;

    /** pullab_cloud's {@code STATUS_MAP} (a lab convention, not upstream KernelCI). */
    private static final Map<String, KcidbStatus> LAB_RESULTS = Map.ofEntries(
            Map.entry("pass", PASS), Map.entry("ok", PASS), Map.entry("success", PASS),
            Map.entry("fail", FAIL), Map.entry("failed", FAIL),
            Map.entry("skip", SKIP), Map.entry("skipped", SKIP),
            Map.entry("error", ERROR), Map.entry("errored", ERROR), Map.entry("incomplete", ERROR),
            Map.entry("miss", MISS),
            Map.entry("done", DONE));

    /** kernelci-pipeline {@code send_kcidb.py} {@code ERRORED_TEST_CODES}: an incomplete node with one is ERROR. */
    static final Set<String> ERRORED_TEST_CODES =
            Set.of("Canceled", "Infrastructure", "LAVATimeout", "MultinodeTimeout", "Test");

    /** kernelci-pipeline {@code send_kcidb.py} {@code MISSED_TEST_CODES}: an incomplete node with one is MISS. */
    static final Set<String> MISSED_TEST_CODES = Set.of("Bug", "Configuration", "invalid_job_params", "Job",
            "job_generation_error", "ObjectNotPersisted", "RequestBodyTooLarge", "submit_error",
            "Unexisting permission codename.", "kbuild_internal_error");

    /**
     * The status of one result row a lab produced: {@code pass/ok/success → PASS}, {@code fail/failed → FAIL},
     * {@code skip/skipped → SKIP}, {@code error/errored/incomplete → ERROR}, {@code miss → MISS},
     * {@code done → DONE}, case-insensitive; anything else (including {@code null}) is ERROR.
     */
    public static KcidbStatus fromLabResult(String result) {
        if (result == null) {
            return ERROR;
        }
        return LAB_RESULTS.getOrDefault(result.trim().toLowerCase(Locale.ROOT), ERROR);
    }

    /**
     * Maestro's mapping of a node's {@code result} and own {@code data.error_code} (kernelci-pipeline
     * {@code _parse_node_result}): {@code Infrastructure} is ERROR whatever the result; {@code incomplete} is ERROR
     * with an errored code, MISS with a missed code and no status otherwise (e.g. {@code node_timeout} or no code);
     * {@code pass}, {@code fail}, {@code skip} map to PASS, FAIL, SKIP; a null or other result has no status.
     *
     * @param result    the node's {@code result}, may be null
     * @param errorCode the node's {@code data.error_code}, may be null
     */
    public static Optional<KcidbStatus> fromNode(String result, String errorCode) {
        if ("Infrastructure".equals(errorCode)) {
            return Optional.of(ERROR);
        }
        if (result == null) {
            return Optional.empty();
        }
        if (result.equals("incomplete")) {
            if (errorCode != null && ERRORED_TEST_CODES.contains(errorCode)) {
                return Optional.of(ERROR);
            }
            if (errorCode != null && MISSED_TEST_CODES.contains(errorCode)) {
                return Optional.of(MISS);
            }
            return Optional.empty();
        }
        return switch (result) {
            case "pass" -> Optional.of(PASS);
            case "fail" -> Optional.of(FAIL);
            case "skip" -> Optional.of(SKIP);
            default -> Optional.empty();
        };
    }

    /** {@link #fromNode(String, String)} with the node's {@code result} and {@code data.error_code}. */
    public static Optional<KcidbStatus> fromNode(Node node) {
        var errorCode = node.data().path("error_code");
        return fromNode(node.result().orElse(null), errorCode.isTextual() ? errorCode.asText() : null);
    }
}
