package dev.pullab.orchestrator.payload;

import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.text.Printable;
import dev.pullab.core.vmtest.VmTestRules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The tests a run may name: first the storage bucket's, {@code s3://<storage>/tests/<name>/…} (one object per file,
 * as {@code pullab upload-tests} writes them), then the bundled ones ({@link VmTestBundle}). A test of the bucket
 * shadows a bundled test of the same name, so a lab changes or adds a test without rebuilding the orchestrator.
 *
 * <p>A test of the bucket passes the same {@link VmTestRules} as a bundled one: its listing (names, sizes, file count,
 * a stage present) is checked before anything is downloaded, its {@code external_requirements.json} after. When it
 * ships no {@code lib/} of its own, its payload gets the bundled {@code lib/} (what a bundled test reaches through its
 * {@code lib -> ../lib} link); when it ships any file under {@code lib/}, its own {@code lib/} is used alone.
 *
 * <p>A lab moving from pullab_cloud may still hold tests its {@code setup upload-tests} wrote:
 * {@code s3://<storage>/test-scripts/<name>/<name>_test_payload.zip}. Such a zip is read for a name that is in
 * neither {@code tests/} nor the bundled set (the lab's own tests run without being uploaded again); it never shadows
 * a bundled test (pullab_cloud uploaded its copies of the tests pullab ships, written for its client). Its entries
 * pass the same rules, counted as they are inflated (at most {@link VmTestRules#MAX_FILES} files and
 * {@link VmTestRules#MAX_BYTES} bytes, compressed and inflated).
 *
 * <p>Read afresh at every call (a test uploaded a minute ago is seen by the next run); stateless and thread-safe.
 */
public final class VmTestCatalog {

    /** Where the storage bucket keeps tests: {@code tests/<name>/<path>}. */
    public static final String BUCKET_PREFIX = "tests/";
    /** Where pullab_cloud's {@code setup upload-tests} put its zipped tests: {@code <name>/<name>_test_payload.zip}. */
    static final String PULLAB_CLOUD_PREFIX = "test-scripts/";
    /** The file name of a pullab_cloud test zip after its test's name. */
    static final String PULLAB_CLOUD_ZIP_SUFFIX = "_test_payload.zip";

    /**
     * A test ready to be zipped.
     *
     * @param name   its name, the directory name
     * @param origin where it was read, for messages and logs ({@code s3://…/tests/<name>/} or the bundle's)
     * @param files  path relative to the test directory → content, sorted
     */
    public record VmTest(String name, String origin, SortedMap<String, byte[]> files) {

        public VmTest {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(origin, "origin");
            files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
        }

        /** The storage folders its {@code external_requirements.json} marks {@code true}; none without the file. */
        public SortedSet<String> requiredFolders() {
            byte[] content = files.get(VmTestRules.EXTERNAL_REQUIREMENTS);
            return content == null ? Collections.emptySortedSet() : VmTestRules.requiredFolders(name, content);
        }
    }

    private final ObjectStore objects;
    private final VmTestBundle bundled;

    public VmTestCatalog(ObjectStore objects, VmTestBundle bundled) {
        this.objects = Objects.requireNonNull(objects, "objects");
        this.bundled = Objects.requireNonNull(bundled, "bundled");
    }

    /** The bundled tests this catalog falls back to. */
    public VmTestBundle bundled() {
        return bundled;
    }

    /**
     * The named tests, each from the storage bucket when it holds one of that name, else bundled, in the order
     * given (duplicates once).
     *
     * @param storageBucket the storage bucket; null or blank to use the bundled tests only
     * @throws IllegalArgumentException naming every problem when a name is not a valid test name, a test is in neither
     *                                  place (the message lists the tests of both and where it looked), or a test of
     *                                  the bucket breaks the {@link VmTestRules}
     */
    public Map<String, VmTest> resolve(Collection<String> names, String storageBucket) {
        boolean hasBucket = storageBucket != null && !storageBucket.isBlank();
        Map<String, SortedMap<String, Long>> inBucket = hasBucket ? bucketListing(storageBucket) : Map.of();
        Map<String, VmTest> resolved = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String name : new LinkedHashSet<>(names)) {
            List<String> nameProblems = VmTestRules.nameProblems(name);
            if (!nameProblems.isEmpty()) {
                problems.addAll(nameProblems);
            } else if (inBucket.containsKey(name)) {
                read(storageBucket, name, inBucket.get(name), problems).ifPresent(test -> resolved.put(name, test));
            } else if (bundled.has(name)) {
                resolved.put(name, new VmTest(name, bundled.origin() + "/" + name, bundled.files(name)));
            } else if (!hasBucket) {
                unknown.add(name);
            } else {
                int before = problems.size();
                Optional<VmTest> zipped = readPullabCloudZip(storageBucket, name, problems);
                zipped.ifPresent(test -> resolved.put(name, test));
                if (zipped.isEmpty() && problems.size() == before) {
                    unknown.add(name);
                }
            }
        }
        if (!unknown.isEmpty()) {
            problems.add(unknownMessage(unknown, hasBucket ? storageBucket : null, inBucket.keySet()));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return resolved;
    }

    /** The names of the tests under {@code s3://<storageBucket>/tests/}, sorted. */
    public SortedSet<String> bucketTests(String storageBucket) {
        return new TreeSet<>(bucketListing(storageBucket).keySet());
    }

    /** {@code s3://<bucket>/tests/<name>/}. */
    public static String bucketLocation(String bucket, String test) {
        return "s3://" + bucket + "/" + BUCKET_PREFIX + test + "/";
    }

    /** Test name → (relative path → listed size); the S3 console's "folder" markers (empty, ending in /) left out. */
    private Map<String, SortedMap<String, Long>> bucketListing(String bucket) {
        Map<String, SortedMap<String, Long>> tests = new TreeMap<>();
        for (ObjectStore.StoredObject object : objects.list(bucket, BUCKET_PREFIX)) {
            String rest = object.key().substring(BUCKET_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                continue; // an object beside the test directories, not in one
            }
            String relative = rest.substring(slash + 1);
            if (relative.isEmpty() || relative.endsWith("/") && object.size() == 0) {
                continue;
            }
            tests.computeIfAbsent(rest.substring(0, slash), name -> new TreeMap<>()).put(relative, object.size());
        }
        return tests;
    }

    private Optional<VmTest> read(String bucket, String name, SortedMap<String, Long> sizes,
            List<String> problems) {
        String location = bucketLocation(bucket, name);
        List<String> layout = VmTestRules.layoutProblems(name, sizes);
        if (!layout.isEmpty()) {
            problems.add(refusal(location, layout));
            return Optional.empty();
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (Map.Entry<String, Long> file : sizes.entrySet()) {
            String key = BUCKET_PREFIX + name + "/" + file.getKey();
            try {
                byte[] content = objects.readAtMost(bucket, key, file.getValue());
                if (content.length != file.getValue()) {
                    problems.add(location + file.getKey() + " changed while it was read (listed with "
                            + file.getValue() + " bytes); run again once its upload is over");
                    return Optional.empty();
                }
                files.put(file.getKey(), content);
            } catch (ObjectStore.NotFoundException e) {
                problems.add(location + file.getKey() + " was deleted while it was read; run again once "
                        + "the test's upload is over");
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
            }
        }
        return checked(name, location, files, VmTestRules.problems(name, files), problems);
    }

    /**
     * pullab_cloud's zipped upload of {@code name}, when the bucket holds one; empty when it does not, or when it breaks
     * the rules (then {@code problems} says why).
     */
    private Optional<VmTest> readPullabCloudZip(String bucket, String name, List<String> problems) {
        String key = PULLAB_CLOUD_PREFIX + name + "/" + name + PULLAB_CLOUD_ZIP_SUFFIX;
        String location = "s3://" + bucket + "/" + key;
        byte[] zip;
        try {
            zip = objects.readAtMost(bucket, key, VmTestRules.MAX_BYTES);
        } catch (ObjectStore.NotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + location, e);
        }
        if (zip.length > VmTestRules.MAX_BYTES) {
            problems.add(refusal(location, List.of("the zip is larger than " + VmTestRules.MAX_BYTES + " bytes")));
            return Optional.empty();
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        List<String> unzipProblems = unzip(zip, name, files);
        return checked(name, location, files,
                unzipProblems.isEmpty() ? VmTestRules.problems(name, files) : unzipProblems, problems);
    }

    /**
     * The test read from the bucket when {@code content} (its problems) is empty, with the bundled {@code lib/} when it
     * ships none; else empty, and its refusal added to {@code problems}.
     */
    private Optional<VmTest> checked(String name, String location, SortedMap<String, byte[]> files,
            List<String> content, List<String> problems) {
        if (!content.isEmpty()) {
            problems.add(refusal(location, content));
            return Optional.empty();
        }
        if (files.keySet().stream().noneMatch(path -> path.startsWith(VmTestRules.LIB))) {
            files.putAll(bundled.lib());
        }
        return Optional.of(new VmTest(name, location, files));
    }

    /**
     * Inflates {@code zip} into {@code files}, counting what it inflates rather than trusting the entries' declared
     * sizes (a zip bomb stops at the cap); directories are skipped.
     *
     * @return the problems; empty when every entry was read
     */
    private static List<String> unzip(byte[] zip, String name, SortedMap<String, byte[]> files) {
        long total = 0;
        byte[] buffer = new byte[8192];
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.isDirectory()) {
                    continue;
                }
                List<String> path = VmTestRules.pathProblems(name, entry.getName());
                if (!path.isEmpty()) {
                    return path;
                }
                if (files.size() >= VmTestRules.MAX_FILES) {
                    return List.of("more than " + VmTestRules.MAX_FILES + " files");
                }
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    total += n;
                    if (total > VmTestRules.MAX_BYTES) {
                        return List.of("more than " + VmTestRules.MAX_BYTES + " bytes once inflated");
                    }
                    content.write(buffer, 0, n);
                }
                files.put(entry.getName(), content.toByteArray());
            }
        } catch (IOException | IllegalArgumentException e) {
            return List.of("not a readable zip (" + e.getMessage() + ")");
        }
        return files.isEmpty() ? List.of("the zip holds no file") : List.of();
    }

    private static String refusal(String location, List<String> problems) {
        return location + " cannot run: " + String.join("; ", problems)
                + " (fix the test's directory and upload it again with pullab upload-tests)";
    }

    private String unknownMessage(List<String> unknown, String bucket, Collection<String> inBucket) {
        StringBuilder message = new StringBuilder("unknown vm-test");
        message.append(unknown.size() == 1 ? " '" + unknown.get(0) + "'" : "s " + unknown).append(": looked in ");
        if (bucket == null) {
            message.append("no storage bucket (none is configured)");
        } else {
            message.append("s3://").append(bucket).append('/').append(BUCKET_PREFIX).append(" (")
                    .append(inBucket.isEmpty() ? "no test there"
                            : "tests there: " + Printable.escape(String.join(", ", inBucket)))
                    .append(')');
        }
        message.append(" and in the bundled tests of ").append(bundled.origin()).append(" (")
                .append(String.join(", ", bundled.names())).append(")");
        if (bucket != null) {
            message.append(" and s3://").append(bucket).append('/').append(PULLAB_CLOUD_PREFIX)
                    .append("<name>/<name>").append(PULLAB_CLOUD_ZIP_SUFFIX).append(" (pullab_cloud's uploads)");
            message.append("; upload a test's directory with: pullab upload-tests --bucket ").append(bucket)
                    .append(" --test-dir DIR");
        }
        return message.toString();
    }
}
