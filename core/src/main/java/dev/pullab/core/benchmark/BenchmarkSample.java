package dev.pullab.core.benchmark;

/**
 * One row of a benchmark CSV: one measurement of one metric on one VM and kernel.
 *
 * @param test          the test that produced it
 * @param role          base or tip kernel
 * @param metric        metric name, e.g. {@code Dhrystone_2_using_register_variables}
 * @param unit          measurement unit, e.g. {@code lps}
 * @param value         the measured value (finite)
 * @param moreIsBetter  {@code true} when higher values are better
 * @param kernelVersion the running kernel, e.g. {@code 6.1.141-165.249.amzn2023.x86_64}
 * @param instanceId    the VM that measured it
 * @param instanceType  the VM's instance type ({@code ""} when the CSV has no such column)
 * @param arch          the VM's architecture ({@code unknown} when the CSV has no such column)
 * @param source        {@code location:line} of the row, for messages
 */
public record BenchmarkSample(
        String test,
        KernelRole role,
        String metric,
        String unit,
        double value,
        boolean moreIsBetter,
        String kernelVersion,
        String instanceId,
        String instanceType,
        String arch,
        String source) {
}
