package dev.pullab.core.plot;

import dev.pullab.core.analysis.ArchAnalysis;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.VmTestAnalysis;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.AxesChartStyler.TextAlignment;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Renders the percent-change bar charts of one test's regression analysis (base kernel against tip kernel) as PNG.
 *
 * <p>One chart is drawn for the whole test ({@link VmTestAnalysis#comparisons()}, file {@code <test>-overall.png}) and
 * one per architecture ({@link VmTestAnalysis#byArch()}, file {@code <test>-<arch>.png}); test and architecture are
 * sanitised to {@code [A-Za-z0-9._-]} in file names (at most 100 characters each), and a name that sanitising
 * changed (or an arch named {@code overall}) gets {@code ~} and 8 hex digits of its SHA-256, so names that sanitise
 * alike ({@code x86/64} and {@code x86_64}) never overwrite each other's chart; an arch's {@code -} counts as unsafe
 * (it becomes {@code _} and gets the hash), so the last {@code -} always separates test from arch. A chart without comparisons is
 * skipped.
 *
 * <p>Each chart has one vertical bar per metric, in comparison order, whose height is
 * {@link MetricComparison#change()}: the paired estimate when the metric was compared paired, else the change of the tip mean against the base mean, in percent. The metric
 * names are written vertically under the bars. Bars of metrics flagged as regressions
 * ({@link MetricComparison#isRegression()}) are red, all others steel blue; the legend names the two ("regression",
 * "no regression"). A series without bars is left out, so a chart without regression has no red at all. Whether a
 * positive change is good depends on the metric's direction, so the colour, not the sign, tells a regression. The
 * title reads {@code <test> (<arch or overall>): <base kernel> → <tip kernel>}.
 *
 * <p>A percent change that is not finite (±Infinity when the base mean is 0) cannot be drawn: its bar is clipped to
 * the largest finite magnitude of the chart (100 when all finite changes are 0) with the same sign, and
 * {@code " (inf)"} is appended to its label ({@code " (nan)"} and a zero bar for NaN).
 *
 * <p>The images are {@value #WIDTH}×{@value #HEIGHT} on white and deterministic (no timestamps). Rendering uses
 * Java2D only and works headless ({@code -Djava.awt.headless=true}); text needs at least one font the JVM can find.
 */
public final class RegressionPlots {

    /** Image width in pixels. */
    public static final int WIDTH = 1200;
    /** Image height in pixels. */
    public static final int HEIGHT = 700;

    private static final String REGRESSION = "regression";
    private static final String NO_REGRESSION = "no regression";

    private static final Color REGRESSION_COLOR = new Color(0xD6, 0x1F, 0x1F);
    private static final Color NEUTRAL_COLOR = new Color(0x46, 0x82, 0xB4);
    private static final Color GRID_COLOR = new Color(0xDD, 0xDD, 0xDD);
    private static final double CLIP_WITHOUT_FINITE = 100.0;
    private static final Pattern UNSAFE_FILE_CHARS = Pattern.compile("[^A-Za-z0-9._-]");
    private static final Pattern UNSAFE_ARCH_CHARS = Pattern.compile("[^A-Za-z0-9._]");
    private static final String OVERALL = "overall";
    private static final int MAX_NAME_CHARS = 100;

    private RegressionPlots() {
    }

    /**
     * Renders the overall chart and one chart per architecture of a test, skipping those without comparisons.
     *
     * @param test the analysis of one test
     * @return the overall chart (if any) followed by the per-architecture charts, in {@code byArch} order
     */
    public static List<Plot> render(VmTestAnalysis test) {
        List<Plot> plots = new ArrayList<>();
        plot(test.test(), OVERALL, title(test.test(), OVERALL, test.baseKernel(), test.tipKernel()),
                test.comparisons()).ifPresent(plots::add);
        for (ArchAnalysis arch : test.byArch()) {
            plot(test.test(), archFileName(arch.arch()), title(test.test(), arch.arch(), arch.baseKernel(), arch.tipKernel()),
                    arch.comparisons()).ifPresent(plots::add);
        }
        return List.copyOf(plots);
    }

    private static Optional<Plot> plot(String test, String fileScope, String title, List<MetricComparison> comparisons) {
        if (comparisons.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Plot(fileName(test, fileScope), png(chart(title, bars(comparisons)))));
    }

    private static String fileName(String test, String scope) {
        return fileNamePart(test, UNSAFE_FILE_CHARS) + "-" + scope + ".png";
    }

    /**
     * An arch's part of its chart's file name: without {@code -}, so that the last {@code -} of a file name always
     * separates test from arch (test {@code a-b} arch {@code c} and test {@code a} arch {@code b-c} differ), and an
     * arch named {@code overall} does not take the overall chart's name.
     */
    private static String archFileName(String arch) {
        return arch.equals(OVERALL) ? OVERALL + "~" + shortHash(arch) : fileNamePart(arch, UNSAFE_ARCH_CHARS);
    }

    /**
     * A name as it may appear in a file name: {@code [A-Za-z0-9._-]}, at most {@value #MAX_NAME_CHARS} characters,
     * and, when that changed it, followed by {@code ~} and 8 hex digits
     * of the SHA-256 of the original name, so that two names that sanitise alike ({@code x86/64}, {@code x86_64})
     * never share a file.
     */
    private static String fileNamePart(String name, Pattern unsafe) {
        String safe = unsafe.matcher(name).replaceAll("_");
        if (safe.length() > MAX_NAME_CHARS) {
            safe = safe.substring(0, MAX_NAME_CHARS);
        }
        if (safe.equals(name) && !name.isEmpty()) {
            return name;
        }
        return safe + "~" + shortHash(name);
    }

    private static String shortHash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String title(String test, String scope, String baseKernel, String tipKernel) {
        return test + " (" + scope + "): " + firstKernel(baseKernel) + " → " + firstKernel(tipKernel);
    }

    /** A mixed-arch run lists several kernel builds; the title names the first and counts the others. */
    private static String firstKernel(String kernels) {
        String[] all = kernels.split(", ");
        return all.length == 1 ? kernels : all[0] + " (+" + (all.length - 1) + ")";
    }

    /** One bar to draw: its axis label, drawable height and colour class. */
    private record Bar(String label, double value, boolean regression) {
    }

    private static List<Bar> bars(List<MetricComparison> comparisons) {
        double clip = clipMagnitude(comparisons);
        return comparisons.stream().map(c -> bar(c, clip)).toList();
    }

    private static double clipMagnitude(List<MetricComparison> comparisons) {
        double largest = comparisons.stream()
                .mapToDouble(MetricComparison::pctChange)
                .filter(Double::isFinite)
                .map(Math::abs)
                .max()
                .orElse(0.0);
        return largest > 0.0 ? largest : CLIP_WITHOUT_FINITE;
    }

    private static Bar bar(MetricComparison comparison, double clip) {
        double pct = comparison.change(); // the paired estimate when paired: the number the verdict is about
        if (Double.isNaN(pct)) {
            return new Bar(comparison.metric() + " (nan)", 0.0, comparison.isRegression());
        }
        if (Double.isInfinite(pct)) {
            return new Bar(comparison.metric() + " (inf)", Math.copySign(clip, pct), comparison.isRegression());
        }
        return new Bar(comparison.metric(), pct, comparison.isRegression());
    }

    private static CategoryChart chart(String title, List<Bar> bars) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .yAxisTitle("change vs base (%)")
                .build();
        style(chart.getStyler());
        addSeries(chart, bars, true);
        addSeries(chart, bars, false);
        return chart;
    }

    /** Adds the regression or the no-regression series, unless it has no bar (keeps its colour out of the legend). */
    private static void addSeries(CategoryChart chart, List<Bar> bars, boolean regression) {
        if (bars.stream().noneMatch(b -> b.regression() == regression)) {
            return;
        }
        List<String> labels = bars.stream().map(Bar::label).toList();
        chart.addSeries(regression ? REGRESSION : NO_REGRESSION, labels, values(bars, regression))
                .setFillColor(regression ? REGRESSION_COLOR : NEUTRAL_COLOR);
    }

    /** The bar heights of one series; 0 where the bar belongs to the other series (hidden by the overlap). */
    private static List<Double> values(List<Bar> bars, boolean regression) {
        return bars.stream().map(b -> b.regression() == regression ? b.value() : 0.0).toList();
    }

    private static void style(CategoryStyler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Color.GRAY);
        styler.setPlotGridLinesColor(GRID_COLOR);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setChartTitleBoxVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setXAxisTitleVisible(false);
        styler.setXAxisLabelRotation(90);
        styler.setXAxisLabelAlignmentVertical(TextAlignment.Right);
        styler.setLocale(Locale.ROOT);
        styler.setyAxisTickLabelsFormattingFunction(percentFormat());
        styler.setOverlapped(true);
        styler.setAvailableSpaceFill(0.7);
        styler.setLegendPosition(LegendPosition.OutsideE);
        styler.setLegendLayout(LegendLayout.Vertical);
        styler.setLegendBorderColor(Color.GRAY);
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setToolTipsEnabled(false);
    }

    /** Signed tick labels ({@code -12}, {@code 0}, {@code +2.5}), independent of the default locale. */
    private static Function<Double, String> percentFormat() {
        DecimalFormat format = new DecimalFormat("+0.##;-0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
        return value -> value == 0.0 ? "0" : format.format(value);
    }

    private static byte[] png(CategoryChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart " + chart.getTitle() + " as PNG", e);
        }
    }
}
