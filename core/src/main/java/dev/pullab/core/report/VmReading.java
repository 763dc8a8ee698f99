package dev.pullab.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.benchmark.BenchmarkCsvReader;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.RunFile;
import dev.pullab.core.benchmark.RunSamples;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads what one VM left ({@code result.txt}, {@code results.json}, benchmark CSVs, {@code stats.json}, logs) into a
 * {@link ReadVm}: the reasons it gets an ERROR test, its problems, its KCIDB {@code misc} and its log URL. Never
 * throws on bad VM output.
 */
final class VmReading {

    private final ObjectMapper json = new ObjectMapper();
    private final Function<String, URI> logUrls;
    private final BenchmarkCsvReader csvReader;

    /**
     * @param logUrls   turns a log key into an absolute URL (see {@link RunReporting})
     * @param csvReader reads the benchmark CSVs, within the per-file read limit
     */
    VmReading(Function<String, URI> logUrls, BenchmarkCsvReader csvReader) {
        this.logUrls = logUrls;
        this.csvReader = csvReader;
    }

    /**
     * @param jobRun whether the run is of a KernelCI job node (then a VM that succeeded without results is an error)
     */
    ReadVm read(VmOutputs outputs, boolean jobRun) {
        return read(outputs, jobRun, Optional.empty());
    }

    /**
     * @param manifest the run's manifest: when given, the VM's links are its (see {@link ArtifactManifest#links}),
     *                 not made from {@link VmOutputs#logKeys()}
     */
    ReadVm read(VmOutputs outputs, boolean jobRun, Optional<ArtifactManifest> manifest) {
        List<VmProblem> problems = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        VmResult result = outputs.result();
        Optional<LabResults> labResults = outputs.labResults();
        Optional<String> csvError = csvError(outputs.benchmarkFiles());
        if (result.status() == VmResult.Status.FAILED) {
            problems.add(problem(outputs, VmProblem.Kind.FAILED, result.line().orElseThrow()));
        } else if (result.status() == VmResult.Status.MISSING) {
            problems.add(problem(outputs, VmProblem.Kind.MISSING, RunReporting.MISSING_COMMENT));
        }
        boolean hasResults = labResults.filter(LabResults::isValid).map(r -> !r.results().isEmpty()).orElse(false);
        if (result.status() == VmResult.Status.FAILED && !hasResults) {
            errors.add(result.line().orElseThrow());
        }
        labResults.flatMap(LabResults::error).ifPresent(reason -> {
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.MALFORMED_RESULTS, reason));
        });
        csvError.ifPresent(reason -> {
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.MALFORMED_BENCHMARK, reason));
        });
        Optional<String> resultsNotRead = Optional.ofNullable(outputs.notRead().get("results.json"))
                .map(reason -> "results.json " + reason);
        resultsNotRead.ifPresent(reason -> {
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.MALFORMED_RESULTS, reason));
        });
        boolean malformedResults = labResults.flatMap(LabResults::error).isPresent() || resultsNotRead.isPresent();
        if (jobRun && result.status() == VmResult.Status.SUCCESS && !hasResults && !malformedResults) {
            String reason = "the VM succeeded but wrote no results"
                    + (labResults.isEmpty() ? " (no results.json)" : " (results.json is empty)");
            errors.add(reason);
            problems.add(problem(outputs, VmProblem.Kind.NO_RESULTS, reason));
        }
        Map<String, Object> misc = new LinkedHashMap<>();
        misc.put("instance_id", outputs.instanceId());
        outputs.statsJson().ifPresent(stats -> readStats(stats, misc).ifPresent(
                reason -> problems.add(problem(outputs, VmProblem.Kind.MALFORMED_STATS, reason))));
        Optional.ofNullable(outputs.notRead().get("stats.json")).ifPresent(reason -> problems.add(
                problem(outputs, VmProblem.Kind.MALFORMED_STATS, "stats.json " + reason)));
        ArtifactManifest.VmLinks links = manifest.map(m -> m.links(outputs.test(), outputs.instanceId()))
                .orElseGet(() -> new ArtifactManifest.VmLinks(logUrl(outputs, problems), List.of()));
        return new ReadVm(outputs, result, labResults, misc, links.logUrl(), links.outputFiles(), csvError, errors,
                problems);
    }

    private static VmProblem problem(VmOutputs vm, VmProblem.Kind kind, String message) {
        return new VmProblem(vm.test(), Optional.of(vm.instanceId()), kind, message);
    }

    /** The first reason one of the files cannot be read, naming the file and line; empty when all can. */
    private Optional<String> csvError(List<RunFile> files) {
        try {
            RunSamples.read(files, csvReader);
            return Optional.empty();
        } catch (InvalidInputException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Adds {@code instance_type} and {@code arch} to misc; the reason when stats.json cannot be read. */
    private Optional<String> readStats(byte[] stats, Map<String, Object> misc) {
        JsonNode tree;
        try {
            tree = json.readTree(stats);
        } catch (JsonProcessingException e) {
            return Optional.of("stats.json is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Optional.of("stats.json cannot be read: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            return Optional.of("stats.json is not a JSON object");
        }
        for (String key : List.of("instance_type", "arch")) {
            JsonNode value = tree.path(key);
            if (value.isTextual() && !value.asText().isBlank()) {
                misc.put(key, value.asText());
            }
        }
        return Optional.empty();
    }

    private Optional<URI> logUrl(VmOutputs vm, List<VmProblem> problems) {
        Optional<String> key = vm.lastRunLogKey();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        URI url;
        try {
            url = logUrls.apply(key.get());
        } catch (RuntimeException e) {
            problems.add(problem(vm, VmProblem.Kind.LOG_URL, "no URL for log " + key.get() + ": " + e.getMessage()));
            return Optional.empty();
        }
        if (url == null || !url.isAbsolute()) {
            problems.add(problem(vm, VmProblem.Kind.LOG_URL, "the URL of log " + key.get() + " is not absolute: "
                    + url));
            return Optional.empty();
        }
        return Optional.of(url);
    }
}
