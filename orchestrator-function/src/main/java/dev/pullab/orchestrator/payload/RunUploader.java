package dev.pullab.orchestrator.payload;

import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.store.ObjectStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts what a run's VMs download into the results bucket, with the seed's layout (vm-tests/README.md):
 * <ul>
 *   <li>{@code <runPrefix>/test_<name>/input/<name>_test_payload.zip} for every test of the plan, the test taken
 *       from the storage bucket's {@code tests/<name>/} when it is there, else bundled ({@link VmTestCatalog});</li>
 *   <li>{@code <runPrefix>/test-vm-client.sh}, which the user-data bootstrap downloads;</li>
 *   <li>{@code <runPrefix>/shared/<folder>/…}: a server-side copy of {@code s3://<storage>/<folder>/…} for every
 *       folder an {@code external_requirements.json} of the plan's tests marks {@code true} (once per run, shared by
 *       its tests).</li>
 * </ul>
 *
 * <p>Idempotent, for re-delivered messages: the payloads and the client are rewritten with the same bytes at the same
 * keys (unless a test of the storage bucket was uploaded again in between), and a storage object is copied only when the run's {@code shared/} lacks it (same relative key and size), so
 * a second upload copies nothing and one interrupted half-way copies only the rest. A requested folder that is empty
 * or absent in the storage bucket is logged as a warning and skipped. Store faults propagate as the store's exceptions.
 *
 * <p>Copies use {@code CopyObject}, which S3 limits to 5 GiB per object; a larger storage object fails the upload
 * with an {@link IllegalStateException}.
 */
public final class RunUploader {

    /** Content type of the payload zips. */
    public static final String ZIP_CONTENT_TYPE = "application/zip";
    /** Content type of the client script. */
    public static final String SCRIPT_CONTENT_TYPE = "text/x-shellscript";
    /** Largest object {@code CopyObject} accepts. */
    static final long MAX_COPY_BYTES = 5L * 1024 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RunUploader.class);

    private final ObjectStore objects;
    private final VmTestBundle tests;
    private final VmTestCatalog catalog;
    private final PayloadBuilder payloads;

    /**
     * An uploader writing to {@code objects} (which must reach both buckets).
     *
     * @param objects the object store
     * @param tests   the bundled tests and client; a test of the storage bucket's {@code tests/} shadows a bundled
     *                one of the same name (see {@link VmTestCatalog})
     */
    public RunUploader(ObjectStore objects, VmTestBundle tests) {
        this.objects = Objects.requireNonNull(objects, "objects");
        this.tests = Objects.requireNonNull(tests, "tests");
        this.catalog = new VmTestCatalog(objects, tests);
        this.payloads = new PayloadBuilder(tests);
    }

    /** {@code <runPrefix>/test_<test>/input/<test>_test_payload.zip}. */
    public static String payloadKey(String runPrefix, String test) {
        return runPrefix + "/test_" + test + "/input/" + test + "_test_payload.zip";
    }

    /** {@code <runPrefix>/test-vm-client.sh}. */
    public static String clientKey(String runPrefix) {
        return runPrefix + "/" + VmTestBundle.CLIENT;
    }

    /** {@code <runPrefix>/shared/<folder>/}: where the run's copy of a storage folder lives. */
    public static String sharedPrefix(String runPrefix, String folder) {
        return runPrefix + "/shared/" + folder + "/";
    }

    /**
     * Uploads the plan's payloads and the client to {@code resultsBucket}, then copies the storage folders its tests
     * require from {@code storageBucket} into the run's {@code shared/}.
     *
     * @param storageBucket the external storage bucket, where tests are looked up first; may be null or blank only
     *                      when no test of the plan requires a folder (then only the bundled tests are known)
     * @throws IllegalArgumentException when a test is unknown (the message lists the known ones, bucket and
     *                                  bundled), a test of the bucket breaks the rules, a test has bad parameters,
     *                                  two groups run the same test with different parameters (they would share one
     *                                  payload key), a required folder name is not a plain relative S3 prefix, or a
     *                                  folder is required and {@code storageBucket} is missing
     * @throws IllegalStateException    when a storage object is too large for a server-side copy
     */
    public void upload(RunPlan plan, String resultsBucket, String storageBucket) {
        Objects.requireNonNull(plan, "plan");
        requireBucket(resultsBucket, "resultsBucket");
        Map<String, VmTestSpec> runs = distinctTests(plan);
        Map<String, VmTestCatalog.VmTest> found = catalog.resolve(runs.keySet(), storageBucket);
        SortedSet<String> folders = new TreeSet<>();
        found.values().forEach(test -> folders.addAll(test.requiredFolders()));
        if (!folders.isEmpty() && (storageBucket == null || storageBucket.isBlank())) {
            throw new IllegalArgumentException("run " + plan.runPrefix() + " needs storage folders " + folders
                    + " but no storage bucket is configured");
        }
        // build every payload before writing anything, so a bad test or parameter leaves the bucket untouched
        Map<String, byte[]> zips = new LinkedHashMap<>();
        runs.forEach((name, run) -> {
            VmTestCatalog.VmTest test = found.get(name);
            LOG.info("run {}: test {} from {}", plan.runPrefix(), name, test.origin());
            zips.put(name, payloads.zip(run, test.files()));
        });

        zips.forEach((name, zip) -> put(resultsBucket, payloadKey(plan.runPrefix(), name), zip, ZIP_CONTENT_TYPE));
        put(resultsBucket, clientKey(plan.runPrefix()), tests.client(), SCRIPT_CONTENT_TYPE);
        for (String folder : folders) {
            copyFolder(storageBucket, folder, resultsBucket, plan.runPrefix());
        }
    }

    /** The plan's tests by name, in group order; one payload per name, so one parameter set per name. */
    private static Map<String, VmTestSpec> distinctTests(RunPlan plan) {
        Map<String, VmTestSpec> runs = new LinkedHashMap<>();
        for (VmGroup group : plan.groups()) {
            VmTestSpec run = group.test();
            VmTestSpec before = runs.putIfAbsent(run.name(), run);
            if (before != null && !before.equals(run)) {
                throw new IllegalArgumentException("run " + plan.runPrefix() + " runs test " + run.name()
                        + " with two different parameter sets; they would share one payload key");
            }
        }
        return runs;
    }

    private void put(String bucket, String key, byte[] content, String contentType) {
        objects.put(bucket, key, content, contentType);
        LOG.info("uploaded s3://{}/{} ({} bytes)", bucket, key, content.length);
    }

    private void copyFolder(String storageBucket, String folder, String resultsBucket, String runPrefix) {
        String sourcePrefix = folder + "/";
        String targetPrefix = sharedPrefix(runPrefix, folder);
        Map<String, Long> present = list(resultsBucket, targetPrefix);
        int copied = 0;
        int sources = 0;
        for (ObjectStore.StoredObject object : objects.list(storageBucket, sourcePrefix)) {
            String relative = object.key().substring(sourcePrefix.length());
            if (relative.isEmpty() || relative.endsWith("/")) {
                continue; // "folder" marker objects of the S3 console
            }
            sources++;
            if (Objects.equals(present.get(relative), object.size())) {
                continue;
            }
            if (object.size() > MAX_COPY_BYTES) {
                throw new IllegalStateException("s3://" + storageBucket + "/" + object.key() + " has " + object.size()
                        + " bytes, more than the 5 GiB a server-side copy takes");
            }
            objects.copy(storageBucket, object.key(), resultsBucket, targetPrefix + relative);
            copied++;
        }
        if (sources == 0) {
            LOG.warn("storage folder s3://{}/{} is empty or absent: run {} gets no shared/{}/ and its tests that need "
                    + "it will not find it", storageBucket, sourcePrefix, runPrefix, folder);
        } else {
            LOG.info("shared/{}/ of run {}: copied {} of {} objects from s3://{}/{} ({} already there)", folder,
                    runPrefix, copied, sources, storageBucket, sourcePrefix, sources - copied);
        }
    }

    /** Relative key → size of the objects under {@code prefix}. */
    private Map<String, Long> list(String bucket, String prefix) {
        Map<String, Long> sizes = new HashMap<>();
        for (ObjectStore.StoredObject object : objects.list(bucket, prefix)) {
            sizes.put(object.key().substring(prefix.length()), object.size());
        }
        return sizes;
    }

    private static void requireBucket(String bucket, String what) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException(what + " must be a bucket name");
        }
    }
}
