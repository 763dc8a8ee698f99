package dev.pullab.core.kcidb;

import static dev.pullab.core.kcidb.KcidbFixtures.JOB_NODE_ID;
import static dev.pullab.core.kcidb.KcidbFixtures.KBUILD_NODE_ID;
import static dev.pullab.core.kcidb.KcidbFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.kernelci.Node;
import dev.pullab.core.kernelci.NodeLookup;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KcidbRevisionBuilder: tests-only v5.3 revisions for a job node")
class KcidbRevisionBuilderTest {

    private static final String ORIGIN = "pullab_test";

    private final Node job = KcidbFixtures.jobNode();
    private final CountingLookup lookup = new CountingLookup();
    private final KcidbRevisionBuilder builder = new KcidbRevisionBuilder(ORIGIN, lookup);

    /** An in-memory NodeLookup that counts its calls. */
    private static final class CountingLookup implements NodeLookup {
        private final Map<String, Node> nodes = new HashMap<>();
        private int calls;

        CountingLookup with(Node node) {
            nodes.put(node.id(), node);
            return this;
        }

        @Override
        public Optional<Node> node(String id) {
            calls++;
            return Optional.ofNullable(nodes.get(id));
        }
    }

    private static List<KcidbTestEntry> pullLabTests() {
        return List.of(
                KcidbTestEntry.fromLabResult("boot", "pass").withDurationSeconds(42.5)
                        .withStartTime(Instant.parse("2026-05-20T10:20:00Z"))
                        .withLogUrl(URI.create("https://lab.example.org/jobs/1/log.txt")),
                KcidbTestEntry.fromLabResult("ltp.abort01", "fail"),
                KcidbTestEntry.fromLabResult(KcidbTestEntry.pathOf("kselftest", "net", "ip_defrag.sh"), "skip"),
                KcidbTestEntry.metric("benchmark.fio.read_iops", 15234.5, "IOPS", false),
                KcidbTestEntry.metric("benchmark.boot_time", 3.21, "s", true));
    }

    private JsonNode firstTest(ObjectNode revision) {
        return revision.get("tests").get(0);
    }

    @Test
    @DisplayName("a revision built for the pull-lab job node passes the schema")
    void revisionIsValid() {
        lookup.with(node(KBUILD_NODE_ID, "kbuild", "6825f0000000000000000001"));

        ObjectNode revision = builder.build(job, pullLabTests());

        assertThat(KcidbValidator.validate(revision)).isEmpty();
    }

    @Test
    @DisplayName("the revision is tests-only with version 5.3")
    void revisionShape() {
        ObjectNode revision = builder.build(job, "maestro:" + KBUILD_NODE_ID, pullLabTests());

        assertThat(revision.properties()).extracting(Map.Entry::getKey).containsExactly("version", "tests");
        assertThat(revision.get("version")).isEqualTo(KcidbFixtures.json("{\"major\":5,\"minor\":3}"));
    }

    @Test
    @DisplayName("build_id is maestro:<id> of the kbuild parent")
    void buildIdFromKbuildParent() {
        lookup.with(node(KBUILD_NODE_ID, "kbuild", "6825f0000000000000000001"));

        ObjectNode revision = builder.build(job, pullLabTests());

        assertThat(revision.get("tests")).allSatisfy(
                test -> assertThat(test.get("build_id").asText()).isEqualTo("maestro:" + KBUILD_NODE_ID));
    }

    @Test
    @DisplayName("the walk climbs past non-kbuild ancestors to the first kbuild")
    void buildIdFromKbuildGrandparent() {
        lookup.with(node(KBUILD_NODE_ID, "job", "k2")).with(node("k2", "kbuild", "k3"))
                .with(node("k3", "kbuild", null));

        assertThat(builder.resolveBuildId(job)).isEqualTo("maestro:k2");
    }

    @Test
    @DisplayName("a kbuild 8 hops up is found")
    void kbuildAtEighthHopIsFound() {
        chainWithKbuildAtHop(8);

        assertThat(builder.resolveBuildId(job)).isEqualTo("maestro:a8");
    }

    @Test
    @DisplayName("no kbuild within 8 hops falls back to <origin>:unknown_<job id>")
    void fallbackWithoutKbuild() {
        chainWithKbuildAtHop(9);

        assertThat(builder.resolveBuildId(job)).isEqualTo(ORIGIN + ":unknown_" + JOB_NODE_ID);
    }

    @Test
    @DisplayName("the walk stops after 8 lookups")
    void walkStopsAfterEightLookups() {
        chainWithKbuildAtHop(30);

        builder.resolveBuildId(job);

        assertThat(lookup.calls).isEqualTo(8);
    }

    @Test
    @DisplayName("an unknown parent falls back")
    void unknownParentFallsBack() {
        assertThat(builder.resolveBuildId(job)).isEqualTo(ORIGIN + ":unknown_" + JOB_NODE_ID);
    }

    @Test
    @DisplayName("a failing lookup (e.g. 401 from the API) falls back")
    void failingLookupFallsBack() {
        KcidbRevisionBuilder failing = new KcidbRevisionBuilder(ORIGIN, id -> {
            throw new HttpCallException("KernelCI API GET /node/" + id + " failed: HTTP 401", 401, null);
        });

        assertThat(failing.resolveBuildId(job)).isEqualTo(ORIGIN + ":unknown_" + JOB_NODE_ID);
    }

    @Test
    @DisplayName("ids are <origin>:<job node id>.<path>")
    void idFormat() {
        ObjectNode revision = builder.build(job, "maestro:" + KBUILD_NODE_ID, pullLabTests());

        assertThat(revision.get("tests")).extracting(t -> t.get("id").asText()).containsExactly(
                ORIGIN + ":" + JOB_NODE_ID + ".boot",
                ORIGIN + ":" + JOB_NODE_ID + ".ltp.abort01",
                ORIGIN + ":" + JOB_NODE_ID + ".kselftest.net.ip_defrag_sh",
                ORIGIN + ":" + JOB_NODE_ID + ".benchmark.fio.read_iops",
                ORIGIN + ":" + JOB_NODE_ID + ".benchmark.boot_time");
    }

    @Test
    @DisplayName("building twice gives the same revision (a re-submission carries the same ids)")
    void deterministic() {
        lookup.with(node(KBUILD_NODE_ID, "kbuild", null));

        assertThat(builder.build(job, pullLabTests())).isEqualTo(builder.build(job, pullLabTests()));
    }

    @Test
    @DisplayName("the same path under another job node gets another id")
    void idsUniquePerJobNode() {
        Node otherJob = node("6825f9c0b4e0b1c9d2a7e0a2", "job", KBUILD_NODE_ID);
        List<KcidbTestEntry> boot = List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS));

        String first = firstTest(builder.build(job, "maestro:x", boot)).get("id").asText();
        String second = firstTest(builder.build(otherJob, "maestro:x", boot)).get("id").asText();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    @DisplayName("two tests with the same sanitised path are refused")
    void duplicatePathRefused() {
        List<KcidbTestEntry> clash = List.of(KcidbTestEntry.of("ltp.a/b", KcidbStatus.PASS), KcidbTestEntry.of("ltp.a_b",
                KcidbStatus.FAIL));

        assertThatThrownBy(() -> builder.build(job, "maestro:x", clash))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ltp.a_b");
    }

    @Test
    @DisplayName("characters outside [a-zA-Z0-9_-] in each path component become _")
    void pathsAreSanitised() {
        List<KcidbTestEntry> odd = List.of(KcidbTestEntry.of("ltp/abort 01.case:2..x.", KcidbStatus.PASS));

        JsonNode test = firstTest(builder.build(job, "maestro:x", odd));

        assertThat(test.get("path").asText()).isEqualTo("ltp_abort_01.case_2._.x._");
    }

    @Test
    @DisplayName("a revision with sanitised paths passes the schema")
    void sanitisedPathsValidate() {
        List<KcidbTestEntry> odd = List.of(KcidbTestEntry.of("ltp/abort 01.case:2..x.", KcidbStatus.PASS),
                KcidbTestEntry.of("kselftest.net/ip defrag.sh", KcidbStatus.FAIL), KcidbTestEntry.of("ü.ö", KcidbStatus.SKIP));

        assertThat(KcidbValidator.validate(builder.build(job, "maestro:x", odd))).isEmpty();
    }

    @Test
    @DisplayName("start_time is serialised in UTC with a +00:00 offset")
    void startTimeHasOffset() {
        List<KcidbTestEntry> tests = List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS)
                .withStartTime(OffsetDateTime.of(2026, 5, 20, 12, 20, 0, 123_000_000, ZoneOffset.ofHours(2))));

        JsonNode test = firstTest(builder.build(job, "maestro:x", tests));

        assertThat(test.get("start_time").asText()).isEqualTo("2026-05-20T10:20:00.123000+00:00");
    }

    @Test
    @DisplayName("a metric that did not regress is DONE with its number")
    void metricDone() {
        JsonNode test = firstTest(builder.build(job, "maestro:x",
                List.of(KcidbTestEntry.metric("benchmark.fio.read_iops", 15234.5, "IOPS", false))));

        assertThat(test.get("status").asText()).isEqualTo("DONE");
        assertThat(test.get("number")).isEqualTo(KcidbFixtures.json("{\"value\":15234.5,\"unit\":\"IOPS\"}"));
    }

    @Test
    @DisplayName("a regressed metric is FAIL with its number")
    void metricFail() {
        JsonNode test = firstTest(builder.build(job, "maestro:x",
                List.of(KcidbTestEntry.metric("benchmark.boot_time", 3.21, "s", true))));

        assertThat(test.get("status").asText()).isEqualTo("FAIL");
        assertThat(test.get("number").get("value").asDouble()).isEqualTo(3.21);
    }

    @Test
    @DisplayName("a number with a prefix and no unit serialises only what is set")
    void numberWithPrefix() {
        KcidbTestEntry test = KcidbTestEntry.of("mem.free", KcidbStatus.DONE)
                .withNumber(KcidbNumber.of(512000).withPrefix(KcidbNumber.Prefix.BINARY));

        JsonNode json = firstTest(builder.build(job, "maestro:x", List.of(test)));

        assertThat(json.get("number")).isEqualTo(KcidbFixtures.json("{\"value\":512000.0,\"prefix\":\"binary\"}"));
    }

    @Test
    @DisplayName("misc carries runtime, lab, platform and job_id like Maestro")
    void miscFromJobNode() {
        JsonNode misc = firstTest(builder.build(job, "maestro:x", pullLabTests())).get("misc");

        assertThat(misc.get("runtime").asText()).isEqualTo("pull-labs-demo");
        assertThat(misc.get("lab").asText()).isEqualTo("pull-labs-demo");
        assertThat(misc.get("platform").asText()).isEqualTo("qemu-x86_64");
        assertThat(misc.get("job_id").asText()).isEqualTo(JOB_NODE_ID);
    }

    @Test
    @DisplayName("environment.misc carries the platform the dashboard reads")
    void environmentPlatform() {
        JsonNode environment = firstTest(builder.build(job, "maestro:x", pullLabTests())).get("environment");

        assertThat(environment.get("misc").get("platform").asText()).isEqualTo("qemu-x86_64");
    }

    @Test
    @DisplayName("a test's own misc entries override the job's")
    void testMiscOverrides() {
        KcidbTestEntry test = KcidbTestEntry.of("boot", KcidbStatus.PASS).withMisc("platform", "qemu-x86_64-kvm")
                .withMisc("iterations", 3);

        JsonNode misc = firstTest(builder.build(job, "maestro:x", List.of(test))).get("misc");

        assertThat(misc.get("platform").asText()).isEqualTo("qemu-x86_64-kvm");
        assertThat(misc.get("iterations").asInt()).isEqualTo(3);
    }

    @Test
    @DisplayName("absent optional fields are omitted")
    void absentFieldsOmitted() {
        JsonNode test = firstTest(builder.build(job, "maestro:x", List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS))));

        assertThat(test.properties()).extracting(Map.Entry::getKey)
                .containsExactly("id", "build_id", "origin", "path", "status", "environment", "misc");
    }

    @Test
    @DisplayName("no value anywhere in the revision is null, even nested in misc")
    void noNulls() {
        Map<String, Object> nested = new HashMap<>();
        nested.put("kept", "yes");
        nested.put("dropped", null);
        List<Object> list = new ArrayList<>();
        list.add(null);
        list.add(1);
        KcidbTestEntry test = KcidbTestEntry.of("boot", KcidbStatus.PASS).withMisc("nested", nested).withMisc("list", list);

        ObjectNode revision = builder.build(job, "maestro:x", List.of(test));

        assertThat(allValues(revision)).noneMatch(JsonNode::isNull);
        assertThat(firstTest(revision).get("misc").get("nested")).isEqualTo(KcidbFixtures.json("{\"kept\":\"yes\"}"));
    }

    @Test
    @DisplayName("an origin with a hyphen is refused with a message naming it")
    void badOriginRefused() {
        assertThatThrownBy(() -> new KcidbRevisionBuilder("pull-labs-demo", lookup))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pull-labs-demo'")
                .hasMessageContaining("^[a-z0-9_]+$")
                .hasMessageContaining("pull_labs_demo");
    }

    @Test
    @DisplayName("a revision without tests is refused")
    void emptyRevisionRefused() {
        assertThatThrownBy(() -> builder.build(job, "maestro:x", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the same path from two VMs gets two ids, <origin>:<job node id>.<path>@<instance id>")
    void givenSamePathWithDiscriminators_whenBuilt_thenIdsCarryThem() {
        List<KcidbTestEntry> twoVms = List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS).withIdDiscriminator("i-0aaa"),
                KcidbTestEntry.of("boot", KcidbStatus.PASS).withIdDiscriminator("i-0bbb"));

        ObjectNode revision = builder.build(job, "maestro:x", twoVms);

        assertThat(revision.get("tests")).extracting(t -> t.get("id").asText()).containsExactly(
                ORIGIN + ":" + JOB_NODE_ID + ".boot@i-0aaa", ORIGIN + ":" + JOB_NODE_ID + ".boot@i-0bbb");
    }

    @Test
    @DisplayName("a revision with discriminated ids passes the schema")
    void givenDiscriminatedTests_whenBuilt_thenValid() {
        List<KcidbTestEntry> twoVms = List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS).withIdDiscriminator("i-0aaa"),
                KcidbTestEntry.of("boot", KcidbStatus.FAIL).withIdDiscriminator("arn:aws:ecs:task/c/1"));

        assertThat(KcidbValidator.validate(builder.build(job, "maestro:x", twoVms))).isEmpty();
    }

    @Test
    @DisplayName("a discriminator is sanitised like a path component")
    void givenDiscriminatorWithOddCharacters_whenSet_thenSanitised() {
        KcidbTestEntry test = KcidbTestEntry.of("boot", KcidbStatus.PASS).withIdDiscriminator("arn:aws:ecs:task/c/1");

        assertThat(test.idSuffix()).isEqualTo("boot@arn_aws_ecs_task_c_1");
    }

    @Test
    @DisplayName("two tests with the same path and discriminator are refused, naming the id")
    void givenSamePathAndDiscriminator_whenBuilt_thenRefused() {
        List<KcidbTestEntry> clash = List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS).withIdDiscriminator("i-1"),
                KcidbTestEntry.of("boot", KcidbStatus.FAIL).withIdDiscriminator("i-1"));

        assertThatThrownBy(() -> builder.build(job, "maestro:x", clash))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boot@i-1");
    }

    @Test
    @DisplayName("a run without a job node: build_id <origin>:<run prefix>, ids <origin>:<run prefix>.<path>")
    void givenRunPrefix_whenBuiltForRun_thenIdsFromPrefix() {
        List<KcidbTestEntry> tests = List.of(KcidbTestEntry.metric("unixbench.Dhrystone", 1.0e7, "lps", false),
                KcidbTestEntry.of("unixbench", KcidbStatus.ERROR).withIdDiscriminator("i-0aaa"));

        ObjectNode revision = builder.buildForRun("run_unixbench_20260520T101500", tests);

        assertThat(revision.get("tests")).extracting(t -> t.get("id").asText()).containsExactly(
                ORIGIN + ":run_unixbench_20260520T101500.unixbench.Dhrystone",
                ORIGIN + ":run_unixbench_20260520T101500.unixbench@i-0aaa");
        assertThat(revision.get("tests")).allSatisfy(t -> assertThat(t.get("build_id").asText())
                .isEqualTo(ORIGIN + ":run_unixbench_20260520T101500"));
    }

    @Test
    @DisplayName("a revision for a run without a job node passes the schema")
    void givenRunPrefix_whenBuiltForRun_thenValid() {
        List<KcidbTestEntry> tests = List.of(KcidbTestEntry.metric("unixbench.Dhrystone", 1.0e7, "lps", true)
                .withEnvironmentMisc("instance_type", "m5.large"), KcidbTestEntry.of("unixbench", KcidbStatus.MISS));

        assertThat(KcidbValidator.validate(builder.buildForRun("runs/run_x.1/", tests))).isEmpty();
    }

    @Test
    @DisplayName("a run's misc carries lab (the origin) and run_prefix, and no environment without entries")
    void givenRunPrefix_whenBuiltForRun_thenMiscNamesTheRun() {
        JsonNode test = firstTest(builder.buildForRun("run_x", List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS))));

        assertThat(test.get("misc")).isEqualTo(KcidbFixtures.json(Map.of("lab", ORIGIN, "run_prefix", "run_x")));
        assertThat(test.has("environment")).isFalse();
    }

    @Test
    @DisplayName("building for a run twice gives the same revision")
    void givenRunPrefix_whenBuiltTwice_thenSame() {
        List<KcidbTestEntry> tests = List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS).withIdDiscriminator("i-1"));

        assertThat(builder.buildForRun("run_x", tests)).isEqualTo(builder.buildForRun("run_x", tests));
    }

    @Test
    @DisplayName("a run prefix loses surrounding slashes and every character outside [a-zA-Z0-9_-]")
    void givenOddRunPrefix_whenScoped_thenSanitised() {
        assertThat(KcidbRevisionBuilder.runScope("/runs/run_x.1:b/")).isEqualTo("runs_run_x_1_b");
    }

    @Test
    @DisplayName("an empty run prefix is refused")
    void givenSlashOnlyRunPrefix_whenBuiltForRun_thenRefused() {
        assertThatThrownBy(() -> builder.buildForRun("/", List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run prefix");
    }

    /** job -> a1 (the fixture's parent id) -> a2 -> ... -> a{hop}, where only a{hop} is a kbuild. */
    private void chainWithKbuildAtHop(int hop) {
        for (int i = 1; i < hop; i++) {
            lookup.with(node(chainId(i), "test", chainId(i + 1)));
        }
        lookup.with(node(chainId(hop), "kbuild", null));
    }

    private static String chainId(int hop) {
        return hop == 1 ? KBUILD_NODE_ID : "a" + hop;
    }

    private static List<JsonNode> allValues(JsonNode root) {
        List<JsonNode> all = new ArrayList<>();
        all.add(root);
        StreamSupport.stream(root.spliterator(), false).forEach(child -> all.addAll(allValues(child)));
        return all;
    }
}
