package dev.pullab.cli;

import dev.pullab.core.store.StorageUploader;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Upload progress of large files on stderr: bytes sent and percent, at most every {@link #INTERVAL_NANOS} and once at
 * the end; rewritten in place on a terminal, one line each time otherwise (CI logs). Files under
 * {@link #LARGE_FILE_BYTES} show nothing. One instance per command run; told by one thread.
 */
final class TransferProgress implements StorageUploader.Transfer {

    static final long LARGE_FILE_BYTES = 8L * 1024 * 1024;
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final PrintWriter err;
    private final boolean interactive;
    private final LongSupplier nanoTime;
    private String key = "";
    private long lastShown;

    TransferProgress(PrintWriter err, boolean interactive, LongSupplier nanoTime) {
        this.err = err;
        this.interactive = interactive;
        this.nanoTime = nanoTime;
    }

    @Override
    public void sent(String key, long sent, long size) {
        if (size < LARGE_FILE_BYTES) {
            return;
        }
        long now = nanoTime.getAsLong();
        boolean last = sent >= size;
        if (!key.equals(this.key)) {
            this.key = key;
            lastShown = now;
        } else if (!last && now - lastShown < INTERVAL_NANOS) {
            return;
        }
        lastShown = now;
        String line = String.format(Locale.ROOT, "  %s: %s of %s (%d %%)", key.substring(key.lastIndexOf('/') + 1),
                size(sent), size(size), sent * 100 / size);
        if (interactive) {
            err.print("\r" + line + (last ? "\n" : ""));
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Bytes as B, KiB or MiB with one decimal. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        return bytes < 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
