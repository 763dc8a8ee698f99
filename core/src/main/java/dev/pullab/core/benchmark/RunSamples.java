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

    /**
     * The samples of a run, with the VMs whose files cannot be used left out: what was read and what was not.
     *
     * @param samples  the usable samples
     * @param excluded each VM (of a test) left out, with the first problem of its files
     */
    public record Read(RunSamples samples, List<ExcludedData> excluded) {
        public Read {
            excluded = List.copyOf(excluded);
        }
    }

    /**
     * Parses every file, VM by VM: a VM with a file that cannot be read or parsed is left out of its test with all its
     * files of that test (a half-read VM would bias the comparison), and listed with the problem; the rest is used.
     */
    public static Read readExcludingBadVms(Collection<RunFile> files, BenchmarkCsvReader reader) {
        Map<String, List<RunFile>> byVm = new TreeMap<>();
        files.forEach(f -> byVm.computeIfAbsent(f.file().test() + "\u0000" + f.file().instanceId(),
                k -> new ArrayList<>()).add(f));
        List<RunFile> usable = new ArrayList<>();
        List<ExcludedData> excluded = new ArrayList<>();
        for (List<RunFile> vm : byVm.values()) {
            vm.sort(Comparator.comparing(f -> f.file().location()));
            try {
                vm.forEach(reader::read);
                usable.addAll(vm);
            } catch (InvalidInputException e) {
                BenchmarkFile first = vm.get(0).file();
                excluded.add(new ExcludedData(first.test(), first.instanceId(), e.getMessage()));
            }
        }
        return new Read(read(usable, reader), excluded);
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
