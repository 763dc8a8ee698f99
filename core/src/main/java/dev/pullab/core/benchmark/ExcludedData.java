package dev.pullab.core.benchmark;

/**
 * Input left out of an analysis, and why: a VM of a test whose benchmark file cannot be used (all its files of that
 * test are left out, as the analyzer function leaves out such a VM), or a test that cannot be compared at all.
 * Field names are the JSON report's (snake_case).
 *
 * @param test       the test
 * @param instanceId the VM left out; empty when the whole test was
 * @param reason     what is wrong, naming the file and line
 */
public record ExcludedData(String test, String instanceId, String reason) {
}
