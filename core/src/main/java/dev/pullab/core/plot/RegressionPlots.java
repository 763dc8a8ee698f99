package dev.pullab.core.plot;

import dev.pullab.core.analysis.ArchAnalysis;
import dev.pullab.core.analysis.MetricComparison;
import dev.pullab.core.analysis.PairedComparison;
import dev.pullab.core.analysis.VmTestAnalysis;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.EnumSet;
import java.util.Set;
import javax.imageio.ImageIO;
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
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;
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
 * {@link MetricComparison#change()}: the paired estimate when the metric was compared paired, else the change of the
 * tip mean against the base mean, in percent. The metric names are written vertically under the bars. The colour is
 * the verdict, not the sign (whether a positive change is good depends on the metric's direction): red for a
 * regression ({@link MetricComparison#isRegression()}), blue for an improvement
 * ({@link MetricComparison#isImprovement()}), grey for a change flagged neither way. A paired metric carries its
 * 95 % confidence interval ({@link PairedComparison#ciLowPct()} to {@link PairedComparison#ciHighPct()}) as a black
 * whisker and, when it was paired over at most {@value #MAX_VMS_FOR_POINTS} VMs, each VM's own change as a dot. The
 * legend (below the plot) lists only what is drawn ({@link #legend}). The title reads {@code <test> (<arch or
 * overall>)}; the line at the bottom names the base and tip kernel of the arch, or of every arch on the overall
 * chart ({@link #kernelsByArch}). When a few metrics changed more than {@value #LARGE_FACTOR}× as much as all
 * others ({@link #largeChanges}), they are drawn in a second panel on the right, "large changes", with its own
 * scale, so that the others stay readable.
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

    /** Legend name of the bars flagged as regressions. */
    static final String REGRESSION = "regression";
    /** Legend name of the bars flagged as improvements. */
    static final String IMPROVEMENT = "improvement";
    /** Legend name of the bars not flagged either way. */
    static final String UNFLAGGED = "no significant change";
    /** Legend name of the confidence-interval whiskers. */
    static final String INTERVAL = "95 % confidence interval";
    /** Legend name of the per-VM changes. */
    static final String PER_VM = "per-VM change";
    /** Per-VM points are drawn when a metric was paired over at most this many VMs. */
    static final int MAX_VMS_FOR_POINTS = 10;
    /** A change this many times larger than all others goes to the second panel. */
    static final double LARGE_FACTOR = 3.0;
    /** At most this many metrics go to the second panel. */
    static final int MAX_LARGE = 4;
    /** Height of the line under the overall chart that names each arch's kernels. */
    private static final int KERNELS_STRIP = 22;

    private static final Color REGRESSION_COLOR = new Color(0xD6, 0x1F, 0x1F);
    private static final Color IMPROVEMENT_COLOR = new Color(0x1F, 0x77, 0xB4);
    private static final Color UNFLAGGED_COLOR = new Color(0xB0, 0xB0, 0xB0);
    private static final Color VM_POINT_COLOR = new Color(0x33, 0x33, 0x33);
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
        plot(test.test(), OVERALL, test.test() + " (" + OVERALL + ")", kernelsByArch(test), test.comparisons())
                .ifPresent(plots::add);
        for (ArchAnalysis arch : test.byArch()) {
            plot(test.test(), archFileName(arch.arch()), test.test() + " (" + arch.arch() + ")",
                    arch.arch() + ": " + arch.baseKernel() + " → " + arch.tipKernel(), arch.comparisons()).ifPresent(plots::add);
        }
        return List.copyOf(plots);
    }

    private static Optional<Plot> plot(String test, String fileScope, String title, String kernels,
            List<MetricComparison> comparisons) {
        if (comparisons.isEmpty()) {
            return Optional.empty();
        }
        List<Bar> all = bars(comparisons);
        List<Bar> large = largeBars(all);
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        all.forEach(b -> kinds.add(b.kind()));
        int chartHeight = kernels.isEmpty() ? HEIGHT : HEIGHT - KERNELS_STRIP;
        if (large.isEmpty()) {
            return Optional.of(new Plot(fileName(test, fileScope),
                    png(chart(title, all, kinds, WIDTH, chartHeight), null, WIDTH, kernels)));
        }
        List<Bar> small = all.stream().filter(b -> !large.contains(b)).toList();
        int rightWidth = Math.min(WIDTH / 2, 200 + 70 * large.size());
        CategoryChart left = chart(title, small, kinds, WIDTH - rightWidth, chartHeight);
        CategoryChart right = chart("large changes", large, kinds, rightWidth, chartHeight);
        right.getStyler().setLegendVisible(false);
        right.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        return Optional.of(new Plot(fileName(test, fileScope), png(left, right, WIDTH - rightWidth, kernels)));
    }

    /** The metrics whose change is {@value #LARGE_FACTOR}× as large as any other's, as large changes' names. */
    static List<String> largeChanges(List<MetricComparison> comparisons) {
        return largeBars(bars(comparisons)).stream().map(Bar::label).toList();
    }

    /**
     * The few bars ({@value #MAX_LARGE} at most, and at most a third of them) whose magnitude is more than
     * {@value #LARGE_FACTOR}× that of every other bar: drawn in a second panel with its own scale so that they do
     * not squash the others. Empty when no such gap exists or the others are all 0.
     */
    private static List<Bar> largeBars(List<Bar> bars) {
        double[] magnitudes = bars.stream().mapToDouble(b -> Math.abs(b.value())).sorted().toArray();
        int n = magnitudes.length;
        for (int k = 1; k <= Math.min(MAX_LARGE, n / 3); k++) {
            double smallestLarge = magnitudes[n - k];
            double largestSmall = magnitudes[n - k - 1];
            if (largestSmall > 0.0 && smallestLarge > LARGE_FACTOR * largestSmall) {
                return bars.stream().filter(b -> Math.abs(b.value()) >= smallestLarge).toList();
            }
        }
        return List.of();
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

    /** The line under the overall chart: each arch with its base and tip kernel. */
    static String kernelsByArch(VmTestAnalysis test) {
        if (test.byArch().isEmpty()) {
            return test.baseKernel() + " → " + test.tipKernel();
        }
        return test.byArch().stream().map(a -> a.arch() + ": " + a.baseKernel() + " → " + a.tipKernel())
                .collect(java.util.stream.Collectors.joining("  |  "));
    }

    /** How a bar is coloured: by the verdict, not by the sign. */
    enum Kind {
        REGRESSED(REGRESSION, REGRESSION_COLOR),
        IMPROVED(IMPROVEMENT, IMPROVEMENT_COLOR),
        UNFLAGGED_CHANGE(UNFLAGGED, UNFLAGGED_COLOR);

        final String legend;
        final Color color;

        Kind(String legend, Color color) {
            this.legend = legend;
            this.color = color;
        }

        static Kind of(MetricComparison comparison) {
            if (comparison.isRegression()) {
                return REGRESSED;
            }
            return comparison.isImprovement() ? IMPROVED : UNFLAGGED_CHANGE;
        }
    }

    /**
     * One bar to draw: its axis label, drawable height, colour class, the confidence interval of the change (the
     * paired comparison's; equal to the value when the metric was compared unpaired) and the per-VM changes.
     */
    private record Bar(String label, double value, Kind kind, double ciLow, double ciHigh, List<Double> vmChanges) {
        boolean hasInterval() {
            return ciHigh > ciLow;
        }
    }

    private static List<Bar> bars(List<MetricComparison> comparisons) {
        double clip = clipMagnitude(comparisons);
        return comparisons.stream().map(c -> bar(c, clip)).toList();
    }

    private static double clipMagnitude(List<MetricComparison> comparisons) {
        double largest = comparisons.stream()
                .mapToDouble(MetricComparison::change)
                .filter(Double::isFinite)
                .map(Math::abs)
                .max()
                .orElse(0.0);
        return largest > 0.0 ? largest : CLIP_WITHOUT_FINITE;
    }

    private static Bar bar(MetricComparison comparison, double clip) {
        double pct = comparison.change(); // the paired estimate when paired: the number the verdict is about
        Kind kind = Kind.of(comparison);
        if (Double.isNaN(pct)) {
            return new Bar(comparison.metric() + " (nan)", 0.0, kind, 0.0, 0.0, List.of());
        }
        if (Double.isInfinite(pct)) {
            double clipped = Math.copySign(clip, pct);
            return new Bar(comparison.metric() + " (inf)", clipped, kind, clipped, clipped, List.of());
        }
        PairedComparison paired = comparison.paired();
        if (paired == null || !Double.isFinite(paired.ciLowPct()) || !Double.isFinite(paired.ciHighPct())) {
            return new Bar(comparison.metric(), pct, kind, pct, pct, List.of());
        }
        List<Double> vms = paired.vmChanges().size() <= MAX_VMS_FOR_POINTS
                ? paired.vmChanges().stream().map(PairedComparison.VmChange::changePct).filter(Double::isFinite)
                        .toList()
                : List.of();
        return new Bar(comparison.metric(), pct, kind, paired.ciLowPct(), paired.ciHighPct(), vms);
    }

    private static CategoryChart chart(String title, List<Bar> bars, Set<Kind> legendKinds, int width, int height) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .yAxisTitle("change vs base (%)")
                .build();
        style(chart.getStyler());
        chart.getStyler().setXAxisTitleVisible(false);
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(LegendLayout.Horizontal);
        for (Kind kind : Kind.values()) {
            if (legendKinds.contains(kind)) {
                addSeries(chart, bars, kind);
            }
        }
        addIntervals(chart, bars);
        addVmPoints(chart, bars);
        return chart;
    }

    /** The names of the legend entries a chart of these comparisons shows, in order: only what is drawn. */
    static List<String> legend(List<MetricComparison> comparisons) {
        List<Bar> bars = bars(comparisons);
        List<String> names = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (bars.stream().anyMatch(b -> b.kind() == kind)) {
                names.add(kind.legend);
            }
        }
        if (bars.stream().anyMatch(Bar::hasInterval)) {
            names.add(INTERVAL);
        }
        if (bars.stream().anyMatch(b -> !b.vmChanges().isEmpty())) {
            names.add(PER_VM);
        }
        return List.copyOf(names);
    }

    /** Adds the bars of one kind, unless it has none (keeps its colour out of the legend). */
    private static void addSeries(CategoryChart chart, List<Bar> bars, Kind kind) {
        List<String> labels = bars.stream().map(Bar::label).toList();
        List<Double> values = bars.stream().map(b -> b.kind() == kind ? b.value() : 0.0).toList();
        chart.addSeries(kind.legend, labels, values).setFillColor(kind.color);
    }

    /**
     * The confidence intervals as whiskers: XChart's error bars are symmetric, so an invisible point at the middle
     * of each interval carries a whisker of half its width, which spans the (asymmetric) interval exactly.
     */
    private static void addIntervals(CategoryChart chart, List<Bar> bars) {
        if (bars.stream().noneMatch(Bar::hasInterval)) {
            return;
        }
        List<String> labels = bars.stream().map(Bar::label).toList();
        List<Double> middles = bars.stream().map(b -> (b.ciLow() + b.ciHigh()) / 2.0).toList();
        List<Double> halfWidths = bars.stream().map(b -> (b.ciHigh() - b.ciLow()) / 2.0).toList();
        CategorySeries series = chart.addSeries(INTERVAL, labels, middles, halfWidths);
        series.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Scatter);
        series.setMarker(SeriesMarkers.NONE);
        series.setMarkerColor(Color.BLACK);
        series.setLineColor(Color.BLACK);
    }

    /** Each VM's own change as a small dot, when a metric was paired over few VMs. */
    private static void addVmPoints(CategoryChart chart, List<Bar> bars) {
        int most = bars.stream().mapToInt(b -> b.vmChanges().size()).max().orElse(0);
        List<String> labels = bars.stream().map(Bar::label).toList();
        for (int vm = 0; vm < most; vm++) {
            int index = vm;
            // a bar with fewer VMs repeats its estimate: hidden under the whisker's middle, never a false point
            List<Double> values = bars.stream()
                    .map(b -> index < b.vmChanges().size() ? b.vmChanges().get(index) : b.value()).toList();
            CategorySeries series = chart.addSeries(vm == 0 ? PER_VM : PER_VM + " " + (vm + 1), labels, values);
            series.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Scatter);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(VM_POINT_COLOR);
            series.setShowInLegend(vm == 0);
        }
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
        styler.setErrorBarsColor(Color.BLACK);
        styler.setMarkerSize(5);
    }

    /** Signed tick labels ({@code -12}, {@code 0}, {@code +2.5}), independent of the default locale. */
    private static Function<Double, String> percentFormat() {
        DecimalFormat format = new DecimalFormat("+0.##;-0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
        return value -> value == 0.0 ? "0" : format.format(value);
    }

    /**
     * The chart, a second panel (when not null) at {@code split} pixels from the left, and the kernels line (when
     * not empty) across the bottom.
     */
    private static byte[] png(CategoryChart left, CategoryChart right, int split, String kernels) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.drawImage(BitmapEncoder.getBufferedImage(left), 0, 0, null);
        if (right != null) {
            g.drawImage(BitmapEncoder.getBufferedImage(right), split, 0, null);
        }
        if (!kernels.isEmpty()) {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int textWidth = g.getFontMetrics().stringWidth(kernels);
            g.drawString(kernels, Math.max(4, (WIDTH - textWidth) / 2), HEIGHT - 7);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart " + left.getTitle() + " as PNG", e);
        }
        return out.toByteArray();
    }

}
