package dev.pullab.core.validate;

import dev.pullab.core.store.KernelRpmLayout;
import java.util.Collection;
import java.util.List;

/**
 * Whether the storage bucket holds the kernel RPMs a lab's tests need: the seed's layout,
 * {@code kernel-rpms/binary/<arch>/kernel-*.<arch>.rpm}; the regression tests (unixbench, pgbench) compare a base
 * and a tip kernel, so they need at least two per arch.
 */
public final class KernelRpms {

    /** The base and the tip. */
    public static final int REGRESSION_MINIMUM = 2;
    /** The arches the seed's layout has. */
    public static final List<String> ARCHES = KernelRpmLayout.ARCHES;

    private KernelRpms() {
    }

    /** The folder of one arch's binary kernel RPMs. */
    public static String prefix(String arch) {
        return KernelRpmLayout.binaryFolder(arch);
    }

    /** Whether {@code arch} is one the layout has. */
    public static boolean isArch(String arch) {
        return arch != null && ARCHES.contains(arch);
    }

    /**
     * @param arch    {@code x86_64} or {@code aarch64}
     * @param bucket  the storage bucket (for the message)
     * @param keys    the keys under {@link #prefix(String)}
     * @param minimum how many kernels the tests need
     */
    public static Check check(String arch, String bucket, Collection<String> keys, int minimum) {
        String name = "kernel rpms " + arch;
        String where = "s3://" + bucket + "/" + prefix(arch);
        long kernels = keys.stream().filter(k -> k.startsWith(prefix(arch)))
                .map(k -> k.substring(prefix(arch).length()))
                .filter(f -> !f.contains("/") && f.startsWith("kernel") && f.endsWith("." + arch + ".rpm"))
                .count();
        if (kernels >= minimum) {
            return Check.ok(name, kernels + " kernel RPMs in " + where);
        }
        return Check.problem(name, kernels + " kernel RPM" + (kernels == 1 ? "" : "s") + " in " + where
                + ", the regression tests need at least " + minimum + " (base and tip)",
                "pullab upload-rpms DIR (a directory with the base and tip kernel-*." + arch + ".rpm)");
    }
}
