package dev.pullab.cli;

import dev.pullab.core.vmtest.VmTestRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A local test directory as {@code pullab upload-tests} reads it: its regular files by relative path, and what keeps it
 * from being uploaded. The rules are {@link VmTestRules}' (the ones every run applies); this class only adds what a
 * local file system brings:
 * <ul>
 *   <li>a symbolic link is refused (it could point outside the test, e.g. at credentials), except a top-level
 *       {@code lib} link, which is left out: a test uploaded without {@code lib/} gets the bundled {@code lib/} when it
 *       runs, as a bundled test does through its {@code lib -> ../lib};</li>
 *   <li>anything that is neither a directory nor a regular file (a socket, a FIFO) is refused;</li>
 *   <li>the walk stops past {@link VmTestRules#MAX_FILES} files, so a huge directory is refused without being read
 *       whole.</li>
 * </ul>
 *
 * @param name     the test's name, its directory's name
 * @param files    relative path ({@code /}-separated) → file, sorted
 * @param problems why it may not be uploaded; empty when it may
 * @param notes    what was left out on purpose (the {@code lib} link)
 */
record TestDirectory(String name, SortedMap<String, Path> files, List<String> problems, List<String> notes) {

    static final String LIB_LINK_NOTE = "lib link left out: runs add the bundled lib/";

    TestDirectory {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** Whether it has a stage, {@code run.sh} or {@code run*.sh}, at its top: whether it is a test at all. */
    static boolean isTest(Path directory) {
        try (var children = Files.list(directory)) {
            return children.anyMatch(p -> VmTestRules.isStage(p.getFileName().toString())
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    /**
     * Reads {@code directory} (links not followed) and checks it with {@link VmTestRules}.
     *
     * @throws UncheckedIOException when it cannot be read
     */
    static TestDirectory read(Path directory) {
        String name = directory.getFileName().toString();
        List<String> problems = new ArrayList<>(VmTestRules.nameProblems(name));
        List<String> notes = new ArrayList<>();
        SortedMap<String, Path> files = new TreeMap<>();
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    String relative = relative(directory, file);
                    if (attributes.isSymbolicLink()) {
                        if (relative.equals("lib")) {
                            notes.add(LIB_LINK_NOTE);
                        } else {
                            problems.add("test " + name + ": " + relative + " is a symbolic link, which upload-tests "
                                    + "refuses (it could point outside the test): copy the file in");
                        }
                    } else if (!attributes.isRegularFile()) {
                        problems.add("test " + name + ": " + relative + " is not a regular file");
                    } else {
                        files.put(relative, file);
                    }
                    return files.size() > VmTestRules.MAX_FILES ? FileVisitResult.TERMINATE
                            : FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the test directory " + directory, e);
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        files.forEach((relative, file) -> sizes.put(relative, size(file)));
        List<String> layout = VmTestRules.layoutProblems(name, sizes);
        if (layout.isEmpty() && problems.isEmpty()) {
            problems.addAll(VmTestRules.problems(name, contents(files)));
        } else {
            problems.addAll(layout);
        }
        return new TestDirectory(name, files, problems.stream().distinct().toList(), notes);
    }

    private static Map<String, byte[]> contents(SortedMap<String, Path> files) {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        files.forEach((relative, file) -> {
            try {
                contents.put(relative, Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        });
        return contents;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String relative(Path directory, Path file) {
        StringBuilder relative = new StringBuilder();
        for (Path part : directory.relativize(file)) {
            if (relative.length() > 0) {
                relative.append('/');
            }
            relative.append(part);
        }
        return relative.toString();
    }
}
