package dev.pullab.analyzer;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.store.S3Location;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The input of {@link AnalyzeRunHandler}:
 * {@code {"bucket": "...", "run_prefix": "...", "correction": "holm|bh|none", "alpha": 0.05, "min_effect": 0.5, "min_change": 1.0, "pairing": "auto|off"}},
 * the last three optional (defaults of {@link AnalysisOptions#defaults()}).
 *
 * @param run     the run to analyse
 * @param options the verdict rule
 */
record AnalyzeRunRequest(S3Location run, AnalysisOptions options) {

    private static final Set<String> FIELDS = Set.of("bucket", "run_prefix", "correction", "alpha", "min_effect", "min_change",
            "pairing");
    private static final String EXPECTED = "expected {\"bucket\": \"...\", \"run_prefix\": \"...\"} and optionally "
            + "\"correction\" (holm, bh, none), \"alpha\", \"min_effect\", \"min_change\", \"pairing\" (auto, off)";

    /**
     * Validates the Lambda event.
     *
     * @throws IllegalArgumentException naming the faulty field
     */
    static AnalyzeRunRequest from(Map<String, Object> input) {
        if (input == null || input.isEmpty()) {
            throw new IllegalArgumentException("empty input: " + EXPECTED);
        }
        Set<String> unknown = new TreeSet<>(input.keySet());
        unknown.removeAll(FIELDS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown field(s) " + unknown + ": " + EXPECTED);
        }
        String bucket = requiredText(input, "bucket");
        String prefix = requiredText(input, "run_prefix");
        S3Location run = new S3Location(bucket, prefix);
        if (run.prefix().isEmpty()) {
            throw new IllegalArgumentException("run_prefix '" + prefix + "' names no run: " + EXPECTED);
        }
        Object correction = input.get("correction");
        AnalysisOptions options = new AnalysisOptions(
                correction == null ? Correction.HOLM : Correction.parse(text(correction, "correction")),
                number(input, "alpha", AnalysisOptions.DEFAULT_ALPHA),
                number(input, "min_effect", AnalysisOptions.DEFAULT_MIN_EFFECT),
                number(input, "min_change", AnalysisOptions.DEFAULT_MIN_CHANGE_PCT),
                input.get("pairing") == null ? AnalysisOptions.Pairing.AUTO : pairing(text(input.get("pairing"),
                        "pairing")));
        return new AnalyzeRunRequest(run, options);
    }

    private static String requiredText(Map<String, Object> input, String field) {
        Object value = input.get(field);
        if (value == null) {
            throw new IllegalArgumentException("missing \"" + field + "\": " + EXPECTED);
        }
        String text = text(value, field);
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty \"" + field + "\": " + EXPECTED);
        }
        return text.trim();
    }

    private static AnalysisOptions.Pairing pairing(String value) {
        for (AnalysisOptions.Pairing p : AnalysisOptions.Pairing.values()) {
            if (p.label().equalsIgnoreCase(value.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("\"pairing\" must be auto or off, got '" + value + "'");
    }

    private static String text(Object value, String field) {
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string, got " + value);
        }
        return text;
    }

    private static double number(Map<String, Object> input, String field, double fallback) {
        Object value = input.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + field + "\" must be a number, got '" + s + "'", e);
            }
        }
        throw new IllegalArgumentException("\"" + field + "\" must be a number, got " + value);
    }
}
