package dev.pullab.cli.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Copies a run's outputs (each VM's {@code test_<test>/output/<instance>/…} and the run's {@code analysis/…}) from the
 * results bucket to a local directory. The keys were written by test VMs, which run job-supplied code as root: each is
 * hostile until checked, so only keys made of plain path segments land, always inside the directory, never through a
 * link, and within bounds on count and size.
 *
 * @param maxFiles     at most this many files
 * @param maxFileBytes a larger object is skipped
 * @param maxBytes     at most this many bytes in all
 */
public record RunDownload(int maxFiles, long maxFileBytes, long maxBytes) {

    /** The bounds of {@code pullab run --results-dir}. */
    public static final RunDownload DEFAULT = new RunDownload(5_000, 256L << 20, 2L << 30);

    /** One path segment: what pullab's VMs and the analyzer write (names, instance ids, dotted file names). */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+=@,-]{0,254}");
    private static final int MAX_DEPTH = 12;

    /**
     * What was copied.
     *
     * @param files   files written
     * @param bytes   their total size
     * @param skipped keys left in the bucket, each with why
     */
    public record Summary(int files, long bytes, List<String> skipped) {
        public Summary {
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Where an object of the run lands under {@code root}, or empty when its key is not one to copy: outside the run,
     * not an output or analysis file, or not made of plain segments ({@code ..}, {@code .}, empty, control or other
     * characters, a leading dot or dash, too deep).
     */
    public static Optional<Path> target(Path root, String runPrefix, String key) {
        String start = runPrefix + "/";
        if (!key.startsWith(start)) {
            return Optional.empty();
        }
        String relative = key.substring(start.length());
        String[] segments = relative.split("/", -1);
        if (segments.length < 2 || segments.length > MAX_DEPTH) {
            return Optional.empty();
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals("..")) {
                return Optional.empty();
            }
        }
        boolean output = segments[0].startsWith("test_") && segments.length >= 4 && segments[1].equals("output");
        boolean analysis = segments[0].equals("analysis");
        if (!output && !analysis) {
            return Optional.empty();
        }
        Path base = root.toAbsolutePath().normalize();
        Path file = base.resolve(relative).normalize();
        return file.startsWith(base) && !file.equals(base) ? Optional.of(file) : Optional.empty();
    }

    /** Copies the run's outputs under {@code root} (created if needed), reporting each file through the listener. */
    public Summary download(S3Client s3, String bucket, String runPrefix, Path root,
            java.util.function.Consumer<String> progress) throws IOException {
        Files.createDirectories(root);
        Path realRoot = root.toRealPath();
        List<String> skipped = new ArrayList<>();
        int files = 0;
        long bytes = 0;
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(runPrefix + "/")).contents()) {
            Optional<Path> target = target(realRoot, runPrefix, object.key());
            if (target.isEmpty()) {
                if (wanted(runPrefix, object.key())) {
                    skipped.add(printable(object.key()) + ": not a plain relative path");
                }
                continue;
            }
            if (files >= maxFiles) {
                skipped.add(printable(object.key()) + ": over " + maxFiles + " files");
                continue;
            }
            long size = object.size() == null ? 0 : object.size();
            if (size > maxFileBytes) {
                skipped.add(printable(object.key()) + ": " + size + " bytes, over " + maxFileBytes);
                continue;
            }
            if (bytes + size > maxBytes) {
                skipped.add(printable(object.key()) + ": over " + maxBytes + " bytes in all");
                continue;
            }
            Path file = target.get();
            Files.createDirectories(file.getParent());
            if (!file.getParent().toRealPath().startsWith(realRoot)
                    || Files.isSymbolicLink(file) || Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                skipped.add(printable(object.key()) + ": something other than a file is in the way at " + file);
                continue;
            }
            long written = copy(s3, bucket, object.key(), file, maxFileBytes);
            files++;
            bytes += written;
            progress.accept(realRoot.relativize(file) + " (" + written + " bytes)");
        }
        return new Summary(files, bytes, skipped);
    }

    /** A key under the run's outputs or analysis (copied when its path is also plain). */
    private static boolean wanted(String runPrefix, String key) {
        String start = runPrefix + "/";
        if (!key.startsWith(start)) {
            return false;
        }
        String relative = key.substring(start.length());
        return relative.startsWith("analysis/") || relative.matches("(?s)test_[^/]*/output/.*");
    }

    /** Streams one object to a temporary file beside {@code file}, at most {@code limit} bytes, then moves it. */
    private static long copy(S3Client s3, String bucket, String key, Path file, long limit) throws IOException {
        Path partial = Files.createTempFile(file.getParent(), ".download-", ".part");
        long total = 0;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key));
                OutputStream out = Files.newOutputStream(partial, StandardOpenOption.TRUNCATE_EXISTING,
                        LinkOption.NOFOLLOW_LINKS)) {
            total = transfer(in, out, limit, key);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return total;
    }

    private static long transfer(InputStream in, OutputStream out, long limit, String key) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > limit) {
                throw new IOException("s3 object " + printable(key) + " grew over " + limit + " bytes while read");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    static String printable(String key) {
        String line = key.replaceAll("\\p{Cntrl}", "?");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
