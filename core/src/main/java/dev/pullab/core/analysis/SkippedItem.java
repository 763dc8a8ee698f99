package dev.pullab.core.analysis;

/**
 * A test or metric that was not compared, and why.
 *
 * @param name   the test or metric name
 * @param reason what was missing
 */
public record SkippedItem(String name, String reason) {
}
