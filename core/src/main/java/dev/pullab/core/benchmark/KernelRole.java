package dev.pullab.core.benchmark;

import java.util.Locale;

/** Which of the two kernels of a regression run a measurement was taken on. */
public enum KernelRole {
    /** The reference kernel ({@code benchmark-base*.csv}). */
    BASE,
    /** The kernel under test ({@code benchmark-tip*.csv}). */
    TIP;

    /** The name used in file names and reports: {@code base} or {@code tip}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
