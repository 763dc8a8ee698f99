package dev.pullab.core.analysis;

import dev.pullab.core.benchmark.BenchmarkCsvReader;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.RunSamples;
import dev.pullab.core.benchmark.RunSource;

/** Fetches a run's benchmark files, parses them and analyses them: what the CLI and the analyzer function share. */
public final class RunAnalysis {

    private RunAnalysis() {
    }

    /**
     * @throws dev.pullab.core.benchmark.InvalidInputException when the run cannot be read or a file is malformed
     */
    public static AnalysisReport analyze(RunSource source, AnalysisOptions options, DownloadProgress progress) {
        RunSamples.Read read = RunSamples.readExcludingBadVms(source.benchmarkFiles(progress),
                new BenchmarkCsvReader());
        return new RegressionAnalyzer(options).analyze(read.samples()).withExcluded(read.excluded());
    }
}
