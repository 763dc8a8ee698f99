package dev.pullab.analyzer;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.core.analysis.ReportJson;
import dev.pullab.core.analysis.RunAnalysis;
import dev.pullab.core.analysis.TextReport;
import dev.pullab.core.benchmark.ExcludedData;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.store.S3Location;
import dev.pullab.core.plot.Plot;
import dev.pullab.core.plot.RegressionPlots;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.RunSource;
import dev.pullab.core.report.html.HtmlReport;
import dev.pullab.core.report.html.RunPage;
import dev.pullab.core.report.html.RunsIndex;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.pullab.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Analyses one finished run in S3 (with core's {@link RunAnalysis}) and stores the results
 * beside it, under {@code <run_prefix>/analysis/}: {@code plots/<file>.png}, {@code report.txt},
 * {@code report.html} (the whole run, charts inline: {@link HtmlReport}), and last {@code report.json} (its presence
 * means "done"). A run without benchmarks gets {@code report.html} alone. The lab's {@code index.html} (at the top of
 * the bucket, {@link RunsIndex}) links every run's {@code report.html}.
 */
public final class RunReportPublisher {

    static final String REPORT_JSON = "analysis/report.json";
    static final String REPORT_TEXT = "analysis/report.txt";
    static final String PLOTS = "analysis/plots/";
    static final String REPORT_HTML = RunsIndex.REPORT;

    private final ObjectStore objects;
    private final Function<S3Location, RunSource> runs;

    /**
     * @param objects where the results are written
     * @param runs    how a run's files are read, by where the run is
     */
    public RunReportPublisher(ObjectStore objects, Function<S3Location, RunSource> runs) {
        this.objects = Objects.requireNonNull(objects, "objects");
        this.runs = Objects.requireNonNull(runs, "runs");
    }

    /**
     * What was written.
     *
     * @param report    the analysis
     * @param reportUri {@code s3://} URI of {@code report.json}
     * @param plots     how many plots were stored
     */
    public record Outcome(AnalysisReport report, String reportUri, int plots) {
    }

    /**
     * Reads, analyses, writes.
     *
     * @throws InvalidInputException when the run is missing or unreadable, or when every VM with benchmarks was left
     *                               out (each reason named); a run with some usable VMs is analysed, and the report
     *                               lists what was left out
     */
    Outcome publish(S3Location run, AnalysisOptions options) {
        AnalysisReport report = RunAnalysis.analyze(runs.apply(run), options, DownloadProgress.SILENT);
        if (report.tests().isEmpty() && !report.excludedData().isEmpty()) {
            throw new InvalidInputException("nothing left to compare in " + run + ": " + report.excludedData().stream()
                    .map(ExcludedData::reason).collect(java.util.stream.Collectors.joining("; ")));
        }
        return write(run, report);
    }

    /** Writes an analysis already made: the plots, {@code report.txt}, {@code report.html}, and {@code report.json} last. Idempotent. */
    public Outcome write(S3Location run, AnalysisReport report) {
        int plots = writePage(run, RunPage.ofAnalysis(run.toString(), report));
        return new Outcome(report, run.uriOf(run.key(REPORT_JSON)), plots);
    }

    /**
     * Writes a run's report: with an analysis, its plots, {@code report.txt}, {@code report.html} and
     * {@code report.json} last; without one, {@code report.html} alone. Idempotent.
     *
     * @return the {@code s3://} URI of {@code report.html}
     */
    public String write(S3Location run, RunPage page) {
        writePage(run, page);
        return run.uriOf(run.key(REPORT_HTML));
    }

    private int writePage(S3Location run, RunPage page) {
        Map<String, List<Plot>> charts = new LinkedHashMap<>();
        page.analysis().ifPresent(report -> report.tests().forEach(test -> charts.put(test.test(),
                RegressionPlots.render(test))));
        List<Plot> plots = charts.values().stream().flatMap(List::stream).toList();
        for (Plot plot : plots) {
            put(run, run.key(PLOTS + plot.fileName()), plot.png(), "image/png");
        }
        page.analysis().ifPresent(report -> put(run, run.key(REPORT_TEXT),
                TextReport.render(report).getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8"));
        put(run, run.key(REPORT_HTML), HtmlReport.render(page, charts).getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8");
        page.analysis().ifPresent(report -> put(run, run.key(REPORT_JSON),
                ReportJson.write(report).getBytes(StandardCharsets.UTF_8), "application/json"));
        return plots.size();
    }

    /** Rewrites the lab's run index, {@code index.html} at the top of {@code bucket}. */
    public void writeIndex(String bucket, List<RunsIndex.Entry> runs) {
        objects.put(bucket, RunsIndex.FILE_NAME, RunsIndex.render(runs).getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8");
    }

    private void put(S3Location run, String key, byte[] content, String contentType) {
        objects.put(run.bucket(), key, content, contentType);
    }
}
