package dev.pullab.core.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.pullab.core.analysis.ArchAnalysis;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.PairedComparison;
import dev.pullab.core.analysis.SampleSummary;
import dev.pullab.core.analysis.VmTestAnalysis;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegressionPlotsTest {

    /** Far more than anti-aliasing could produce, far less than one bar of a few-metric chart. */
    private static final int RED_PIXEL_THRESHOLD = 500;

    @Test
    @DisplayName("renders an overall chart and one per architecture, named <test>-<scope>.png")
    void givenTwoArchitectures_whenRender_thenOverallAndOneFilePerArch() {
        VmTestAnalysis test = analysis("unixbench", List.of(ok("Dhrystone", 1.5)),
                arch("x86_64", List.of(ok("Dhrystone", 1.0))),
                arch("arm64", List.of(ok("Dhrystone", 2.0))));

        List<Plot> plots = RegressionPlots.render(test);

        assertThat(plots).extracting(Plot::fileName)
                .containsExactly("unixbench-overall.png", "unixbench-x86_64.png", "unixbench-arm64.png");
    }

    @Test
    @DisplayName("replaces characters outside [A-Za-z0-9._-] in file names with _ and marks the changed name with a hash")
    void givenUnsafeNames_whenRender_thenFileNamesAreSanitised() {
        VmTestAnalysis test = analysis("kselftest/net timers", List.of(ok("m", 1.0)),
                arch("arm 64*", List.of(ok("m", 1.0))));

        List<Plot> plots = RegressionPlots.render(test);

        assertThat(plots).extracting(Plot::fileName).satisfiesExactly(
                overall -> assertThat(overall).matches("kselftest_net_timers~[0-9a-f]{8}-overall\\.png"),
                arch -> assertThat(arch).matches("kselftest_net_timers~[0-9a-f]{8}-arm_64_~[0-9a-f]{8}\\.png"));
    }

    @Test
    @DisplayName("two arches that sanitise to one name (x86/64, x86_64; a:b, a_b) get one chart each")
    void givenArchesThatSanitiseAlike_whenRender_thenDistinctFiles() {
        VmTestAnalysis test = analysis("ub", List.of(ok("m", 1.0)),
                arch("x86/64", List.of(ok("m", 1.0))), arch("x86_64", List.of(ok("m", 2.0))),
                arch("a:b", List.of(ok("m", 1.0))), arch("a_b", List.of(ok("m", 2.0))));

        List<Plot> plots = RegressionPlots.render(test);

        assertThat(plots).extracting(Plot::fileName).doesNotHaveDuplicates().hasSize(5)
                .contains("ub-overall.png", "ub-x86_64.png", "ub-a_b.png");
    }

    @Test
    @DisplayName("test a-b arch c and test a arch b-c do not share a file name")
    void givenHyphenInTestOrArch_whenRender_thenDistinctFiles() {
        List<String> first = RegressionPlots.render(analysis("a-b", List.of(), arch("c", List.of(ok("m", 1.0)))))
                .stream().map(Plot::fileName).toList();
        List<String> second = RegressionPlots.render(analysis("a", List.of(), arch("b-c", List.of(ok("m", 1.0)))))
                .stream().map(Plot::fileName).toList();

        assertThat(first).containsExactly("a-b-c.png");
        assertThat(second).singleElement().asString().matches("a-b_c~[0-9a-f]{8}\\.png");
    }

    @Test
    @DisplayName("an arch named overall does not overwrite the overall chart")
    void givenArchNamedOverall_whenRender_thenOwnFile() {
        VmTestAnalysis test = analysis("ub", List.of(ok("m", 1.0)), arch("overall", List.of(ok("m", 1.0))),
                arch("x86_64", List.of(ok("m", 1.0))));

        assertThat(RegressionPlots.render(test)).extracting(Plot::fileName).doesNotHaveDuplicates()
                .contains("ub-overall.png").anyMatch(name -> name.matches("ub-overall~[0-9a-f]{8}\\.png"));
    }

    @Test
    @DisplayName("a very long name is cut to 100 characters plus its hash: the file name stays under 255 bytes")
    void givenVeryLongArch_whenRender_thenShortFileName() {
        VmTestAnalysis test = analysis("ub", List.of(ok("m", 1.0)), arch("a".repeat(300), List.of(ok("m", 1.0))),
                arch("a".repeat(301), List.of(ok("m", 1.0))));

        assertThat(RegressionPlots.render(test)).extracting(Plot::fileName).doesNotHaveDuplicates()
                .allMatch(name -> name.length() < 255);
    }

    @Test
    @DisplayName("writes a PNG that ImageIO decodes at 1200x700")
    void givenComparisons_whenRender_thenPngDecodesWithExpectedSize() {
        Plot plot = RegressionPlots.render(analysis("unixbench", List.of(ok("a", 3.0), bad("b", -12.0)))).get(0);

        BufferedImage image = decode(plot);

        assertThat(image.getWidth()).isEqualTo(RegressionPlots.WIDTH).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(RegressionPlots.HEIGHT).isEqualTo(700);
    }

    @Test
    @DisplayName("draws a regression in red")
    void givenRegression_whenRender_thenChartHasRedPixels() {
        Plot plot = RegressionPlots.render(analysis("unixbench", List.of(ok("a", 3.0), bad("b", -12.0)))).get(0);

        assertThat(redPixels(decode(plot))).isGreaterThan(RED_PIXEL_THRESHOLD);
    }

    @Test
    @DisplayName("draws no red at all when nothing regressed")
    void givenNoRegression_whenRender_thenChartHasNoRedPixels() {
        Plot plot = RegressionPlots.render(analysis("unixbench", List.of(ok("a", 3.0), ok("b", -12.0)))).get(0);

        assertThat(redPixels(decode(plot))).isZero();
    }

    @Test
    @DisplayName("clips infinite percent changes instead of failing")
    void givenInfinitePctChange_whenRender_thenRendersDecodablePng() {
        VmTestAnalysis test = analysis("unixbench", List.of(
                ok("a", 3.0), bad("b", Double.POSITIVE_INFINITY), ok("c", Double.NEGATIVE_INFINITY)));

        assertThatCode(() -> decode(RegressionPlots.render(test).get(0))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("draws an infinite regression in red when no change is finite")
    void givenOnlyInfinitePctChanges_whenRender_thenRendersRegressionInRed() {
        VmTestAnalysis test = analysis("unixbench", List.of(bad("b", Double.NEGATIVE_INFINITY)));

        assertThat(redPixels(decode(RegressionPlots.render(test).get(0)))).isGreaterThan(RED_PIXEL_THRESHOLD);
    }

    @Test
    @DisplayName("skips the overall chart when it has no comparisons")
    void givenNoOverallComparisons_whenRender_thenNoOverallPlot() {
        VmTestAnalysis test = analysis("unixbench", List.of(), arch("x86_64", List.of(ok("a", 1.0))));

        assertThat(RegressionPlots.render(test)).extracting(Plot::fileName)
                .containsExactly("unixbench-x86_64.png");
    }

    @Test
    @DisplayName("skips an architecture chart that has no comparisons")
    void givenArchWithoutComparisons_whenRender_thenNoPlotForThatArch() {
        VmTestAnalysis test = analysis("unixbench", List.of(ok("a", 1.0)),
                arch("x86_64", List.of()), arch("arm64", List.of(ok("a", 1.0))));

        assertThat(RegressionPlots.render(test)).extracting(Plot::fileName)
                .containsExactly("unixbench-overall.png", "unixbench-arm64.png");
    }

    @Test
    @DisplayName("renders the same bytes twice")
    void givenSameAnalysis_whenRenderTwice_thenIdenticalPngs() {
        VmTestAnalysis test = analysis("unixbench", List.of(ok("a", 3.0), bad("b", -12.0)));

        byte[] first = RegressionPlots.render(test).get(0).png();
        byte[] second = RegressionPlots.render(test).get(0).png();

        assertThat(second).isEqualTo(first);
    }

    @Test
    @DisplayName("draws an improvement in blue and nothing red when only improvements and unflagged changes are present")
    void givenImprovement_whenRender_thenBlueAndNoRed() {
        BufferedImage image = decode(RegressionPlots.render(analysis("ub", List.of(better("a", 4.0), ok("b", -1.0))))
                .get(0));

        assertThat(bluePixels(image)).isGreaterThan(RED_PIXEL_THRESHOLD);
        assertThat(redPixels(image)).isZero();
    }

    @Test
    @DisplayName("the legend names only the kinds of bar present: regression, improvement, unflagged change")
    void givenRegressionAndUnflagged_whenLegend_thenNoImprovementEntry() {
        assertThat(RegressionPlots.legend(List.of(bad("a", -5.0), ok("b", 1.0))))
                .containsExactly(RegressionPlots.REGRESSION, RegressionPlots.UNFLAGGED);
        assertThat(RegressionPlots.legend(List.of(better("a", 5.0))))
                .containsExactly(RegressionPlots.IMPROVEMENT);
    }

    @Test
    @DisplayName("a paired metric's confidence interval and its per-VM changes are drawn and in the legend")
    void givenPairedMetric_whenLegend_thenIntervalAndPerVmEntries() {
        MetricComparison paired = paired(bad("a", -5.0), -6.5, -3.5, List.of(-6.0, -5.0, -4.0));

        assertThat(RegressionPlots.legend(List.of(paired, ok("b", 1.0)))).containsExactly(
                RegressionPlots.REGRESSION, RegressionPlots.UNFLAGGED, RegressionPlots.INTERVAL,
                RegressionPlots.PER_VM);
        assertThatCode(() -> decode(RegressionPlots.render(analysis("ub", List.of(paired))).get(0)))
                .doesNotThrowAnyException();
    }

    @Test
    @DisplayName("per-VM points are left out when a metric was paired over more than 10 VMs")
    void givenManyVms_whenLegend_thenNoPerVmEntry() {
        MetricComparison paired = paired(bad("a", -5.0), -6.5, -3.5,
                IntStream.range(0, 11).mapToObj(i -> -5.0).toList());

        assertThat(RegressionPlots.legend(List.of(paired))).doesNotContain(RegressionPlots.PER_VM)
                .contains(RegressionPlots.INTERVAL);
    }

    @Test
    @DisplayName("an unpaired metric has no interval to draw: no interval entry in the legend")
    void givenUnpairedOnly_whenLegend_thenNoIntervalEntry() {
        assertThat(RegressionPlots.legend(List.of(ok("a", 1.0)))).containsExactly(RegressionPlots.UNFLAGGED);
    }

    @Test
    @DisplayName("the overall chart names the base and tip kernel of every arch, without (+1)")
    void givenTwoArches_whenKernelsByArch_thenBothKernelsNamed() {
        VmTestAnalysis test = new VmTestAnalysis("ub", "6.1.141.x86_64, 6.1.141.arm64", "6.1.150.x86_64, 6.1.150.arm64",
                1, false, List.of(ok("m", 1.0)), List.of(), List.of(
                        new ArchAnalysis("x86_64", "6.1.141.x86_64", "6.1.150.x86_64", 1, false, List.of(ok("m", 1.0))),
                        new ArchAnalysis("arm64", "6.1.141.arm64", "6.1.150.arm64", 1, false, List.of(ok("m", 1.0)))));

        assertThat(RegressionPlots.kernelsByArch(test))
                .contains("x86_64: 6.1.141.x86_64 → 6.1.150.x86_64", "arm64: 6.1.141.arm64 → 6.1.150.arm64")
                .doesNotContain("(+");
    }

    @Test
    @DisplayName("a change more than 3x as large as all others goes to its own panel; similar changes share one")
    void givenOneLargeChange_whenLargeChanges_thenOnlyItIsSeparated() {
        List<MetricComparison> comparisons = List.of(ok("a", 1.0), ok("b", -2.0), bad("c", -27.0), ok("d", 0.5));

        assertThat(RegressionPlots.largeChanges(comparisons)).containsExactly("c");
        assertThat(RegressionPlots.largeChanges(List.of(ok("a", 1.0), ok("b", -2.0), bad("c", -5.0)))).isEmpty();
    }

    private static VmTestAnalysis analysis(String name, List<MetricComparison> overall, ArchAnalysis... arches) {
        boolean regressed = overall.stream().anyMatch(MetricComparison::isRegression);
        return new VmTestAnalysis(name, "6.12.0", "6.13.0-rc1", overall.size(), regressed, overall, List.of(),
                List.of(arches));
    }

    private static ArchAnalysis arch(String arch, List<MetricComparison> comparisons) {
        boolean regressed = comparisons.stream().anyMatch(MetricComparison::isRegression);
        return new ArchAnalysis(arch, "6.1.141", "6.1.150", comparisons.size(), regressed, comparisons);
    }

    private static MetricComparison ok(String metric, double pctChange) {
        return comparison(metric, pctChange, false);
    }

    private static MetricComparison bad(String metric, double pctChange) {
        return comparison(metric, pctChange, true);
    }

    private static MetricComparison better(String metric, double pctChange) {
        return comparison(metric, pctChange, false, true);
    }

    private static MetricComparison comparison(String metric, double pctChange, boolean regression) {
        return comparison(metric, pctChange, regression, false);
    }

    private static MetricComparison comparison(String metric, double pctChange, boolean regression,
            boolean improvement) {
        SampleSummary sample = new SampleSummary(5, 100.0, 100.0, 1.0, 0.01);
        return new MetricComparison(metric, "lps", true, sample, sample, pctChange, 3.0, 0.01, 8.0, 0.0, 0.008,
                "exact", 0.02, 0.016, 2.0, regression, regression, improvement, null);
    }

    /** The comparison made paired over VMs with these changes, its estimate unchanged, its interval as given. */
    private static MetricComparison paired(MetricComparison c, double ciLow, double ciHigh, List<Double> vmChanges) {
        List<PairedComparison.VmChange> vms = IntStream.range(0, vmChanges.size())
                .mapToObj(i -> new PairedComparison.VmChange("i-" + i, 100.0, 100.0 + vmChanges.get(i),
                        vmChanges.get(i)))
                .toList();
        PairedComparison paired = new PairedComparison(vms.size(), false, List.of(), List.of(), vms, c.pctChange(),
                ciLow, ciHigh, 3.0, 2.0, 0.05, 4.0, 10.0, 0.01, 0.02, 6.0, 3.0, 0.05, 0.0, 0.25, "exact");
        return new MetricComparison(c.metric(), c.unit(), c.moreIsBetter(), c.base(), c.tip(), c.pctChange(),
                c.tStatistic(), c.tPvalue(), c.tDf(), c.uStatistic(), c.uPvalue(), c.uMethod(), c.tPvalueAdjusted(),
                c.uPvalueAdjusted(), c.cohensD(), c.worse(), c.isRegression(), c.isImprovement(), paired);
    }

    private static BufferedImage decode(Plot plot) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(plot.png()));
            assertThat(image).as("decoded %s", plot.fileName()).isNotNull();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long redPixels(BufferedImage image) {
        return IntStream.range(0, image.getHeight())
                .mapToLong(y -> IntStream.range(0, image.getWidth())
                        .filter(x -> isClearlyRed(image.getRGB(x, y)))
                        .count())
                .sum();
    }

    private static long bluePixels(BufferedImage image) {
        return IntStream.range(0, image.getHeight())
                .mapToLong(y -> IntStream.range(0, image.getWidth())
                        .filter(x -> isClearlyBlue(image.getRGB(x, y)))
                        .count())
                .sum();
    }

    private static boolean isClearlyBlue(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return b > 150 && r < 80 && g < 150;
    }

    private static boolean isClearlyRed(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return r > 200 && g < 80 && b < 80;
    }
}
