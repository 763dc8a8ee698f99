package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.BenchmarkSample;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.VmTestSamples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds runs in memory for analysis tests: one value per VM per metric and kernel. */
public final class RunBuilder {

    private record Sides(List<BenchmarkSample> base, List<BenchmarkSample> tip) {
    }

    private final Map<String, Sides> tests = new LinkedHashMap<>();

    public RunBuilder metric(String test, String metric, boolean moreIsBetter, double[] base, double[] tip) {
        return metric(test, metric, moreIsBetter, "x86_64", base, tip);
    }

    public RunBuilder metric(String test, String metric, boolean moreIsBetter, String arch, double[] base, double[] tip) {
        Sides sides = tests.computeIfAbsent(test, t -> new Sides(new ArrayList<>(), new ArrayList<>()));
        add(sides.base(), test, KernelRole.BASE, metric, moreIsBetter, arch, base, "6.1.141");
        add(sides.tip(), test, KernelRole.TIP, metric, moreIsBetter, arch, tip, "6.1.150");
        return this;
    }

    public RunSamples build() {
        return new RunSamples(tests.entrySet().stream()
                .map(e -> new VmTestSamples(e.getKey(), e.getValue().base(), e.getValue().tip(),
                        e.getValue().base().isEmpty() ? 0 : 1, e.getValue().tip().isEmpty() ? 0 : 1))
                .toList());
    }

    private static void add(List<BenchmarkSample> into, String test, KernelRole role, String metric,
            boolean moreIsBetter, String arch, double[] values, String kernel) {
        for (int vm = 0; vm < values.length; vm++) {
            into.add(new BenchmarkSample(test, role, metric, "lps", values[vm], moreIsBetter, kernel,
                    "i-" + arch + vm, "m5.large", arch, role.label() + ".csv:" + (vm + 2)));
        }
    }
}
