package dev.pullab.core.vmtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a vm-test must be to run: the one set of rules the bundled tests, the tests of the storage bucket
 * ({@code tests/<name>/}) and {@code pullab upload-tests} all apply, so a test runs the same wherever it comes from.
 *
 * <p>A test is a set of files, each a path relative to the test directory ({@code /}-separated) with its content:
 * <ul>
 *   <li>its name is {@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most {@value #MAX_NAME_LENGTH} characters;</li>
 *   <li>at least one stage, {@code run.sh} or {@code run*.sh} at the top (the client runs them in {@code sort -V}
 *       order);</li>
 *   <li>every path is made of parts of {@code [A-Za-z0-9._+-]}, none {@code .} or {@code ..}, no empty part, no
 *       leading {@code /}, at most {@value #MAX_PATH_LENGTH} characters: nothing can escape the test directory;</li>
 *   <li>at most {@value #MAX_FILES} files and {@value #MAX_BYTES} bytes in all (the payload is built in memory);</li>
 *   <li>{@code external_requirements.json}, when present, is a JSON object of storage folder → {@code true} or
 *       {@code false}, each folder a relative S3 prefix of {@code [A-Za-z0-9._-]} parts separated by {@code /}.
 *       Absent means the test needs no folder.</li>
 * </ul>
 * The checks return every problem found, as sentences naming the test and the file; an empty list means the test may
 * run. Stateless and thread-safe.
 */
public final class VmTestRules {

    /** File name, in a test directory, of the storage folders the test needs in the run's {@code shared/}. */
    public static final String EXTERNAL_REQUIREMENTS = "external_requirements.json";
    /** The directory of shared shell code, {@code lib/} in a test directory. */
    public static final String LIB = "lib/";
    /**
     * Directories of a vm-tests tree that are never tests even with a {@code run*.sh}: the bats tests
     * ({@code test/run-tests.sh}) and build output.
     */
    public static final Set<String> NOT_TESTS = Set.of("test", "target");
    /** Most files a test may hold (the largest bundled test has about 20). */
    public static final int MAX_FILES = 256;
    /** Most bytes a test may hold in all (the largest bundled test, with {@code lib/}, has under 100 KiB). */
    public static final long MAX_BYTES = 16L * 1024 * 1024;
    /** Longest test name. */
    public static final int MAX_NAME_LENGTH = 64;
    /** Longest path of a file inside a test. */
    public static final int MAX_PATH_LENGTH = 512;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern PATH_PART = Pattern.compile("[A-Za-z0-9._+-]+");
    /** Storage folders: slash-separated names of letters, digits, {@code . _ -}, never {@code .} or {@code ..}. */
    private static final Pattern FOLDER = Pattern.compile("(?!\\.{1,2}(/|$))[A-Za-z0-9._-]+"
            + "(/(?!\\.{1,2}(/|$))[A-Za-z0-9._-]+)*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private VmTestRules() {
    }

    /** What is wrong with {@code test} as a test name; empty when it is a valid one. */
    public static List<String> nameProblems(String test) {
        if (test == null || test.isEmpty()) {
            return List.of("a test needs a name");
        }
        if (test.length() > MAX_NAME_LENGTH || !NAME.matcher(test).matches()) {
            return List.of("test name '" + printable(test) + "' is not allowed: use at most " + MAX_NAME_LENGTH
                    + " letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        return List.of();
    }

    /** What is wrong with {@code path} as the path of a file inside a test; empty when it is a valid one. */
    public static List<String> pathProblems(String test, String path) {
        String why = pathProblem(path);
        return why == null ? List.of() : List.of("test " + test + ": file '" + printable(path) + "' " + why);
    }

    /**
     * Every problem of a test whose files are known by their sizes only (a bucket listing, before downloading):
     * name, paths, stages, file count and total size.
     *
     * @param sizes path relative to the test directory → size in bytes
     */
    public static List<String> layoutProblems(String test, Map<String, Long> sizes) {
        Objects.requireNonNull(sizes, "sizes");
        List<String> problems = new ArrayList<>(nameProblems(test));
        for (String path : new TreeSet<>(sizes.keySet())) {
            problems.addAll(pathProblems(test, path));
        }
        if (sizes.keySet().stream().noneMatch(VmTestRules::isStage)) {
            problems.add("test " + test + " has no run.sh or run*.sh at its top: the VM would have nothing to run");
        }
        if (sizes.size() > MAX_FILES) {
            problems.add("test " + test + " has " + sizes.size() + " files, more than the " + MAX_FILES
                    + " a test may hold");
        }
        long total = sizes.values().stream().mapToLong(Long::longValue).sum();
        if (total > MAX_BYTES) {
            problems.add("test " + test + " holds " + total + " bytes, more than the " + MAX_BYTES
                    + " a test may hold (keep large artifacts in a storage folder, see external_requirements.json)");
        }
        return problems;
    }

    /**
     * Every problem of a test whose files are known: {@link #layoutProblems} and the content of
     * {@code external_requirements.json}.
     *
     * @param files path relative to the test directory → content
     */
    public static List<String> problems(String test, Map<String, byte[]> files) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        files.forEach((path, content) -> sizes.put(path, (long) content.length));
        List<String> problems = new ArrayList<>(layoutProblems(test, sizes));
        byte[] requirements = files.get(EXTERNAL_REQUIREMENTS);
        if (requirements != null) {
            problems.addAll(requirementsProblems(test, requirements));
        }
        return problems;
    }

    /** What is wrong with {@code content} as the test's {@code external_requirements.json}; empty when valid. */
    public static List<String> requirementsProblems(String test, byte[] content) {
        String where = "test " + test + ": " + EXTERNAL_REQUIREMENTS;
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return List.of(where + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return List.of(where + " cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return List.of(where + " must be a JSON object of storage folder → true/false, e.g. "
                    + "{\"kernel-rpms/binary\": true}");
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!field.getValue().isBoolean()) {
                problems.add(where + ": \"" + printable(field.getKey()) + "\" must be true or false, got "
                        + printable(String.valueOf(field.getValue())));
            }
            if (!FOLDER.matcher(normalizedFolder(field.getKey())).matches()) {
                problems.add(where + ": storage folder '" + printable(field.getKey()) + "' is not a relative S3 "
                        + "prefix of letters, digits, '.', '_', '-' and '/'");
            }
        }
        return problems;
    }

    /**
     * The storage folders a valid {@code external_requirements.json} marks {@code true}, without surrounding blanks
     * or trailing slashes, sorted.
     *
     * @throws IllegalArgumentException naming every problem when the file breaks {@link #requirementsProblems}
     */
    public static SortedSet<String> requiredFolders(String test, byte[] content) {
        List<String> problems = requirementsProblems(test, content);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        SortedSet<String> folders = new TreeSet<>();
        try {
            JSON.readTree(content).properties().forEach(field -> {
                if (field.getValue().booleanValue()) {
                    folders.add(normalizedFolder(field.getKey()));
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("external_requirements.json of " + test + " was valid a moment ago", e);
        }
        return Collections.unmodifiableSortedSet(folders);
    }

    /** {@code run.sh} / {@code run*.sh} at the top of a test directory, as the client discovers them. */
    public static boolean isStage(String path) {
        return !path.contains("/") && path.startsWith("run") && path.endsWith(".sh");
    }

    private static String pathProblem(String path) {
        if (path == null || path.isEmpty()) {
            return "has an empty path";
        }
        if (path.length() > MAX_PATH_LENGTH) {
            return "has a path longer than " + MAX_PATH_LENGTH + " characters";
        }
        if (path.startsWith("/")) {
            return "is absolute: paths are relative to the test directory";
        }
        for (String part : path.split("/", -1)) {
            if (part.equals(".") || part.equals("..")) {
                return "holds '" + part + "': a path may not leave or name the test directory";
            }
            if (part.isEmpty()) {
                return "holds an empty part ('//' or a trailing '/')";
            }
            if (!PATH_PART.matcher(part).matches()) {
                return "is not allowed: use letters, digits, '.', '_', '+' and '-' in each part";
            }
        }
        return null;
    }

    private static String normalizedFolder(String folder) {
        String trimmed = folder.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    /** The text with control characters shown as {@code ?} and cut at 120 characters, for messages. */
    private static String printable(String text) {
        String shown = text.length() > 120 ? text.substring(0, 120) + "…" : text;
        return shown.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
