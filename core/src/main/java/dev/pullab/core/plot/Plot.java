package dev.pullab.core.plot;

/**
 * One rendered chart.
 *
 * @param fileName file name to store it under, e.g. {@code unixbench-kernel-regression-overall.png} (unique per
 *                 test and scope: see {@link RegressionPlots})
 * @param png      the PNG bytes
 */
public record Plot(String fileName, byte[] png) {
}
