package dev.pullab.core.report;

import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.log.PublishedLogs;
import dev.pullab.core.log.ScrubReport;
import dev.pullab.core.report.ArtifactManifest.Artifact;
import dev.pullab.core.report.ArtifactManifest.KcidbRole;
import dev.pullab.core.report.ArtifactManifest.Status;
import dev.pullab.core.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a closing run's logs and writes its {@link ArtifactManifest}, from the one listing of the run's outputs.
 *
 * <p>For each VM the run counts, every {@code *.log} in its output folder ({@code run-N-output.log},
 * {@code client-N.log}, {@code console-output.log}) is read (at most {@link #maxLogBytes} plus one byte), scrubbed
 * with the lab's {@link LogScrubber} and written to {@link PublishedLogs#key} as {@value ArtifactManifest#TEXT_PLAIN};
 * the same input always gives the same bytes, so a retried close republishes them unchanged. A log over the limit is
 * published cut: its head up to the last line end within the limit (a line cut in the middle could hold half a
 * secret the scrubber no longer recognises, so the partial line is dropped), then one line saying it was cut and
 * where the whole raw log is. The head is kept, not the tail: a VM's stage log starts with what ran and the client
 * stops a stage at its first failure; the sweeper's console capture already keeps the console's tail. A log that
 * cannot be read or written is recorded as missing with a note and a warning naming its key; it never stops the
 * close. VM output is hostile input, so the work of one close is bounded: at most {@value #MAX_LOGS_PER_VM} logs of a
 * VM (in key order) and {@value #RUN_BUDGET_LOGS} times the per-log limit in all (512 MiB by default) are read; a log
 * beyond either bound is recorded as missing, with the bound in its note.
 *
 * <p>Every other listed object of the VM is recorded as ready with its raw size and, when the caller read it whole,
 * its SHA-256; {@code result.txt} and {@code console-output.log}, when absent, are recorded as missing. Then one
 * artifact per VM takes the {@link KcidbRole#LOG} role: the published log of its last stage (highest N), else its
 * published console (a VM that panicked before the client ran), else the expected one that is absent.
 */
public final class RunArtifacts {

    /** The default cap on the bytes of one log that are read and published: 16 MiB. */
    public static final long DEFAULT_MAX_LOG_BYTES = 16L << 20;
    /** The files every VM is expected to leave; each is recorded as missing when absent. */
    public static final List<String> EXPECTED = List.of("result.txt", "console-output.log");
    /** The most logs of one VM that are published; a real VM leaves a few per stage. */
    public static final int MAX_LOGS_PER_VM = 64;
    /** How many logs at the limit one close reads in all: the run's budget is this times the per-log limit. */
    public static final int RUN_BUDGET_LOGS = 32;

    private static final Logger LOG = LoggerFactory.getLogger(RunArtifacts.class);
    private static final Pattern STAGE_LOG = Pattern.compile("^run-(\\d{1,9})-output\\.log$");
    private static final String CONSOLE = "console-output.log";

    /**
     * What one counted VM left, as the caller listed and read it.
     *
     * @param objects the VM's listed objects (full keys under {@code <run>/test_<test>/output/<instance id>/})
     * @param read    the files the caller read, by name (used for the hash when read whole)
     * @param notRead files the caller left unread, by name, and why
     */
    public record VmObjects(String test, String instanceId, List<ObjectStore.StoredObject> objects,
                            Map<String, byte[]> read, Map<String, String> notRead) {
        public VmObjects {
            Objects.requireNonNull(test, "test");
            Objects.requireNonNull(instanceId, "instanceId");
            objects = List.copyOf(objects);
            read = Map.copyOf(read);
            notRead = Map.copyOf(notRead);
        }

        /** A VM that left nothing (it did not report, or never uploaded anything). */
        public static VmObjects empty(String test, String instanceId) {
            return new VmObjects(test, instanceId, List.of(), Map.of(), Map.of());
        }
    }

    private final ObjectStore store;
    private final LogScrubber scrubber;
    private final long maxLogBytes;
    private final Function<String, URI> links;
    private final Clock clock;

    /**
     * @param scrubber    the lab's scrubber ({@link LogScrubber#forLab} with its KernelCI token and KCIDB JWT)
     * @param maxLogBytes the most of one log that is published, at least 1 KiB
     * @param links       the public link of the published copy of a raw key (a {@code PULLAB_LOGS_URL} link or the
     *                    S3 URL of the {@code logs/} copy)
     */
    public RunArtifacts(ObjectStore store, LogScrubber scrubber, long maxLogBytes, Function<String, URI> links,
            Clock clock) {
        if (maxLogBytes < 1024 || maxLogBytes > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("the log publishing limit must be from 1 KiB to 2 GiB, got "
                    + maxLogBytes);
        }
        this.store = Objects.requireNonNull(store, "store");
        this.scrubber = Objects.requireNonNull(scrubber, "scrubber");
        this.maxLogBytes = maxLogBytes;
        this.links = Objects.requireNonNull(links, "links");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The most of one log that is published. */
    public long maxLogBytes() {
        return maxLogBytes;
    }

    /**
     * Publishes the VMs' logs, then writes and returns the run's manifest ({@link ArtifactManifest#key}).
     *
     * @throws RuntimeException only when the manifest itself cannot be written (the close is retried)
     */
    public ArtifactManifest publish(String bucket, String runPrefix, Optional<String> origin, List<VmObjects> vms) {
        List<Artifact> artifacts = new ArrayList<>();
        long[] budget = {maxLogBytes * RUN_BUDGET_LOGS};
        for (VmObjects vm : vms) {
            artifacts.addAll(vmArtifacts(bucket, runPrefix, vm, budget));
        }
        artifacts.sort(ArtifactManifest.ORDER);
        ArtifactManifest manifest = ArtifactManifest.of(clock.instant(), runPrefix, bucket, origin, artifacts);
        store.put(bucket, ArtifactManifest.key(runPrefix), manifest.toJson(), "application/json");
        long published = artifacts.stream().filter(a -> a.publishedKey().isPresent()).count();
        long missing = artifacts.stream().filter(a -> a.status() == Status.MISSING).count();
        LOG.info("run {}: {} logs published, {} artifacts missing, manifest s3://{}/{}", runPrefix, published,
                missing, bucket, ArtifactManifest.key(runPrefix));
        return manifest;
    }

    /** @param budget the bytes the close may still read for publishing (one element, spent as logs are read) */
    private List<Artifact> vmArtifacts(String bucket, String runPrefix, VmObjects vm, long[] budget) {
        String folder = runPrefix + "/test_" + vm.test() + "/output/" + vm.instanceId() + "/";
        List<Artifact> artifacts = new ArrayList<>();
        int logs = 0;
        for (ObjectStore.StoredObject object : vm.objects()) {
            if (!object.key().startsWith(folder) || object.key().indexOf('/', folder.length()) >= 0) {
                LOG.warn("run {}: {} is not in the folder of {}/{}; left out of the manifest", runPrefix,
                        object.key(), vm.test(), vm.instanceId());
                continue;
            }
            String name = object.key().substring(folder.length());
            if (!name.endsWith(".log")) {
                artifacts.add(other(bucket, vm, object, name));
            } else if (++logs > MAX_LOGS_PER_VM) {
                artifacts.add(notPublished(bucket, vm, object, name, "the VM left more than " + MAX_LOGS_PER_VM
                        + " logs; only the first " + MAX_LOGS_PER_VM + " in key order are published"));
            } else if (budget[0] < Math.min(object.size(), maxLogBytes + 1)) {
                artifacts.add(notPublished(bucket, vm, object, name, "the close's publishing budget of "
                        + maxLogBytes * RUN_BUDGET_LOGS + " bytes is spent"));
            } else {
                budget[0] -= Math.min(object.size(), maxLogBytes + 1);
                artifacts.add(publishLog(bucket, vm, object, name));
            }
        }
        for (String expected : EXPECTED) {
            if (artifacts.stream().noneMatch(a -> a.kind().equals(expected))) {
                artifacts.add(Artifact.missing(vm.test(), vm.instanceId(), expected, KcidbRole.OUTPUT,
                        "s3://" + bucket + "/" + folder + expected, contentType(expected)));
            }
        }
        return withLogRole(artifacts);
    }

    /** The one LOG artifact: the last stage's published log, else the published console, else the expected one. */
    private static List<Artifact> withLogRole(List<Artifact> artifacts) {
        Comparator<Artifact> byStage = Comparator.comparingInt(a -> stage(a.kind()));
        Optional<Artifact> log = artifacts.stream().filter(a -> stage(a.kind()) >= 0 && a.logUrl().isPresent())
                .max(byStage)
                .or(() -> artifacts.stream().filter(a -> a.kind().equals(CONSOLE) && a.logUrl().isPresent())
                        .findFirst())
                .or(() -> artifacts.stream().filter(a -> stage(a.kind()) >= 0).max(byStage))
                .or(() -> artifacts.stream().filter(a -> a.kind().equals(CONSOLE)).findFirst());
        return artifacts.stream().map(a -> log.filter(chosen -> chosen == a).isPresent() ? a.withRole(KcidbRole.LOG)
                : a).toList();
    }

    private Artifact publishLog(String bucket, VmObjects vm, ObjectStore.StoredObject object, String name) {
        String s3Uri = "s3://" + bucket + "/" + object.key();
        String target = PublishedLogs.key(object.key());
        try {
            byte[] raw = store.readAtMost(bucket, object.key(), maxLogBytes);
            boolean whole = raw.length <= maxLogBytes;
            byte[] head = whole ? raw : upToLastLineEnd(raw, (int) maxLogBytes);
            ByteArrayOutputStream scrubbed = new ByteArrayOutputStream(head.length + 256);
            ScrubReport report = scrubber.scrub(new ByteArrayInputStream(head), scrubbed);
            Optional<String> note = Optional.empty();
            if (!whole) {
                String cut = "over the " + maxLogBytes + "-byte publishing limit: the published copy holds its first "
                        + head.length + " bytes (whole lines) of " + object.size() + "; sha256 not computed";
                scrubbed.write(("\n[pullab: log cut: " + cut + "; the whole log is " + s3Uri + "]\n")
                        .getBytes(StandardCharsets.UTF_8));
                note = Optional.of(cut);
            }
            URI link = links.apply(object.key());
            store.put(bucket, target, scrubbed.toByteArray(), ArtifactManifest.TEXT_PLAIN);
            LOG.info("published {} as s3://{}/{} ({} bytes, redacted {})", s3Uri, bucket, target, scrubbed.size(),
                    report.redactions());
            return new Artifact(vm.test(), vm.instanceId(), name, KcidbRole.OUTPUT, Status.READY, s3Uri,
                    Optional.of(link), whole ? Optional.of(sha256(raw)) : Optional.empty(), object.size(),
                    ArtifactManifest.TEXT_PLAIN, Optional.of(target), note);
        } catch (IOException | RuntimeException e) {
            LOG.warn("log {} not published at s3://{}/{}: {}; recorded as missing", s3Uri, bucket, target,
                    e.toString());
            return new Artifact(vm.test(), vm.instanceId(), name, KcidbRole.OUTPUT, Status.MISSING, s3Uri,
                    Optional.empty(), Optional.empty(), object.size(), ArtifactManifest.TEXT_PLAIN, Optional.empty(),
                    Optional.of("not published: " + e.getMessage()));
        }
    }

    private static Artifact notPublished(String bucket, VmObjects vm, ObjectStore.StoredObject object, String name,
            String why) {
        String s3Uri = "s3://" + bucket + "/" + object.key();
        LOG.warn("log {} not published: {}; recorded as missing", s3Uri, why);
        return new Artifact(vm.test(), vm.instanceId(), name, KcidbRole.OUTPUT, Status.MISSING, s3Uri,
                Optional.empty(), Optional.empty(), object.size(), ArtifactManifest.TEXT_PLAIN, Optional.empty(),
                Optional.of("not published: " + why));
    }

    private static Artifact other(String bucket, VmObjects vm, ObjectStore.StoredObject object, String name) {
        byte[] content = vm.read().get(name);
        boolean whole = content != null && content.length == object.size();
        Optional<String> note = whole ? Optional.empty() : Optional.of("sha256 not computed: "
                + Optional.ofNullable(vm.notRead().get(name)).map(reason -> "not read (" + reason + ")")
                .orElse(content == null ? "not read by the analyzer" : "only its first " + content.length
                        + " bytes were read"));
        return new Artifact(vm.test(), vm.instanceId(), name, KcidbRole.OUTPUT, Status.READY,
                "s3://" + bucket + "/" + object.key(), Optional.empty(),
                whole ? Optional.of(sha256(content)) : Optional.empty(), object.size(), contentType(name),
                Optional.empty(), note);
    }

    /** The bytes up to and including the last line end within {@code limit}; none when there is no line end. */
    private static byte[] upToLastLineEnd(byte[] raw, int limit) {
        for (int i = limit - 1; i >= 0; i--) {
            if (raw[i] == '\n') {
                return java.util.Arrays.copyOf(raw, i + 1);
            }
        }
        return new byte[0];
    }

    static String contentType(String name) {
        if (name.endsWith(".log") || name.endsWith(".txt")) {
            return ArtifactManifest.TEXT_PLAIN;
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".csv")) {
            return "text/csv; charset=utf-8";
        }
        return "application/octet-stream";
    }

    private static int stage(String name) {
        Matcher m = STAGE_LOG.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
