package dev.pullab.core.report;

import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.benchmark.RunFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one VM (or Fargate task) left under {@code <run>/test_<test>/output/<instance id>/}, as read by the caller:
 * pure data, no storage access.
 *
 * <p>The byte arrays are copied in and out, so the record stays immutable (its {@code equals} therefore compares
 * the arrays by identity, like every record with an array component).
 *
 * @param test           the test the VM ran (the {@code test_} directory without its prefix)
 * @param instanceId     the VM's instance id (or task ARN)
 * @param resultText     the content of {@code result.txt}, trimmed; empty when the VM wrote none (or a blank one)
 * @param statsJson      the raw bytes of {@code stats.json}, when present
 * @param resultsJson    the raw bytes of {@code results.json}, when present
 * @param benchmarkFiles the VM's {@code benchmark-base*.csv} / {@code benchmark-tip*.csv} files
 * @param logKeys        where the VM's {@code run-N-output.log} files are (S3 keys or paths); the caller's URL
 *                       function turns one into a link
 * @param notRead        files the caller did not read because they are over a {@link ReadLimits read limit}, by
 *                       name ({@code results.json}, {@code stats.json}), and why: each is reported as unusable
 *                       (benchmark CSVs not read are in {@code benchmarkFiles}, see {@link RunFile#notRead()})
 */
public record VmOutputs(String test, String instanceId, Optional<String> resultText, Optional<byte[]> statsJson,
                        Optional<byte[]> resultsJson, List<RunFile> benchmarkFiles, List<String> logKeys,
                        Map<String, String> notRead) {

    private static final Pattern RUN_LOG = Pattern.compile("(?:^|/)run-(\\d{1,9})-output\\.log$");

    public VmOutputs {
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(instanceId, "instanceId");
        if (test.isBlank() || instanceId.isBlank()) {
            throw new IllegalArgumentException("a VM needs a test name and an instance id, got '" + test + "' and '"
                    + instanceId + "'");
        }
        resultText = Objects.requireNonNull(resultText, "resultText").map(String::strip).filter(t -> !t.isEmpty());
        statsJson = Objects.requireNonNull(statsJson, "statsJson").map(byte[]::clone);
        resultsJson = Objects.requireNonNull(resultsJson, "resultsJson").map(byte[]::clone);
        benchmarkFiles = List.copyOf(benchmarkFiles);
        logKeys = List.copyOf(logKeys);
        notRead = Map.copyOf(notRead);
    }

    /** What a VM left, every file read. */
    public VmOutputs(String test, String instanceId, Optional<String> resultText, Optional<byte[]> statsJson,
            Optional<byte[]> resultsJson, List<RunFile> benchmarkFiles, List<String> logKeys) {
        this(test, instanceId, resultText, statsJson, resultsJson, benchmarkFiles, logKeys, Map.of());
    }

    /** A VM that left nothing yet. */
    public static VmOutputs of(String test, String instanceId) {
        return new VmOutputs(test, instanceId, Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                List.of());
    }

    /** A copy of {@code stats.json}. */
    @Override
    public Optional<byte[]> statsJson() {
        return statsJson.map(byte[]::clone);
    }

    /** A copy of {@code results.json}. */
    @Override
    public Optional<byte[]> resultsJson() {
        return resultsJson.map(byte[]::clone);
    }

    public VmOutputs withResultText(String text) {
        return new VmOutputs(test, instanceId, Optional.of(text), statsJson, resultsJson, benchmarkFiles, logKeys,
                notRead);
    }

    public VmOutputs withStatsJson(byte[] json) {
        return new VmOutputs(test, instanceId, resultText, Optional.of(json), resultsJson, benchmarkFiles, logKeys,
                notRead);
    }

    public VmOutputs withResultsJson(byte[] json) {
        return new VmOutputs(test, instanceId, resultText, statsJson, Optional.of(json), benchmarkFiles, logKeys,
                notRead);
    }

    /** This VM with one more benchmark CSV. */
    public VmOutputs withBenchmarkFile(RunFile file) {
        List<RunFile> files = new ArrayList<>(benchmarkFiles);
        files.add(Objects.requireNonNull(file, "file"));
        return new VmOutputs(test, instanceId, resultText, statsJson, resultsJson, files, logKeys, notRead);
    }

    /** This VM with one more log location. */
    public VmOutputs withLogKey(String key) {
        List<String> keys = new ArrayList<>(logKeys);
        keys.add(Objects.requireNonNull(key, "key"));
        return new VmOutputs(test, instanceId, resultText, statsJson, resultsJson, benchmarkFiles, keys, notRead);
    }

    /** This VM with a file that was not read (over a read limit), and why. */
    public VmOutputs withNotRead(String name, String reason) {
        Map<String, String> files = new TreeMap<>(notRead);
        files.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(reason, "reason"));
        return new VmOutputs(test, instanceId, resultText, statsJson, resultsJson, benchmarkFiles, logKeys, files);
    }

    /** What {@code result.txt} says. */
    public VmResult result() {
        return VmResult.parse(resultText);
    }

    /** {@code results.json} read, when present; never throws for bad content. */
    public Optional<LabResults> labResults() {
        return resultsJson.map(LabResults::parse);
    }

    /**
     * The key of the log of the last stage that ran: the {@code run-N-output.log} with the highest N (the stage that
     * ended the VM's run, successfully or not); empty when there is none.
     */
    public Optional<String> lastRunLogKey() {
        return logKeys.stream()
                .filter(key -> RUN_LOG.matcher(key).find())
                .max(Comparator.comparingInt(VmOutputs::stage).thenComparing(Comparator.naturalOrder()));
    }

    private static int stage(String key) {
        Matcher m = RUN_LOG.matcher(key);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
