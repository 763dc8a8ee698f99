package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {

    private static final String HEADER =
            "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";

    @TempDir
    Path dir;

    @Test
    @DisplayName("--help in an 80-column pipe prints every footer line whole: examples and layout are not broken")
    void givenPipe_whenHelp_thenFooterLinesWhole() {
        picocli.CommandLine analyze = PullabCommand.commandLine(new String[] {"analyze", "--help"})
                .getSubcommands().get("analyze");
        analyze.setUsageHelpAutoWidth(false).setUsageHelpWidth(80);

        String help = analyze.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF);

        assertThat(AnalyzeCommand.class.getAnnotation(picocli.CommandLine.Command.class).footer())
                .allSatisfy(line -> assertThat(help).contains(line + System.lineSeparator()))
                .anySatisfy(line -> assertThat(line).contains("s3://"));
    }

    @Test
    @DisplayName("a run with a regression prints the report, writes JSON and plots, and exits 0")
    void givenRegressedRun_whenAnalysed_thenReportJsonPlotsAndExitZero() throws IOException {
        Path run = run("ub", 1000, 700);
        Path json = dir.resolve("out/r.json");
        Path plots = dir.resolve("p");

        CliRun result = CliRun.of("analyze", "--input", run.toString(), "--json", json.toString(),
                "--plots", plots.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("=".repeat(60) + "\nBENCHMARK REGRESSION ANALYSIS\n")
                .contains("REGRESSIONS DETECTED: 1").contains("Tests with regressions: ub");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("regression_test_names").get(0).asText()).isEqualTo("ub");
        try (Stream<Path> pngs = Files.list(plots)) {
            assertThat(pngs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "ub-overall.png", "ub-x86_64.png");
        }
        assertThat(ImageIO.read(plots.resolve("ub-overall.png").toFile())).isNotNull();
        assertThat(result.err()).contains("JSON report: ").contains("Plots: 2 PNG files");
    }

    @Test
    @DisplayName("--html DIR writes one self-contained report.html with the test's verdict and its charts inline")
    void givenHtml_whenAnalysed_thenSelfContainedReport() throws IOException {
        Path run = run("ub", 1000, 700);
        Path html = dir.resolve("html");

        CliRun result = CliRun.of("analyze", "--input", run.toString(), "--html", html.toString());

        assertThat(result.exitCode()).isZero();
        String page = Files.readString(html.resolve("report.html"));
        assertThat(page).contains("id=\"verdict\">regression (ub)</p>")
                .contains("id=\"verdict-1\">REGRESSION in 1 metric")
                .contains("benchmark files read from " + run)
                .contains("src=\"data:image/png;base64,").doesNotContain("src=\"http");
        assertThat(result.err()).contains("HTML report: " + html.resolve("report.html").toUri());
    }

    @Test
    @DisplayName("two arches that sanitise to one file name (x86/64, x86_64) each keep their chart in --plots")
    void givenArchesThatSanitiseAlike_whenPlotted_thenBothChartsWritten() throws IOException {
        Path run = run("ub", 1000, 700);
        Path other = run.resolve("test_ub/output/i-0/benchmark-tip-1.csv");
        Files.writeString(other, Files.readString(other).replace(",x86_64\n", ",x86/64\n"));
        Files.writeString(run.resolve("test_ub/output/i-0/benchmark-base-1.csv"),
                Files.readString(run.resolve("test_ub/output/i-0/benchmark-base-1.csv")).replace(",x86_64\n", ",x86/64\n"));
        Path plots = dir.resolve("p");

        CliRun result = CliRun.of("analyze", "--input", run.toString(), "--plots", plots.toString());

        assertThat(result.exitCode()).isZero();
        try (Stream<Path> pngs = Files.list(plots)) {
            assertThat(pngs.map(p -> p.getFileName().toString())).hasSize(3)
                    .contains("ub-overall.png", "ub-x86_64.png")
                    .anyMatch(name -> name.matches("ub-x86_64~[0-9a-f]{8}\\.png"));
        }
        assertThat(result.err()).contains("Plots: 3 PNG files");
    }

    @Test
    @DisplayName("--fail-on-regression turns a found regression into exit status 3")
    void givenFailOnRegression_whenRegressed_thenExitThree() throws IOException {
        assertThat(CliRun.of("analyze", "-i", run("ub", 1000, 700).toString(), "--fail-on-regression").exitCode())
                .isEqualTo(3);
    }

    @Test
    @DisplayName("--fail-on-regression exits 0 when nothing regressed")
    void givenFailOnRegression_whenUnchanged_thenExitZero() throws IOException {
        assertThat(CliRun.of("analyze", "-i", run("ub", 1000, 1000).toString(), "--fail-on-regression").exitCode())
                .isZero();
    }

    @Test
    @DisplayName("the verdict options reach the analysis")
    void givenCorrectionNone_whenAnalysed_thenRuleSaysUnadjusted() throws IOException {
        CliRun result = CliRun.of("analyze", "-i", run("ub", 1000, 1000).toString(), "--correction", "none",
                "--alpha", "0.01", "--min-effect", "1.2");

        assertThat(result.out()).contains("Rule: unadjusted p < 0.01 on t-test or U-test, |Cohen's d| >= 1.2");
    }

    @Test
    @DisplayName("a CSV without the value column leaves its VM out naming the file and line 1, exit 5")
    void givenMissingColumn_whenAnalysed_thenExitOneNamingFile() throws IOException {
        Path run = run("ub", 1000, 700);
        Path bad = run.resolve("test_ub/output/i-1/benchmark-tip-1.csv");
        Files.writeString(bad, "metric,unit,more_is_better,kernel_version\nm,lps,true,6.1\n");

        CliRun result = CliRun.of("analyze", "-i", run.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_DATA_EXCLUDED);
        assertThat(result.out()).contains("Data problems (left out; the report covers the rest):");
        assertThat(result.err()).startsWith("warning: " + bad + ":1: missing column value")
                .contains("(left out: VM i-1 of test ub)");
    }

    @Test
    @DisplayName("a non-numeric value leaves its VM out, names the file and line, and exits 5; the rest is analysed")
    void givenNonNumericValue_whenAnalysed_thenExitOneNamingLine() throws IOException {
        Path run = run("ub", 1000, 700);
        Path bad = run.resolve("test_ub/output/i-0/benchmark-base-1.csv");
        Files.writeString(bad, HEADER + "m,lps,12,true,6.1,i-0,m5.large,x86_64\nm,lps,n/a,true,6.1,i-0,m5,x86_64\n");

        CliRun result = CliRun.of("analyze", "-i", run.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_DATA_EXCLUDED);
        assertThat(result.out()).contains("Data problems (left out; the report covers the rest):");
        assertThat(result.err()).contains(bad + ":3: value 'n/a' of metric 'm' is not a number");
    }

    @Test
    @DisplayName("an error quoting a CSV cell prints its newline and ANSI escape visibly, on one line")
    void givenValueWithEscapes_whenRefused_thenErrorEscapedOnOneLine() throws IOException {
        Path run = run("ub", 1000, 700);
        Path bad = run.resolve("test_ub/output/i-0/benchmark-base-1.csv");
        Files.writeString(bad, HEADER + "m,lps,\"1\nerror: none\u001b[2J\",true,6.1,i-0,m5.large,x86_64\n");

        CliRun result = CliRun.of("analyze", "-i", run.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_DATA_EXCLUDED);
        assertThat(result.out()).contains("Data problems (left out; the report covers the rest):");
        assertThat(result.err()).doesNotContain("\u001b").hasLineCount(1)
                .contains("value '1\\nerror: none\\x1b[2J' of metric 'm' is not a number");
    }

    @Test
    @DisplayName("an empty CSV leaves its VM out naming the file, exit 5")
    void givenEmptyFile_whenAnalysed_thenExitOne() throws IOException {
        Path run = run("ub", 1000, 700);
        Path bad = run.resolve("test_ub/output/i-2/benchmark-tip-1.csv");
        Files.writeString(bad, "");

        CliRun result = CliRun.of("analyze", "-i", run.toString());

        assertThat(result.exitCode()).isEqualTo(AnalyzeCommand.EXIT_DATA_EXCLUDED);
        assertThat(result.out()).contains("Data problems (left out; the report covers the rest):");
        assertThat(result.err()).contains(bad + ":1: empty file");
    }

    @Test
    @DisplayName("a base-only run fails with exit 1 and says the tip kernel was not measured")
    void givenBaseOnlyRun_whenAnalysed_thenExitOneWithReason() throws IOException {
        Path run = run("ub", 1000, 700);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path tip : files.filter(p -> p.getFileName().toString().startsWith("benchmark-tip")).toList()) {
                Files.delete(tip);
            }
        }

        CliRun result = CliRun.of("analyze", "-i", run.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("no test has both base and tip benchmark files")
                .contains("test_ub: no benchmark-tip*.csv files (3 benchmark-base*.csv)");
    }

    @Test
    @DisplayName("a directory without benchmark files fails with exit 1 and the expected layout")
    void givenNoBenchmarks_whenAnalysed_thenExitOne() {
        CliRun result = CliRun.of("analyze", "-i", dir.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("no benchmark files (expected test_<name>/output/<instance_id>/");
    }

    @Test
    @DisplayName("a missing input directory fails with exit 1 naming it")
    void givenMissingDirectory_whenAnalysed_thenExitOne() {
        CliRun result = CliRun.of("analyze", "-i", dir.resolve("nope").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("nope: not a directory");
    }

    @Test
    @DisplayName("an unknown correction is a usage error naming the valid ones")
    void givenUnknownCorrection_whenParsed_thenUsageError() {
        CliRun result = CliRun.of("analyze", "-i", dir.toString(), "--correction", "bonferroni");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("holm, bh or none");
    }

    @Test
    @DisplayName("an alpha outside (0, 1) is a usage error")
    void givenBadAlpha_whenParsed_thenUsageError() {
        CliRun result = CliRun.of("analyze", "-i", dir.toString(), "--alpha", "5");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("alpha must be between 0 and 1");
    }

    @Test
    @DisplayName("a malformed s3 URI is a usage error")
    void givenMalformedS3Uri_whenParsed_thenUsageError() {
        CliRun result = CliRun.of("analyze", "-i", "s3://");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).containsIgnoringCase("bucket");
    }

    @Test
    @DisplayName("--help explains the rule, the layout and the exit codes")
    void help() {
        CliRun result = CliRun.of("analyze", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("--input", "--json", "--plots", "--correction", "--alpha",
                "--min-effect", "--region", "benchmark-base*.csv", "Exit status");
    }

    /** A run of one test on 3 VMs, one metric, base around {@code base}, tip around {@code tip}. */
    @Test
    @DisplayName("when every VM is left out there is nothing to compare: exit 1, each problem named")
    void givenEveryVmBad_whenAnalysed_thenExitOne() throws IOException {
        Path run = run("ub", 1000, 700);
        for (int vm = 0; vm < 3; vm++) {
            Files.writeString(run.resolve("test_ub/output/i-" + vm + "/benchmark-tip-1.csv"), "");
        }

        CliRun result = CliRun.of("analyze", "-i", run.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("i-0/benchmark-tip-1.csv").contains("i-2/benchmark-tip-1.csv")
                .contains("nothing left to compare");
    }

    private Path run(String test, double base, double tip) throws IOException {
        Path run = dir.resolve("run_demo");
        for (int vm = 0; vm < 3; vm++) {
            Path out = Files.createDirectories(run.resolve("test_" + test + "/output/i-" + vm));
            Files.writeString(out.resolve("benchmark-base-1.csv"), csv(base, vm, "6.1.141"));
            Files.writeString(out.resolve("benchmark-tip-1.csv"), csv(tip, vm, "6.1.150"));
        }
        return run;
    }

    private static String csv(double center, int vm, String kernel) {
        StringBuilder rows = new StringBuilder(HEADER);
        for (int rep = 0; rep < 4; rep++) {
            double value = center + (vm * 4 + rep - 6) * center / 1000;
            rows.append("Process_Creation,lps,").append(value).append(",true,").append(kernel)
                    .append(",i-").append(vm).append(",m5.large,x86_64\n");
        }
        return rows.toString();
    }
}
