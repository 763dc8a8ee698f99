package dev.pullab.orchestrator.payload;

import dev.pullab.core.vmtest.VmTestRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The bundled vm-tests: the VM client {@code test-vm-client.sh} and one directory per test, as the build copies them
 * onto the classpath under {@code vm-tests/} (see vm-tests/README.md).
 *
 * <p>A test is a top-level directory holding {@code run.sh} or {@code run*.sh}; other directories (the shared
 * {@code lib/}) are not tests. Everything is read into memory once when the instance is created (about half a
 * megabyte), so an instance is immutable, thread-safe and holds no open file system: create it once per cold start and
 * keep it.
 *
 * <p>The client goes to a VM as one file, but shares functions with the QEMU runner through {@code lib/}: each of its
 * lines {@code source "$(dirname "$SELF")/lib/<name>.sh"} is replaced, in {@link #client()}, by that file of
 * {@code lib/} (vm-tests/lib/client_common.sh says so too).
 *
 * <p>Works with the classpath as plain files (Lambda unpacks the jar; {@code mvn test}) and inside a jar
 * ({@code java -jar}); symbolic links of a directory tree (the source {@code vm-tests/}) are followed.
 */
public final class VmTestBundle {

    /** Classpath folder the build copies vm-tests/ into. */
    public static final String RESOURCE_ROOT = "vm-tests";
    /** File name of the VM client, at the root of vm-tests/ and of every payload. */
    public static final String CLIENT = "test-vm-client.sh";
    /** File name, in a test directory, of the storage folders the test needs in the run's {@code shared/}. */
    public static final String EXTERNAL_REQUIREMENTS = VmTestRules.EXTERNAL_REQUIREMENTS;
    /** The shared shell code at the root of vm-tests/, which every bundled test reaches as its {@code lib/}. */
    private static final String LIB_DIRECTORY = "lib";

    /** Top-level directories of the source tree that are never tests (the same exclusions as the build's). */
    private static final Set<String> NOT_TESTS = VmTestRules.NOT_TESTS;
    /** A line of the client sourcing a file of {@code lib/} beside it; group 1 is that file's relative path. */
    private static final Pattern LIB_SOURCE = Pattern.compile(
            "^source \"\\$\\(dirname \"\\$SELF\"\\)/(lib/[A-Za-z0-9_.-]+\\.sh)\"$", Pattern.MULTILINE);

    private final String origin;
    private final byte[] client;
    /** test name → (path relative to the test directory, with {@code /} separators → content), both sorted. */
    private final NavigableMap<String, NavigableMap<String, byte[]>> tests;
    /** {@code lib/<path>} → content: the shared {@code lib/} of vm-tests/, as a test directory holds it. */
    private final NavigableMap<String, byte[]> lib;

    private VmTestBundle(String origin, byte[] client, NavigableMap<String, NavigableMap<String, byte[]>> tests,
            NavigableMap<String, byte[]> lib) {
        this.origin = origin;
        this.client = client;
        this.tests = tests;
        this.lib = lib;
    }

    /**
     * The tests bundled with this function, from {@code vm-tests/} on the class path of this class.
     *
     * @throws IllegalStateException when {@code vm-tests/test-vm-client.sh} is not on the class path
     * @throws UncheckedIOException  when the bundled files cannot be read
     */
    public static VmTestBundle fromClasspath() {
        return fromClasspath(VmTestBundle.class.getClassLoader());
    }

    /**
     * The tests under {@code vm-tests/} on the class path of {@code loader}: plain files ({@code file:} URLs) or
     * entries of a jar ({@code jar:} URLs, opened as a zip file system for the time of the load).
     *
     * @throws IllegalStateException when {@code vm-tests/test-vm-client.sh} is not on that class path, or is neither
     *                               a file nor a jar entry
     * @throws UncheckedIOException  when the bundled files cannot be read
     */
    public static VmTestBundle fromClasspath(ClassLoader loader) {
        String clientResource = RESOURCE_ROOT + "/" + CLIENT;
        URL url = Objects.requireNonNull(loader, "loader").getResource(clientResource);
        if (url == null) {
            throw new IllegalStateException(clientResource + " is not on the class path: the orchestrator's build "
                    + "copies vm-tests/ into its classes (run mvn compile/package on orchestrator-function)");
        }
        try {
            switch (url.getProtocol()) {
                case "file":
                    return fromDirectory(Path.of(url.toURI()).getParent());
                case "jar":
                    return fromJar(url);
                default:
                    throw new IllegalStateException("cannot read vm-tests from " + url + ": only file: and jar: class "
                            + "path entries are supported");
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot read vm-tests from " + url + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vm-tests from " + url, e);
        }
    }

    /**
     * The tests of a vm-tests directory tree, e.g. the source {@code vm-tests/} (symbolic links followed, its
     * {@code test/} and {@code target/} directories ignored).
     *
     * @throws IllegalArgumentException when {@code root} has no {@code test-vm-client.sh}
     * @throws UncheckedIOException     when a file cannot be read
     */
    public static VmTestBundle fromDirectory(Path root) {
        try {
            return load(root, root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vm-tests from " + root, e);
        }
    }

    private static VmTestBundle fromJar(URL url) throws IOException, URISyntaxException {
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        Path jar = Path.of(connection.getJarFileURL().toURI());
        String entry = connection.getEntryName();
        // a Path-based zip file system is private to this call (not registered with the provider), so concurrent
        // loads and other users of the same jar never collide
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            return load(zip.getPath("/" + entry).getParent(), jar + "!/" + RESOURCE_ROOT);
        }
    }

    private static VmTestBundle load(Path root, String origin) throws IOException {
        Path clientFile = root.resolve(CLIENT);
        if (!Files.isRegularFile(clientFile)) {
            throw new IllegalArgumentException(origin + " has no " + CLIENT + ": not a vm-tests directory");
        }
        byte[] client = inlineLibSources(root, origin, Files.readAllBytes(clientFile));
        NavigableMap<String, NavigableMap<String, byte[]>> tests = new TreeMap<>();
        List<Path> directories;
        try (Stream<Path> children = Files.list(root)) {
            directories = children.filter(Files::isDirectory)
                    .filter(p -> !NOT_TESTS.contains(fileName(p)))
                    .sorted()
                    .collect(Collectors.toList());
        }
        for (Path directory : directories) {
            NavigableMap<String, byte[]> files = readTree(directory);
            if (files.keySet().stream().anyMatch(VmTestRules::isStage)) {
                String name = fileName(directory);
                List<String> problems = VmTestRules.problems(name, files);
                if (!problems.isEmpty()) {
                    throw new IllegalStateException("bundled vm-test " + name + " in " + origin + " breaks the rules "
                            + "every test passes (vm-tests/README.md): " + String.join("; ", problems));
                }
                tests.put(name, Collections.unmodifiableNavigableMap(files));
            }
        }
        NavigableMap<String, byte[]> lib = new TreeMap<>();
        Path libDirectory = root.resolve(LIB_DIRECTORY);
        if (Files.isDirectory(libDirectory)) {
            readTree(libDirectory).forEach((path, content) -> lib.put(VmTestRules.LIB + path, content));
        }
        return new VmTestBundle(origin, client, Collections.unmodifiableNavigableMap(tests),
                Collections.unmodifiableNavigableMap(lib));
    }

    /**
     * The client with each line sourcing a {@code lib/} file replaced by that file (between two marker comments), so
     * that it runs alone; the same bytes when it sources none.
     *
     * @throws IllegalStateException when a sourced file is not in {@code lib/}
     */
    private static byte[] inlineLibSources(Path root, String origin, byte[] client) throws IOException {
        String text = new String(client, StandardCharsets.UTF_8);
        Matcher line = LIB_SOURCE.matcher(text);
        if (!line.find()) {
            return client;
        }
        StringBuilder inlined = new StringBuilder();
        do {
            String name = line.group(1);
            Path lib = root.resolve(name);
            if (!Files.isRegularFile(lib)) {
                throw new IllegalStateException(origin + "/" + CLIENT + " sources " + name + ", which " + origin
                        + " does not have");
            }
            String body = Files.readString(lib, StandardCharsets.UTF_8);
            String replacement = "# ---- " + name + ", inlined by the orchestrator\n" + body
                    + (body.endsWith("\n") ? "" : "\n") + "# ---- end of " + name;
            line.appendReplacement(inlined, Matcher.quoteReplacement(replacement));
        } while (line.find());
        line.appendTail(inlined);
        return inlined.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static NavigableMap<String, byte[]> readTree(Path directory) throws IOException {
        NavigableMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(directory, FileVisitOption.FOLLOW_LINKS)) {
            for (Iterator<Path> it = walk.filter(Files::isRegularFile).iterator(); it.hasNext(); ) {
                Path file = it.next();
                files.put(relativeName(directory.relativize(file)), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static String relativeName(Path relative) {
        StringBuilder name = new StringBuilder();
        for (Path part : relative) {
            if (name.length() > 0) {
                name.append('/');
            }
            name.append(part.toString());
        }
        return name.toString();
    }

    private static String fileName(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    /** Whether {@code test} is a bundled test (a directory name such as {@code kernelci-boot}). */
    public boolean has(String test) {
        return tests.containsKey(test);
    }

    /** The bundled tests' names, sorted. */
    public List<String> names() {
        return List.copyOf(tests.keySet());
    }

    /** The content of {@code test-vm-client.sh}, its {@code lib/} sources inlined (a fresh copy). */
    public byte[] client() {
        return client.clone();
    }

    /**
     * The storage folders the test's {@code external_requirements.json} marks {@code true} (normalised, sorted; see
     * {@link VmTestRules#requiredFolders}); empty when the test has no such file.
     *
     * @throws IllegalArgumentException when the test is unknown
     */
    public SortedSet<String> requiredFolders(String test) {
        byte[] content = testFiles(test).get(EXTERNAL_REQUIREMENTS);
        return content == null ? Collections.emptySortedSet() : VmTestRules.requiredFolders(test, content);
    }

    /**
     * The shared {@code lib/} of vm-tests/, keyed as a test directory holds it ({@code lib/test_lib.sh}, …), sorted;
     * what a test of the storage bucket that ships no {@code lib/} of its own gets in its payload. Fresh copies.
     */
    public SortedMap<String, byte[]> lib() {
        SortedMap<String, byte[]> copy = new TreeMap<>();
        lib.forEach((path, content) -> copy.put(path, content.clone()));
        return Collections.unmodifiableSortedMap(copy);
    }

    /**
     * Walks a test directory: every regular file (subdirectories such as {@code lib/} included, symbolic links
     * resolved), keyed by its path relative to the test directory with {@code /} separators, sorted by path. The
     * contents are fresh copies.
     *
     * @throws IllegalArgumentException when the test is unknown
     */
    public SortedMap<String, byte[]> files(String test) {
        SortedMap<String, byte[]> copy = new TreeMap<>();
        testFiles(test).forEach((path, content) -> copy.put(path, content.clone()));
        return Collections.unmodifiableSortedMap(copy);
    }

    /** Where the tests were read from (a directory, or {@code <jar>!/vm-tests}), for messages. */
    public String origin() {
        return origin;
    }

    private NavigableMap<String, byte[]> testFiles(String test) {
        NavigableMap<String, byte[]> files = tests.get(Objects.requireNonNull(test, "test"));
        if (files == null) {
            throw new IllegalArgumentException("unknown vm-test '" + test + "'; known tests: "
                    + String.join(", ", tests.keySet()));
        }
        return files;
    }

    @Override
    public String toString() {
        return "VmTestBundle" + names() + " from " + origin;
    }
}
