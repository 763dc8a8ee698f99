package dev.pullab.core.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A run copied to a local directory (e.g. {@code aws s3 sync s3://results/run_x run_x}). */
public final class LocalRunSource implements RunSource {

    private final Path root;

    public LocalRunSource(Path root) {
        this.root = root;
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
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException(root + ": cannot list the run: " + e.getMessage(), e);
        }
        List<RunFile> files = new ArrayList<>(found.size());
        long bytes = 0;
        for (BenchmarkFile file : found) {
            try {
                byte[] content = Files.readAllBytes(Path.of(file.location()));
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
