package dev.pullab.core.report.html;

import dev.pullab.core.run.RunRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The index of a lab's runs ({@code index.html} at the top of the results bucket, and of local-run's work
 * directory): newest first, each with its verdict and a link to its {@code <run>/analysis/report.html}. Self-contained
 * and inert like {@link HtmlReport}. Rewritten at every close from the runs table, so it lists what the table holds
 * (its retention), at most {@value #MAX_RUNS} runs.
 */
public final class RunsIndex {

    /** At most this many runs, the newest. */
    public static final int MAX_RUNS = 500;
    /** Where the index is, relative to the top of the results. */
    public static final String FILE_NAME = "index.html";
    /** Where a run's HTML report is, relative to the run. */
    public static final String REPORT = "analysis/report.html";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private RunsIndex() {
    }

    /**
     * One run of the index.
     *
     * @param run     the run record
     * @param verdict its verdict ({@code RunReport#verdict()}), empty while it runs
     */
    public record Entry(RunRecord run, Optional<String> verdict) {
    }

    /** The page listing {@code runs}, newest first. */
    public static String render(List<Entry> runs) {
        StringBuilder out = new StringBuilder(16 * 1024);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n")
                .append("<title>pullab runs</title>\n<style>").append(HtmlReport.Style.CSS).append("</style>\n")
                .append("</head>\n<body>\n<h1>pullab runs</h1>\n");
        List<Entry> shown = runs.stream()
                .sorted(Comparator.comparingLong((Entry e) -> e.run().createdAt()).reversed()
                        .thenComparing(e -> e.run().runPrefix()))
                .limit(MAX_RUNS).toList();
        out.append("<p>").append(shown.size()).append(shown.size() == 1 ? " run" : " runs")
                .append(runs.size() > shown.size() ? " (the newest " + MAX_RUNS + " of " + runs.size() + ")" : "")
                .append("</p>\n<table class=\"runs\">\n<thead><tr><th>Started</th><th>Run</th><th>Job</th>")
                .append("<th>VMs</th><th>State</th><th>Verdict</th></tr></thead>\n<tbody>\n");
        for (Entry entry : shown) {
            RunRecord run = entry.run();
            String verdict = entry.verdict().orElse("");
            String word = verdict.contains(";") ? verdict.substring(0, verdict.indexOf(';')) : verdict;
            out.append("<tr><td class=\"num\">").append(WHEN.format(Instant.ofEpochSecond(run.createdAt())))
                    .append("</td><td class=\"case\">")
                    .append(run.state() == RunRecord.RunState.DONE
                            ? Html.relativeLink(segment(run.runPrefix()) + "/" + REPORT, run.runPrefix())
                            : Html.text(run.runPrefix()))
                    .append("</td><td>").append(Html.text(run.jobNodeId().orElse("\u2014"))).append("</td><td>")
                    .append(run.expectedVms()).append("</td><td>").append(run.state()).append("</td><td>")
                    .append(word.isEmpty() ? "" : "<span class=\"verdict " + verdictClass(word) + "\" title=\""
                            + Html.text(verdict) + "\">" + Html.text(word) + "</span>")
                    .append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n<footer>pullab</footer>\n</body>\n</html>\n");
        return out.toString();
    }

    private static String verdictClass(String word) {
        if (word.startsWith("regression")) {
            return "regression";
        }
        return word.equals("pass") ? "pass" : "fail";
    }

    /** A run prefix as one URL path segment (its slashes, if any, kept as path separators). */
    private static String segment(String runPrefix) {
        return String.join("/", java.util.Arrays.stream(runPrefix.split("/"))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20")).toList());
    }
}
