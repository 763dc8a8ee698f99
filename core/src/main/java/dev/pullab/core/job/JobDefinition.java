package dev.pullab.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A PULL_LABS job definition, the JSON KernelCI stores at a job node's {@code artifacts.job_definition} (CORE
 * {@code config/runtime/base/pull_labs.jinja2}). Fields this lab does not use ({@code environment.console},
 * {@code integrity}, ...) are not kept.
 *
 * @param artifacts   the build's artifact URLs
 * @param tests       the tests to run; empty when {@code tests} is absent or empty (pullab_cloud's job shape: the
 *                    translator then runs the boot test)
 * @param environment the platform and arch the job was scheduled for
 * @param callback    the pipeline callback the definition advertises (unused: this lab reports through the API)
 * @param parameters  the top-level {@code parameters} (tuxrun parameters such as {@code SKIPFILE}), empty when absent
 * @param timeoutS    the top-level {@code timeout} in seconds (pullab_cloud's job shape; KernelCI's template has
 *                    none), empty when absent: it bounds the VMs' max runtime
 */
public record JobDefinition(Artifacts artifacts, List<TestDefinition> tests, Environment environment,
        Optional<Callback> callback, Map<String, String> parameters, OptionalInt timeoutS) {

    /** {@code timeout_s} of a test that has none (the template's default). */
    public static final int DEFAULT_TIMEOUT_S = 600;
    /** The longest {@code timeout_s} accepted: one day. */
    public static final int MAX_TIMEOUT_S = 86_400;
    /** The longest top-level {@code timeout} accepted: two days (the longest VM safety timer, as a lab's). */
    public static final int MAX_JOB_TIMEOUT_S = LabConfig.MAX_RUNTIME_S;

    public JobDefinition {
        Objects.requireNonNull(artifacts, "artifacts");
        tests = List.copyOf(tests);
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(callback, "callback");
        parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
        Objects.requireNonNull(timeoutS, "timeoutS");
        timeoutS.ifPresent(timeout -> {
            if (timeout < 1 || timeout > MAX_JOB_TIMEOUT_S) {
                throw new IllegalArgumentException("timeout must be between 1 and " + MAX_JOB_TIMEOUT_S + ", got "
                        + timeout);
            }
        });
    }

    /**
     * Artifact URLs; each key is present in the JSON only when the build has that artifact.
     *
     * @param kernel    kernel image ({@code bzImage}, {@code Image}, ...)
     * @param modules   {@code modules.tar.xz}
     * @param kselftest {@code kselftest.tar.xz} (or {@code .tar.gz})
     * @param rootfs    {@code <nfsroot>/full.rootfs.tar.xz}
     * @param ramdisk   a ramdisk image
     * @param initrd    an initrd image
     * @param dtb       the device tree blob
     */
    public record Artifacts(Optional<String> kernel, Optional<String> modules, Optional<String> kselftest,
            Optional<String> rootfs, Optional<String> ramdisk, Optional<String> initrd, Optional<String> dtb) {

        /** The artifact names, in the template's order. */
        public static final List<String> NAMES =
                List.of("kernel", "modules", "kselftest", "rootfs", "ramdisk", "initrd", "dtb");

        public Artifacts {
            Objects.requireNonNull(kernel, "kernel");
            Objects.requireNonNull(modules, "modules");
            Objects.requireNonNull(kselftest, "kselftest");
            Objects.requireNonNull(rootfs, "rootfs");
            Objects.requireNonNull(ramdisk, "ramdisk");
            Objects.requireNonNull(initrd, "initrd");
            Objects.requireNonNull(dtb, "dtb");
        }

        /** No artifacts at all. */
        public static Artifacts none() {
            Optional<String> no = Optional.empty();
            return new Artifacts(no, no, no, no, no, no, no);
        }

        /** The artifact called {@code name} (one of {@link #NAMES}). */
        public Optional<String> get(String name) {
            return switch (name) {
                case "kernel" -> kernel;
                case "modules" -> modules;
                case "kselftest" -> kselftest;
                case "rootfs" -> rootfs;
                case "ramdisk" -> ramdisk;
                case "initrd" -> initrd;
                case "dtb" -> dtb;
                default -> throw new IllegalArgumentException("no artifact called '" + name + "' (known: " + NAMES
                        + ")");
            };
        }

        /** The artifacts present, name to URL, in the order of {@link #NAMES}. */
        public Map<String, String> present() {
            Map<String, String> present = new LinkedHashMap<>();
            NAMES.forEach(name -> get(name).ifPresent(url -> present.put(name, url)));
            return Collections.unmodifiableMap(present);
        }
    }

    /**
     * One entry of {@code tests}.
     *
     * @param id           e.g. {@code boot-test-6825f9c0}, {@code ltp-smoketest}, {@code kselftest-arm64}
     * @param type         {@code boot}, {@code ltp}, {@code kselftest-<collection>}, ...
     * @param depends      ids of tests this one depends on (not enforced: each test runs on its own VMs)
     * @param timeoutS     {@code timeout_s}, {@value #DEFAULT_TIMEOUT_S} when absent
     * @param parameters   the {@code parameters} string, e.g. {@code tst_cmdfiles=smoketest skipfile=x workers=max}
     * @param subset       {@code subset} as compact JSON text
     * @param preCommands  {@code pre-commands} (not run by this lab)
     * @param postCommands {@code post-commands} (not run by this lab)
     */
    public record TestDefinition(String id, String type, List<String> depends, int timeoutS,
            Optional<String> parameters, Optional<String> subset, List<String> preCommands,
            List<String> postCommands) {

        public TestDefinition {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(type, "type");
            depends = List.copyOf(depends);
            Objects.requireNonNull(parameters, "parameters");
            Objects.requireNonNull(subset, "subset");
            preCommands = List.copyOf(preCommands);
            postCommands = List.copyOf(postCommands);
            if (timeoutS < 1 || timeoutS > MAX_TIMEOUT_S) {
                throw new IllegalArgumentException("timeout_s must be between 1 and " + MAX_TIMEOUT_S + ", got "
                        + timeoutS);
            }
        }
    }

    /**
     * The {@code environment} block.
     *
     * @param platform KernelCI platform name, e.g. {@code qemu-x86_64}
     * @param arch     KernelCI arch, e.g. {@code x86_64}, {@code arm64}
     */
    public record Environment(Optional<String> platform, Optional<String> arch) {

        public Environment {
            Objects.requireNonNull(platform, "platform");
            Objects.requireNonNull(arch, "arch");
        }
    }

    /**
     * The {@code callback} block.
     *
     * @param url       {@code <KCI_INSTANCE_CALLBACK>/node/<node id>}
     * @param tokenName the name of the token the pipeline expects (never its value)
     */
    public record Callback(Optional<String> url, Optional<String> tokenName) {

        public Callback {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(tokenName, "tokenName");
        }
    }

    /**
     * Parses a downloaded job definition. JSON {@code null} and empty strings count as absent. Unknown fields are
     * ignored; duplicate keys and trailing content are errors.
     *
     * @throws InvalidJobDefinitionException naming the problem and its JSON path when the document is not a
     *                                       PULL_LABS job definition: not a JSON object, {@code tests} not an
     *                                       array, a test without {@code id} or {@code type}, no
     *                                       {@code environment}, {@code timeout_s} not a whole number in
     *                                       {@code [1, 86400]}, {@code timeout} not a whole number in
     *                                       {@code [1, 172800]}, a field of the wrong type (no or empty
     *                                       {@code tests} is fine: pullab_cloud's jobs run the boot test)
     */
    public static JobDefinition parse(byte[] json) {
        try {
            ObjectNode root = JsonShape.readObject(json);
            Artifacts artifacts = JsonShape.optionalObject(root, "artifacts", "")
                    .map(JobDefinition::artifacts).orElse(Artifacts.none());
            List<JsonNode> testNodes = JsonShape.optionalArray(root, "tests", "").orElse(List.of());
            List<TestDefinition> tests = new ArrayList<>(testNodes.size());
            for (int i = 0; i < testNodes.size(); i++) {
                tests.add(test(testNodes.get(i), JsonShape.element("tests", i)));
            }
            ObjectNode env = JsonShape.requiredObject(root, "environment", "");
            Environment environment = new Environment(JsonShape.optionalString(env, "platform", "environment"),
                    JsonShape.optionalString(env, "arch", "environment"));
            Optional<Callback> callback = JsonShape.optionalObject(root, "callback", "")
                    .map(cb -> new Callback(JsonShape.optionalString(cb, "url", "callback"),
                            JsonShape.optionalString(cb, "token_name", "callback")));
            Map<String, String> parameters = JsonShape.optionalObject(root, "parameters", "")
                    .map(JobDefinition::parameters).orElse(Map.of());
            OptionalLong timeout = JsonShape.optionalWholeNumber(root, "timeout", "", 1, MAX_JOB_TIMEOUT_S);
            return new JobDefinition(artifacts, tests, environment, callback, parameters,
                    timeout.isPresent() ? OptionalInt.of((int) timeout.getAsLong()) : OptionalInt.empty());
        } catch (JsonShape.Mismatch e) {
            throw new InvalidJobDefinitionException("invalid job definition: " + e.getMessage());
        }
    }

    private static Artifacts artifacts(ObjectNode node) {
        Map<String, Optional<String>> urls = new LinkedHashMap<>();
        Artifacts.NAMES.forEach(name -> urls.put(name, JsonShape.optionalString(node, name, "artifacts")));
        return new Artifacts(urls.get("kernel"), urls.get("modules"), urls.get("kselftest"), urls.get("rootfs"),
                urls.get("ramdisk"), urls.get("initrd"), urls.get("dtb"));
    }

    private static TestDefinition test(JsonNode value, String path) {
        ObjectNode node = JsonShape.asObject(value, path);
        return new TestDefinition(
                JsonShape.requiredString(node, "id", path),
                JsonShape.requiredString(node, "type", path),
                JsonShape.stringList(node, "depends", path),
                JsonShape.wholeNumber(node, "timeout_s", path, 1, MAX_TIMEOUT_S, DEFAULT_TIMEOUT_S),
                JsonShape.optionalString(node, "parameters", path),
                JsonShape.field(node, "subset").map(JsonShape::text),
                JsonShape.stringList(node, "pre-commands", path),
                JsonShape.stringList(node, "post-commands", path));
    }

    private static Map<String, String> parameters(ObjectNode node) {
        Map<String, String> parameters = new TreeMap<>();
        node.properties().forEach(entry -> {
            JsonNode value = entry.getValue();
            if (value.isContainerNode()) {
                throw JsonShape.wrongType(JsonShape.child("parameters", entry.getKey()), "a string, number or boolean",
                        value);
            }
            if (!value.isNull()) {
                parameters.put(entry.getKey(), value.asText());
            }
        });
        return parameters;
    }
}
