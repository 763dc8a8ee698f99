package dev.pullab.cli;

import dev.pullab.core.benchmark.DownloadProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Download progress on stderr: one line rewritten in place on a terminal, a line every 10 % otherwise
 * (so CI logs stay short).
 */
final class ConsoleProgress implements DownloadProgress {

    private final PrintWriter err;
    private final String location;
    private final boolean interactive;
    private int lastDecile = -1;

    ConsoleProgress(PrintWriter err, String location, boolean interactive) {
        this.err = err;
        this.location = location;
        this.interactive = interactive;
    }

    @Override
    public void fetched(int filesDone, int filesTotal, long bytesDone) {
        String line = String.format(Locale.ROOT, "Fetching benchmark files from %s: %d/%d (%s)",
                location, filesDone, filesTotal, size(bytesDone));
        boolean last = filesDone == filesTotal;
        if (interactive) {
            err.print("\r" + line + (last ? "\n" : ""));
        } else {
            int decile = filesTotal == 0 ? 10 : filesDone * 10 / filesTotal;
            if (decile != lastDecile || last) {
                err.println(line);
                lastDecile = decile;
            }
        }
        err.flush();
    }

    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        return bytes < 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
