package dev.pullab.core.store;

import java.util.List;
import java.util.Optional;

/**
 * Where kernel RPMs live in the storage bucket (the seed's layout, which the vm-tests read under {@code ../shared/}):
 * {@code kernel-rpms/binary/<arch>/NAME.<arch>.rpm} for x86_64 and aarch64, {@code kernel-rpms/src/NAME.src.rpm}.
 * The one statement of it: {@code pullab upload-rpms} files RPMs by it, {@code pullab validate} counts them by it.
 */
public final class KernelRpmLayout {

    /** The arches of binary kernel RPMs. */
    public static final List<String> ARCHES = List.of("x86_64", "aarch64");
    /** The folder of source RPMs. */
    public static final String SOURCE_FOLDER = "kernel-rpms/src/";

    private KernelRpmLayout() {
    }

    /** The folder of one arch's binary kernel RPMs. */
    public static String binaryFolder(String arch) {
        if (!ARCHES.contains(arch)) {
            throw new IllegalArgumentException("not an arch of the kernel RPM layout: " + arch + " (" + ARCHES + ")");
        }
        return "kernel-rpms/binary/" + arch + "/";
    }

    /** The folder a file goes to by its name's suffix ({@code .x86_64.rpm}, {@code .aarch64.rpm}, {@code .src.rpm}). */
    public static Optional<String> folderOf(String fileName) {
        if (fileName.endsWith(".src.rpm")) {
            return Optional.of(SOURCE_FOLDER);
        }
        return ARCHES.stream().filter(arch -> fileName.endsWith("." + arch + ".rpm")).findFirst()
                .map(KernelRpmLayout::binaryFolder);
    }
}
