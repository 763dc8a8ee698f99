package dev.pullab.core.benchmark;

import java.util.List;

/**
 * Every benchmark measurement of one test of a run, split by kernel.
 *
 * @param test      the test name
 * @param base      rows of all {@code benchmark-base*.csv} files, in file then line order
 * @param tip       rows of all {@code benchmark-tip*.csv} files
 * @param baseFiles how many base files were read
 * @param tipFiles  how many tip files were read
 */
public record VmTestSamples(String test, List<BenchmarkSample> base, List<BenchmarkSample> tip,
        int baseFiles, int tipFiles) {

    public VmTestSamples {
        base = List.copyOf(base);
        tip = List.copyOf(tip);
    }
}
