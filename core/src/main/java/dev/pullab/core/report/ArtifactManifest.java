package dev.pullab.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.kcidb.KcidbResource;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a run's VMs left, object by object: the run's {@code artifacts.json} (schema {@value #SCHEMA_VERSION}),
 * written at each close beside the run's other outputs ({@code <run>/artifacts.json}). Field names follow
 * pullab_cloud's manifest ({@code schema_version}, {@code generated_at}, {@code run_prefix}, {@code s3_bucket},
 * {@code origin}, {@code artifacts[]} with {@code test}, {@code instance_id}, {@code kind}, {@code kcidb_role},
 * {@code status}, {@code s3_uri}, {@code log_url}, {@code sha256}, {@code size_bytes}, {@code content_type}), plus
 * two of ours: {@code published_key} (the key of the scrubbed copy under {@code logs/}, null when none) and
 * {@code note} (why an object has no hash or no link, or how its published copy was cut; null when nothing to say).
 *
 * <p>It is the one place the run's links come from: {@link #links} picks, per VM, the KCIDB {@code log_url} (the
 * artifact whose role is {@link KcidbRole#LOG}) and {@code output_files} (every other artifact with a link). Only
 * scrubbed published copies ever have a {@code log_url}.
 *
 * <p>{@code sha256} and {@code size_bytes} are of the raw object. {@code sha256} is null when the object was not
 * read whole (over a read limit, or only its head was needed, like a long {@code result.txt}); {@code note} then says
 * so. A missing artifact has size 0 and no hash.
 *
 * @param origin the lab's KCIDB origin, when it has one
 */
public record ArtifactManifest(int schemaVersion, Instant generatedAt, String runPrefix, String s3Bucket,
                               Optional<String> origin, List<Artifact> artifacts) {

    /** The version of the manifest's format; bumped when a reader would have to change. */
    public static final int SCHEMA_VERSION = 1;
    /** The manifest's name beside the run's outputs. */
    public static final String FILE_NAME = "artifacts.json";
    /** The content type of every log we publish. */
    public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Whether an artifact's link is the test's {@code log_url} or one of its {@code output_files}. */
    public enum KcidbRole {
        LOG, OUTPUT;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether the object is there ({@code ready}) or expected but absent ({@code missing}). */
    public enum Status {
        READY, MISSING;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One output object of one VM.
     *
     * @param kind         the file name ({@code run-1-output.log}, {@code console-output.log}, {@code result.txt}, ...)
     * @param s3Uri        {@code s3://<bucket>/<raw key>}: the raw, private object
     * @param logUrl       the public link of its scrubbed published copy; empty for anything not published
     * @param sha256       lower-case hex SHA-256 of the raw object; empty when not read whole (see {@code note})
     * @param sizeBytes    the raw object's size as listed (0 when missing)
     * @param publishedKey the key of its scrubbed copy under {@code logs/}, when published
     * @param note         why there is no hash or link, or how the published copy was cut; empty when nothing to say
     */
    public record Artifact(String test, String instanceId, String kind, KcidbRole kcidbRole, Status status,
                           String s3Uri, Optional<URI> logUrl, Optional<String> sha256, long sizeBytes,
                           String contentType, Optional<String> publishedKey, Optional<String> note) {

        public Artifact {
            Objects.requireNonNull(test, "test");
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(kcidbRole, "kcidbRole");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(s3Uri, "s3Uri");
            Objects.requireNonNull(logUrl, "logUrl");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(publishedKey, "publishedKey");
            Objects.requireNonNull(note, "note");
            sha256.ifPresent(hash -> {
                if (!SHA256.matcher(hash).matches()) {
                    throw new IllegalArgumentException("sha256 of " + s3Uri + " is not 64 lower-case hex digits: "
                            + hash);
                }
            });
            logUrl.ifPresent(url -> {
                if (!url.isAbsolute()) {
                    throw new IllegalArgumentException("the link of " + s3Uri + " is not absolute: " + url);
                }
            });
            if (sizeBytes < 0) {
                throw new IllegalArgumentException("size of " + s3Uri + " is negative: " + sizeBytes);
            }
            if (status == Status.MISSING && (logUrl.isPresent() || sha256.isPresent() || publishedKey.isPresent())) {
                throw new IllegalArgumentException("a missing artifact has no link, hash or published copy: " + s3Uri);
            }
        }

        /** An expected object that is not there. */
        public static Artifact missing(String test, String instanceId, String kind, KcidbRole role, String s3Uri,
                String contentType) {
            return new Artifact(test, instanceId, kind, role, Status.MISSING, s3Uri, Optional.empty(),
                    Optional.empty(), 0, contentType, Optional.empty(), Optional.empty());
        }

        /** This artifact in another role. */
        public Artifact withRole(KcidbRole role) {
            return new Artifact(test, instanceId, kind, role, status, s3Uri, logUrl, sha256, sizeBytes, contentType,
                    publishedKey, note);
        }

        boolean of(String vmTest, String vm) {
            return test.equals(vmTest) && instanceId.equals(vm);
        }
    }

    /**
     * The links of one VM, as KCIDB and KernelCI get them.
     *
     * @param logUrl      the test's {@code log_url}: its {@link KcidbRole#LOG} artifact's link
     * @param outputFiles its other published logs, in manifest order
     */
    public record VmLinks(Optional<URI> logUrl, List<KcidbResource> outputFiles) {
        public static final VmLinks NONE = new VmLinks(Optional.empty(), List.of());

        public VmLinks {
            Objects.requireNonNull(logUrl, "logUrl");
            outputFiles = List.copyOf(outputFiles);
        }
    }

    public ArtifactManifest {
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(runPrefix, "runPrefix");
        Objects.requireNonNull(s3Bucket, "s3Bucket");
        Objects.requireNonNull(origin, "origin");
        artifacts = List.copyOf(artifacts);
    }

    /** The manifest of this format's version. */
    public static ArtifactManifest of(Instant generatedAt, String runPrefix, String s3Bucket, Optional<String> origin,
            List<Artifact> artifacts) {
        return new ArtifactManifest(SCHEMA_VERSION, generatedAt, runPrefix, s3Bucket, origin, artifacts);
    }

    /** The manifest's key: {@code <run>/artifacts.json}. */
    public static String key(String runPrefix) {
        return runPrefix + "/" + FILE_NAME;
    }

    /**
     * The links of a VM: {@code log_url} from its {@link KcidbRole#LOG} artifact (ready, linked), {@code output_files}
     * from its other ready, linked artifacts (those whose name KCIDB accepts as a file name). {@link VmLinks#NONE}
     * for a VM the manifest does not hold.
     */
    public VmLinks links(String test, String instanceId) {
        Optional<URI> log = Optional.empty();
        List<KcidbResource> others = new ArrayList<>();
        for (Artifact artifact : artifacts) {
            if (!artifact.of(test, instanceId) || artifact.logUrl().isEmpty()) {
                continue;
            }
            if (artifact.kcidbRole() == KcidbRole.LOG && log.isEmpty()) {
                log = artifact.logUrl();
            } else if (KcidbResource.isValidName(artifact.kind())) {
                others.add(new KcidbResource(artifact.kind(), artifact.logUrl().get()));
            }
        }
        return new VmLinks(log, others);
    }

    /** The artifacts of one VM, in manifest order. */
    public List<Artifact> of(String test, String instanceId) {
        return artifacts.stream().filter(a -> a.of(test, instanceId)).toList();
    }

    /** The order of artifacts in a manifest: by test, VM, then file name. */
    public static final Comparator<Artifact> ORDER = Comparator.comparing(Artifact::test)
            .thenComparing(Artifact::instanceId).thenComparing(Artifact::kind);

    /** The manifest as indented JSON (UTF-8); absent values are {@code null}, as pullab_cloud writes them. */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema_version", schemaVersion);
        root.put("generated_at", generatedAt.toString());
        root.put("run_prefix", runPrefix);
        root.put("s3_bucket", s3Bucket);
        root.put("origin", origin.orElse(null));
        ArrayNode list = root.putArray("artifacts");
        for (Artifact a : artifacts) {
            ObjectNode entry = list.addObject();
            entry.put("test", a.test());
            entry.put("instance_id", a.instanceId());
            entry.put("kind", a.kind());
            entry.put("kcidb_role", a.kcidbRole().wireName());
            entry.put("status", a.status().wireName());
            entry.put("s3_uri", a.s3Uri());
            entry.put("log_url", a.logUrl().map(URI::toString).orElse(null));
            entry.put("sha256", a.sha256().orElse(null));
            entry.put("size_bytes", a.sizeBytes());
            entry.put("content_type", a.contentType());
            entry.put("published_key", a.publishedKey().orElse(null));
            entry.put("note", a.note().orElse(null));
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the manifest of " + runPrefix + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a manifest written by {@link #toJson}.
     *
     * @throws IllegalArgumentException naming the field when it is not a manifest of version {@value #SCHEMA_VERSION}
     */
    public static ArtifactManifest parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("artifacts.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("artifacts.json is not a JSON object");
        }
        int version = root.path("schema_version").asInt(-1);
        if (version != SCHEMA_VERSION) {
            throw new IllegalArgumentException("artifacts.json has schema_version " + root.path("schema_version")
                    + ", this reader knows " + SCHEMA_VERSION);
        }
        List<Artifact> artifacts = new ArrayList<>();
        for (JsonNode a : root.path("artifacts")) {
            artifacts.add(new Artifact(text(a, "test"), text(a, "instance_id"), text(a, "kind"),
                    KcidbRole.valueOf(text(a, "kcidb_role").toUpperCase(Locale.ROOT)),
                    Status.valueOf(text(a, "status").toUpperCase(Locale.ROOT)), text(a, "s3_uri"),
                    optional(a, "log_url").map(URI::create), optional(a, "sha256"), a.path("size_bytes").asLong(),
                    text(a, "content_type"), optional(a, "published_key"), optional(a, "note")));
        }
        try {
            return new ArtifactManifest(version, Instant.parse(text(root, "generated_at")), text(root, "run_prefix"),
                    text(root, "s3_bucket"), optional(root, "origin"), artifacts);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("artifacts.json: generated_at is not an instant: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("artifacts.json: " + field + " is missing or not a string");
        }
        return value.asText();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }
}
