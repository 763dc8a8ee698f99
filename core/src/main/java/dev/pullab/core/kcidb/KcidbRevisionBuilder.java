package dev.pullab.core.kcidb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.kernelci.Node;
import dev.pullab.core.kernelci.NodeLookup;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the tests-only KCIDB v5.3 revision a pull lab submits for one KernelCI job node:
 * {@code {"version":{"major":5,"minor":3},"tests":[...]}}.
 *
 * <ul>
 *   <li>Test ids are {@code <origin>:<job node id>.<path>}, or {@code <origin>:<job node id>.<path>@<discriminator>}
 *       for a test with an {@link KcidbTestEntry#idDiscriminator() id discriminator} (e.g. the instance id of the VM
 *       that ran it, when several VMs report the same path): deterministic, so a re-submission carries the same ids
 *       (KCIDB keeps the first row of an id and ignores later ones), and unique per job node, path and
 *       discriminator (two tests of one revision that would get the same id are refused).</li>
 *   <li>A run without a job node (e.g. a scheduled benchmark run) is {@link #buildForRun built for its run prefix}
 *       instead: {@code build_id} {@code <origin>:<sanitised run prefix>}, ids
 *       {@code <origin>:<sanitised run prefix>.<path>[@<discriminator>]}, {@code misc} {@code lab} (= origin) and
 *       {@code run_prefix}.</li>
 *   <li>{@code build_id} links the tests to Maestro's build: {@code maestro:<kbuild node id>}, found by walking
 *       {@code parent} from the job node, at most {@value #MAX_PARENT_HOPS} lookups, up to the first node of kind
 *       {@code kbuild}. When there is none the id is {@code <origin>:unknown_<job node id>} and a WARN is logged.</li>
 *   <li>{@code misc} carries the job's {@code runtime}, {@code lab} (= runtime), {@code platform}, {@code job_id}
 *       (the job node id) and, when the node has them, {@code arch}, {@code compiler}, {@code kernel_type},
 *       {@code defconfig}; {@code environment.misc} carries {@code platform} and {@code job_id}, as Maestro sends
 *       them and the dashboard reads them. A test's own entries win.</li>
 * </ul>
 * Absent values are omitted, never null.
 */
public final class KcidbRevisionBuilder {

    /** The origin of Maestro's own KCIDB rows, hence of the builds pull-lab tests belong to. */
    public static final String MAESTRO_ORIGIN = "maestro";
    /** How many {@code parent} lookups the {@code build_id} walk makes at most. */
    public static final int MAX_PARENT_HOPS = 8;
    /** KCIDB schema version of the revisions built here. */
    public static final int SCHEMA_MAJOR = 5;
    public static final int SCHEMA_MINOR = 3;

    private static final Logger LOG = LoggerFactory.getLogger(KcidbRevisionBuilder.class);
    private static final Pattern ORIGIN = Pattern.compile("^[a-z0-9_]+$");
    private static final Pattern ID = Pattern.compile("^[a-z0-9_]+:[^\\x00]*$");
    private static final Pattern NOT_ID_CHAR = Pattern.compile("[^a-zA-Z0-9_-]");
    private static final DateTimeFormatter START_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);
    private static final List<String> JOB_MISC_FROM_DATA = List.of("arch", "compiler", "kernel_type", "defconfig");

    private final String origin;
    private final NodeLookup nodes;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param origin the lab's KCIDB origin, matching {@code ^[a-z0-9_]+$}
     * @param nodes  reads parent nodes for the {@code build_id} walk
     * @throws IllegalArgumentException naming the origin when it does not match
     */
    public KcidbRevisionBuilder(String origin, NodeLookup nodes) {
        this.origin = requireValidOrigin(origin);
        this.nodes = Objects.requireNonNull(nodes, "nodes");
    }

    /** Whether KCIDB accepts this origin ({@code ^[a-z0-9_]+$}: no capitals, no hyphens). */
    public static boolean isValidOrigin(String origin) {
        return origin != null && ORIGIN.matcher(origin).matches();
    }

    /**
     * @return the origin
     * @throws IllegalArgumentException naming the bad origin and a valid spelling of it
     */
    public static String requireValidOrigin(String origin) {
        if (!isValidOrigin(origin)) {
            String suggestion = origin == null ? "my_lab"
                    : origin.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
            throw new IllegalArgumentException("invalid KCIDB origin '" + origin + "': it must match ^[a-z0-9_]+$"
                    + " (lower-case letters, digits and underscores only, e.g. '" + suggestion + "')");
        }
        return origin;
    }

    public String origin() {
        return origin;
    }

    /**
     * {@code maestro:<kbuild node id>} of the job's nearest {@code kbuild} ancestor, else
     * {@code <origin>:unknown_<job node id>} (logged at WARN). A lookup that fails (e.g. the API refuses an
     * unauthenticated read) ends the walk the same way.
     */
    public String resolveBuildId(Node jobNode) {
        Set<String> seen = new HashSet<>();
        Node current = jobNode;
        String why = "no kbuild ancestor within " + MAX_PARENT_HOPS + " hops";
        for (int hop = 1; hop <= MAX_PARENT_HOPS; hop++) {
            Optional<String> parentId = current.parent();
            if (parentId.isEmpty()) {
                why = "node " + current.id() + " has no parent and is not a kbuild";
                break;
            }
            if (!seen.add(parentId.get())) {
                why = "parent cycle at node " + parentId.get();
                break;
            }
            Optional<Node> parent;
            try {
                parent = nodes.node(parentId.get());
            } catch (HttpCallException e) {
                why = "cannot read node " + parentId.get() + " (" + e.getMessage() + ")";
                break;
            }
            if (parent.isEmpty()) {
                why = "node " + parentId.get() + " not found";
                break;
            }
            if ("kbuild".equals(parent.get().kind())) {
                return MAESTRO_ORIGIN + ":" + parent.get().id();
            }
            current = parent.get();
        }
        String fallback = origin + ":unknown_" + jobNode.id();
        LOG.warn("Could not resolve build_id for job node {}: {}; using {}", jobNode.id(), why, fallback);
        return fallback;
    }

    /** The KCIDB id of a test of a job node: {@code <origin>:<job node id>.<sanitised path>}. */
    public String testId(String jobNodeId, String path) {
        return origin + ":" + jobNodeId + "." + KcidbTestEntry.sanitisePath(path);
    }

    /**
     * The KCIDB id of a test within a scope (a job node id or a {@link #runScope sanitised run prefix}):
     * {@code <origin>:<scope>.<path>}, plus {@code @<discriminator>} when the test has one.
     */
    public String testId(String scope, KcidbTestEntry test) {
        return origin + ":" + scope + "." + test.idSuffix();
    }

    /**
     * The id scope of a run without a job node: the run prefix without leading or trailing {@code /}, every
     * character outside {@code [a-zA-Z0-9_-]} replaced by {@code _}, e.g. {@code runs/run_x.1/} is
     * {@code runs_run_x_1}.
     *
     * @throws IllegalArgumentException when nothing is left of the prefix
     */
    public static String runScope(String runPrefix) {
        String trimmed = KcidbTestEntry.withoutNul(Objects.requireNonNull(runPrefix, "runPrefix"))
                .replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("a run prefix needs at least one character besides '/', got '"
                    + runPrefix + "'");
        }
        return NOT_ID_CHAR.matcher(trimmed).replaceAll("_");
    }

    /** The {@code build_id} of the tests of a run without a job node: {@code <origin>:<sanitised run prefix>}. */
    public String runBuildId(String runPrefix) {
        return origin + ":" + runScope(runPrefix);
    }

    /** The revision for the job node's tests, with the {@code build_id} {@link #resolveBuildId resolved}. */
    public ObjectNode build(Node jobNode, List<KcidbTestEntry> tests) {
        return build(jobNode, resolveBuildId(jobNode), tests);
    }

    /**
     * The revision for the job node's tests, with a known {@code build_id}.
     *
     * @throws IllegalArgumentException when there are no tests, two tests would get the same id, or the build id is
     *                                  not of the form {@code <origin>:<anything>}
     */
    public ObjectNode build(Node jobNode, String buildId, List<KcidbTestEntry> tests) {
        Objects.requireNonNull(jobNode, "jobNode");
        if (buildId == null || !ID.matcher(buildId).matches()) {
            throw new IllegalArgumentException("invalid KCIDB build_id '" + buildId + "': expected <origin>:<id>");
        }
        Map<String, Object> jobEnvironmentMisc = new TreeMap<>();
        jobNode.platform().ifPresent(p -> jobEnvironmentMisc.put("platform", p));
        jobEnvironmentMisc.put("job_id", jobNode.id());
        Scope scope = new Scope("job node " + jobNode.id(), jobNode.id(), buildId, jobMisc(jobNode),
                jobEnvironmentMisc, jobNode.runtime().map(runtime -> "Runtime: " + runtime), true);
        return build(scope, tests);
    }

    /**
     * The revision for the tests of a run that has no KernelCI job node (a scheduled or BuildComplete benchmark
     * run): {@code build_id} is {@code <origin>:<sanitised run prefix>} ({@link #runBuildId}), test ids
     * {@code <origin>:<sanitised run prefix>.<path>[@<discriminator>]}, so a re-submission carries the same ids;
     * {@code misc} carries {@code lab} (the origin) and {@code run_prefix}; {@code environment} is only present
     * for tests with {@code environment.misc} entries.
     *
     * @throws IllegalArgumentException when there are no tests, two tests would get the same id, or the run prefix
     *                                  is empty
     */
    public ObjectNode buildForRun(String runPrefix, List<KcidbTestEntry> tests) {
        String runScope = runScope(runPrefix);
        Map<String, Object> runMisc = new TreeMap<>();
        runMisc.put("lab", origin);
        runMisc.put("run_prefix", KcidbTestEntry.withoutNul(runPrefix));
        Scope scope = new Scope("run " + runPrefix, runScope, origin + ":" + runScope, runMisc, Map.of(),
                Optional.empty(), false);
        return build(scope, tests);
    }

    /**
     * Where a revision's tests belong: a job node or a run.
     *
     * @param description        for messages, e.g. {@code job node <id>}
     * @param idScope            what comes between {@code <origin>:} and {@code .<path>} in test ids
     * @param buildId            the tests' {@code build_id}
     * @param misc               {@code misc} entries of every test (a test's own win)
     * @param environmentMisc    {@code environment.misc} entries of every test
     * @param environmentComment {@code environment.comment}
     * @param alwaysEnvironment  whether {@code environment} is present even when it would be empty
     */
    private record Scope(String description, String idScope, String buildId, Map<String, Object> misc,
                         Map<String, Object> environmentMisc, Optional<String> environmentComment,
                         boolean alwaysEnvironment) {
    }

    private ObjectNode build(Scope scope, List<KcidbTestEntry> tests) {
        if (tests.isEmpty()) {
            throw new IllegalArgumentException("a KCIDB revision for " + scope.description() + " needs a test");
        }
        ObjectNode revision = mapper.createObjectNode();
        revision.putObject("version").put("major", SCHEMA_MAJOR).put("minor", SCHEMA_MINOR);
        ArrayNode rows = revision.putArray("tests");
        Set<String> ids = new HashSet<>();
        for (KcidbTestEntry test : tests) {
            String id = testId(scope.idScope(), test);
            if (!ids.add(id)) {
                throw new IllegalArgumentException("two tests of " + scope.description() + " have the path '"
                        + test.path() + "'" + test.idDiscriminator().map(d -> " and id discriminator '" + d + "'")
                        .orElse("") + ", hence the id '" + id + "': KCIDB ids must be unique");
            }
            rows.add(row(scope, id, test));
        }
        return revision;
    }

    private Map<String, Object> jobMisc(Node jobNode) {
        Map<String, Object> misc = new TreeMap<>();
        jobNode.runtime().ifPresent(runtime -> {
            misc.put("runtime", runtime);
            misc.put("lab", runtime);
        });
        jobNode.platform().ifPresent(platform -> misc.put("platform", platform));
        misc.put("job_id", jobNode.id());
        JsonNode data = jobNode.data();
        for (String key : JOB_MISC_FROM_DATA) {
            JsonNode value = data.path(key);
            if (value.isTextual() && !value.asText().isEmpty()) {
                misc.put(key, value.asText());
            }
        }
        return misc;
    }

    private ObjectNode row(Scope scope, String id, KcidbTestEntry test) {
        ObjectNode row = mapper.createObjectNode();
        row.put("id", id);
        row.put("build_id", scope.buildId());
        row.put("origin", origin);
        row.put("path", test.path());
        test.status().ifPresent(status -> row.put("status", status.name()));
        test.comment().ifPresent(comment -> row.put("comment", comment));
        test.startTime().ifPresent(start -> row.put("start_time", START_TIME.format(start)));
        test.durationSeconds().ifPresent(seconds -> row.put("duration", seconds));
        test.logUrl().ifPresent(url -> row.put("log_url", url.toString()));
        if (!test.outputFiles().isEmpty()) {
            ArrayNode files = row.putArray("output_files");
            test.outputFiles().forEach(file -> files.addObject().put("name", file.name())
                    .put("url", file.url().toString()));
        }
        test.number().ifPresent(number -> {
            ObjectNode json = row.putObject("number");
            json.put("value", number.value());
            number.unit().ifPresent(unit -> json.put("unit", unit));
            number.prefix().ifPresent(prefix -> json.put("prefix", prefix.wireName()));
        });
        boolean hasEnvironmentMisc = !scope.environmentMisc().isEmpty() || !test.environmentMisc().isEmpty();
        if (scope.alwaysEnvironment() || hasEnvironmentMisc || scope.environmentComment().isPresent()) {
            ObjectNode environment = mapper.createObjectNode();
            scope.environmentComment().ifPresent(comment -> environment.put("comment", comment));
            if (scope.alwaysEnvironment() || hasEnvironmentMisc) {
                environment.set("misc", toJson(scope.environmentMisc(), test.environmentMisc()));
            }
            row.set("environment", environment);
        }
        row.set("misc", toJson(scope.misc(), test.misc()));
        return row;
    }

    /** The two maps merged (the second wins), keys sorted, nulls pruned at every depth. */
    private ObjectNode toJson(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> merged = new TreeMap<>(base);
        merged.putAll(overrides);
        ObjectNode json = mapper.createObjectNode();
        merged.forEach((key, value) -> json.set(key, mapper.valueToTree(value)));
        pruneNulls(json);
        return json;
    }

    private static void pruneNulls(JsonNode json) {
        if (json instanceof ObjectNode object) {
            List<String> nullFields = new ArrayList<>();
            object.properties().forEach(field -> {
                if (field.getValue().isNull()) {
                    nullFields.add(field.getKey());
                } else {
                    pruneNulls(field.getValue());
                }
            });
            object.remove(nullFields);
        } else if (json instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                if (array.get(i).isNull()) {
                    array.remove(i);
                } else {
                    pruneNulls(array.get(i));
                }
            }
        }
    }
}
