package dev.pullab.core.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A run copied to a local directory (e.g. {@code aws s3 sync s3://results/run_x run_x}). Files over a
 * {@link ReadLimits read limit} are not read (the reader refuses them naming the limit).
 */
public final class LocalRunSource implements RunSource {

    private final Path root;
    private final ReadLimits limits;

    /** A run read with the {@link ReadLimits#DEFAULTS default read limits}. */
    public LocalRunSource(Path root) {
        this(root, ReadLimits.DEFAULTS);
    }

    public LocalRunSource(Path root, ReadLimits limits) {
        this.root = root;
        this.limits = limits;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public List<RunFile> benchmarkFiles(DownloadProgress progress) {
        if (!Files.isDirectory(root)) {
            throw new InvalidInputException(root + ": not a directory (expected a run with test_<name>/output/...)");
        }
        List<BenchmarkFile> found;
        try (Stream<Path> paths = Files.walk(root)) {
            found = paths.filter(Files::isRegularFile)
                    .map(this::classify)
                    .flatMap(Optional::stream)
                    .sorted(Comparator.comparing(BenchmarkFile::location))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException(root + ": cannot list the run: " + e.getMessage(), e);
        }
        List<RunFile> files = new ArrayList<>(found.size());
        long bytes = 0;
        ReadLimits.Budget budget = limits.budget();
        for (BenchmarkFile file : found) {
            try {
                Path path = Path.of(file.location());
                Optional<String> refused = budget.admit(file.test() + "/" + file.instanceId(), Files.size(path));
                if (refused.isPresent()) {
                    files.add(RunFile.notRead(file, refused.get()));
                    progress.fetched(files.size(), found.size(), bytes);
                    continue;
                }
                byte[] content;
                try (InputStream in = Files.newInputStream(path)) {
                    content = ReadLimits.readAtMost(in, budget.perFileBytes());
                }
                if (content.length > budget.perFileBytes()) { // it grew since its size was taken
                    files.add(RunFile.notRead(file, budget.grewBeyondLimit()));
                    progress.fetched(files.size(), found.size(), bytes);
                    continue;
                }
                bytes += content.length;
                files.add(new RunFile(file, content));
                progress.fetched(files.size(), found.size(), bytes);
            } catch (IOException e) {
                throw new InvalidInputException(file.location() + ": cannot read: " + e.getMessage(), e);
            }
        }
        return files;
    }

    private Optional<BenchmarkFile> classify(Path path) {
        String relative = root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
        return BenchmarkFile.fromRunPath(relative, path.toString());
    }
}
