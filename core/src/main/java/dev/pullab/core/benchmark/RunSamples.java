package dev.pullab.core.benchmark;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark measurements of a run, per test, parsed from its benchmark CSVs.
 *
 * @param tests the tests that have at least one benchmark file, sorted by name
 */
public record RunSamples(List<VmTestSamples> tests) {

    public RunSamples {
        tests = List.copyOf(tests);
    }

    /**
     * Parses every file (in location order, so the result does not depend on listing order).
     *
     * @throws InvalidInputException on the first malformed file, naming it and the line
     */
    public static RunSamples read(Collection<RunFile> files, BenchmarkCsvReader reader) {
        Map<String, Builder> byTest = new TreeMap<>();
        files.stream()
                .sorted(Comparator.comparing(f -> f.file().location()))
                .forEach(f -> byTest.computeIfAbsent(f.file().test(), t -> new Builder())
                        .add(f.file().role(), reader.read(f)));
        return new RunSamples(byTest.entrySet().stream().map(e -> e.getValue().build(e.getKey())).toList());
    }

    /** Total number of rows read. */
    public int sampleCount() {
        return tests.stream().mapToInt(t -> t.base().size() + t.tip().size()).sum();
    }

    private static final class Builder {
        private final List<BenchmarkSample> base = new ArrayList<>();
        private final List<BenchmarkSample> tip = new ArrayList<>();
        private int baseFiles;
        private int tipFiles;

        void add(KernelRole role, List<BenchmarkSample> samples) {
            if (role == KernelRole.BASE) {
                base.addAll(samples);
                baseFiles++;
            } else {
                tip.addAll(samples);
                tipFiles++;
            }
        }

        VmTestSamples build(String test) {
            return new VmTestSamples(test, base, tip, baseFiles, tipFiles);
        }
    }
}
