package dev.pullab.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The testkit's fixture files on the class path ({@code job/}, {@code kernelci/}, {@code kcidb-fixtures/},
 * {@code bad-input/}), read the same way whether the testkit is a folder (an IDE, a module's own tests) or a jar (the
 * reactor build, the CLI).
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** The names of the files directly in {@code folder} (e.g. {@code kcidb-fixtures}), sorted. */
    public static List<String> list(String folder) {
        String dir = folder.endsWith("/") ? folder : folder + "/";
        URL url = Fixtures.class.getResource("/" + dir);
        if (url == null) {
            throw new IllegalStateException("fixture folder " + dir + " is not on the class path");
        }
        try {
            List<String> names = new ArrayList<>();
            if (url.getProtocol().equals("jar")) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    String prefix = connection.getEntryName().endsWith("/") ? connection.getEntryName()
                            : connection.getEntryName() + "/";
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        String rest = entry.getName().startsWith(prefix) ? entry.getName().substring(prefix.length())
                                : "";
                        if (!rest.isEmpty() && !rest.contains("/")) {
                            names.add(rest);
                        }
                    }
                }
            } else {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
                }
            }
            Collections.sort(names);
            return List.copyOf(names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list fixture folder " + dir, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of one fixture, by its path on the class path (e.g. {@code kcidb-fixtures/invalid_null_value.json}). */
    public static byte[] bytes(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + path + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + path, e);
        }
    }
}
