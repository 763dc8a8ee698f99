package dev.pullab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The least a JVM program can do for {@code pullab analyze}'s answer: list a run's benchmark CSVs, read them, split
 * each line at its commas and print each metric's base and tip mean. No statistics, no checks, no report: a floor for
 * {@code bench/run cli-start}, run from a jar of this class alone with {@code ./pullab}'s JVM flags and a
 * class-data sharing archive of its own. Whatever pullab does beyond this costs more; if this floor is already
 * slower than another program's whole analysis, no change to pullab's code alone can catch up with it.
 *
 * <p>Expects the columns in the order the VM tests write them (metric, unit, value, ...).
 */
public final class CliReadFloor {

    private CliReadFloor() {
    }

    public static void main(String[] args) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(Path.of(args[0]))) {
            paths.filter(p -> p.getFileName().toString().startsWith("benchmark-")).forEach(files::add);
        }
        Collections.sort(files);
        Map<String, double[]> sums = new TreeMap<>();
        for (Path file : files) {
            int kernel = file.getFileName().toString().startsWith("benchmark-tip") ? 2 : 0;
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            int start = text.indexOf('\n') + 1;
            while (start > 0 && start < text.length()) {
                int end = text.indexOf('\n', start);
                end = end < 0 ? text.length() : end;
                int metricEnd = text.indexOf(',', start);
                int unitEnd = text.indexOf(',', metricEnd + 1);
                int valueEnd = text.indexOf(',', unitEnd + 1);
                if (metricEnd > start && valueEnd > unitEnd && valueEnd < end) {
                    double[] sum = sums.computeIfAbsent(text.substring(start, metricEnd), m -> new double[4]);
                    sum[kernel] += Double.parseDouble(text.substring(unitEnd + 1, valueEnd));
                    sum[kernel + 1]++;
                }
                start = end + 1;
            }
        }
        StringBuilder out = new StringBuilder();
        sums.forEach((metric, sum) -> out.append(metric).append(": base ").append(sum[0] / sum[1]).append(", tip ")
                .append(sum[2] / sum[3]).append('\n'));
        System.out.print(out);
    }
}
