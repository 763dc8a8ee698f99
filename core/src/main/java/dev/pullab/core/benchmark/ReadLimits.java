package dev.pullab.core.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How many bytes of VM output the analysis reads into memory: per file, per VM and per run. A file beyond a limit is
 * not read at all; it becomes a named problem (the VM's benchmark files are left out of the analysis, its results
 * file is reported as unusable) and the run still closes and reports.
 *
 * <p>Real benchmark CSVs are a few kilobytes and a {@code results.json} of thousands of tests a megabyte, so the
 * defaults ({@value #DEFAULT_PER_FILE_MIB} MiB per file, {@value #DEFAULT_PER_VM_MIB} MiB per VM,
 * {@value #DEFAULT_PER_RUN_MIB} MiB per run) are generous; they exist so that a runaway or hostile VM (two 60 MB CSVs)
 * cannot exhaust the analyzer's heap on every retry and keep the run from ever closing. Parsed, a CSV takes about
 * five times its size (one sample per row): 64 MiB of CSVs fit a 400 MB heap, 128 MiB a 700 MB one, 256 MiB not even that.
 *
 * @param perFileBytes the largest file read
 * @param perVmBytes   the most bytes read of one VM's files together
 * @param perRunBytes  the most bytes read of one run's files together
 */
public record ReadLimits(long perFileBytes, long perVmBytes, long perRunBytes) {

    public static final int DEFAULT_PER_FILE_MIB = 16;
    public static final int DEFAULT_PER_VM_MIB = 32;
    public static final int DEFAULT_PER_RUN_MIB = 64;
    private static final long MIB = 1L << 20;

    /** 16 MiB per file, 32 MiB per VM, 64 MiB per run. */
    public static final ReadLimits DEFAULTS =
            new ReadLimits(DEFAULT_PER_FILE_MIB * MIB, DEFAULT_PER_VM_MIB * MIB, DEFAULT_PER_RUN_MIB * MIB);

    public ReadLimits {
        if (perFileBytes <= 0 || perVmBytes <= 0 || perRunBytes <= 0) {
            throw new IllegalArgumentException("read limits must be positive, got " + perFileBytes + " per file, "
                    + perVmBytes + " per VM, " + perRunBytes + " per run");
        }
        if (perFileBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the per-file read limit must be below 2 GiB, got " + perFileBytes);
        }
    }

    /** A fresh budget for one pass over one run's files. */
    public Budget budget() {
        return new Budget(this);
    }

    /**
     * Reads {@code in} up to {@code limit + 1} bytes: a result longer than {@code limit} means the input is over the
     * limit (and was not read further).
     */
    public static byte[] readAtMost(InputStream in, long limit) throws IOException {
        return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    }

    /** {@code 16 MiB} or {@code 1000 bytes}. */
    static String size(long bytes) {
        return bytes % MIB == 0 ? bytes / MIB + " MiB" : String.format(Locale.ROOT, "%d bytes", bytes);
    }

    /**
     * The bytes read so far of one run, per VM. Not thread-safe: one pass, one thread. Files must be offered in a
     * stable order (e.g. by key) so that which file a per-VM or per-run limit refuses does not depend on listing
     * order.
     */
    public static final class Budget {
        private final ReadLimits limits;
        private final Map<String, Long> perVm = new HashMap<>();
        private long run;

        private Budget(ReadLimits limits) {
            this.limits = limits;
        }

        /** The largest number of bytes to read of the next file (to tell a file that grew beyond the limit). */
        public long perFileBytes() {
            return limits.perFileBytes();
        }

        /**
         * Takes {@code size} bytes of VM {@code vm} from the budget, or refuses them.
         *
         * @return empty when the file may be read (its bytes are counted), else why not, naming the limit
         */
        public Optional<String> admit(String vm, long size) {
            if (size > limits.perFileBytes()) {
                return Optional.of("not read: " + size + " bytes is over the limit of " + size(limits.perFileBytes())
                        + " per file");
            }
            long vmTotal = perVm.getOrDefault(vm, 0L) + size;
            if (vmTotal > limits.perVmBytes()) {
                return Optional.of("not read: with its " + size + " bytes this VM's files would exceed the limit of "
                        + size(limits.perVmBytes()) + " per VM");
            }
            if (run + size > limits.perRunBytes()) {
                return Optional.of("not read: with its " + size + " bytes the run's files would exceed the limit of "
                        + size(limits.perRunBytes()) + " per run");
            }
            perVm.put(vm, vmTotal);
            run += size;
            return Optional.empty();
        }

        /** The reason for a file that turned out larger than the per-file limit while it was read. */
        public String grewBeyondLimit() {
            return "not read: more than " + limits.perFileBytes() + " bytes, over the limit of "
                    + size(limits.perFileBytes()) + " per file";
        }
    }
}
