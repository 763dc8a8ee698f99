package dev.pullab.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.kcidb.KcidbResource;
import dev.pullab.core.report.ArtifactManifest.Artifact;
import dev.pullab.core.report.ArtifactManifest.KcidbRole;
import dev.pullab.core.report.ArtifactManifest.Status;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ArtifactManifest: artifacts.json, schema 1, with pullab_cloud's field names")
class ArtifactManifestTest {

    private static final String HASH = "ab".repeat(32);
    private static final URI LOG = URI.create("https://logs.example.org/run_1/test_boot/output/i-1/run-1-output.log");
    private static final URI CONSOLE =
            URI.create("https://logs.example.org/run_1/test_boot/output/i-1/console-output.log");

    private static Artifact ready(String kind, KcidbRole role, URI link) {
        return new Artifact("boot", "i-1", kind, role, Status.READY, "s3://results/run_1/test_boot/output/i-1/" + kind,
                Optional.of(link), Optional.of(HASH), 12, ArtifactManifest.TEXT_PLAIN,
                Optional.of("logs/run_1/test_boot/output/i-1/" + kind), Optional.empty());
    }

    private static final ArtifactManifest MANIFEST = ArtifactManifest.of(Instant.parse("2026-12-05T07:00:00Z"),
            "run_1", "results", Optional.of("pullab"), List.of(
                    ready("console-output.log", KcidbRole.OUTPUT, CONSOLE),
                    Artifact.missing("boot", "i-1", "result.txt", KcidbRole.OUTPUT,
                            "s3://results/run_1/test_boot/output/i-1/result.txt", ArtifactManifest.TEXT_PLAIN),
                    ready("run-1-output.log", KcidbRole.LOG, LOG)));

    @Test
    @DisplayName("the JSON carries schema_version 1 and pullab_cloud's field names, absent values as null")
    void jsonFieldNames() throws IOException {
        JsonNode json = new ObjectMapper().readTree(MANIFEST.toJson());

        assertThat(json.get("schema_version").asInt()).isEqualTo(1);
        assertThat(json.get("generated_at").asText()).isEqualTo("2026-12-05T07:00:00Z");
        assertThat(json.get("run_prefix").asText()).isEqualTo("run_1");
        assertThat(json.get("s3_bucket").asText()).isEqualTo("results");
        assertThat(json.get("origin").asText()).isEqualTo("pullab");
        JsonNode missing = json.get("artifacts").get(1);
        assertThat(missing.fieldNames()).toIterable().containsExactly("test", "instance_id", "kind", "kcidb_role",
                "status", "s3_uri", "log_url", "sha256", "size_bytes", "content_type", "published_key", "note");
        assertThat(missing.get("status").asText()).isEqualTo("missing");
        assertThat(missing.get("kcidb_role").asText()).isEqualTo("output");
        assertThat(missing.get("log_url").isNull()).isTrue();
        assertThat(missing.get("sha256").isNull()).isTrue();
        assertThat(json.get("artifacts").get(2).get("kcidb_role").asText()).isEqualTo("log");
        assertThat(json.get("artifacts").get(2).get("log_url").asText()).isEqualTo(LOG.toString());
    }

    @Test
    @DisplayName("what toJson writes, parse reads back equal")
    void roundTrip() {
        assertThat(ArtifactManifest.parse(MANIFEST.toJson())).isEqualTo(MANIFEST);
    }

    @Test
    @DisplayName("a manifest of another schema version is refused, naming the version")
    void otherVersionRefused() {
        byte[] json = "{\"schema_version\": 2, \"artifacts\": []}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ArtifactManifest.parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema_version 2");
    }

    @Test
    @DisplayName("a VM's log_url is its LOG artifact's link, its other linked artifacts are output_files")
    void linksFromRoles() {
        ArtifactManifest.VmLinks links = MANIFEST.links("boot", "i-1");

        assertThat(links.logUrl()).contains(LOG);
        assertThat(links.outputFiles()).containsExactly(new KcidbResource("console-output.log", CONSOLE));
    }

    @Test
    @DisplayName("a VM the manifest does not hold has no links")
    void unknownVmHasNoLinks() {
        assertThat(MANIFEST.links("boot", "i-2")).isEqualTo(ArtifactManifest.VmLinks.NONE);
        assertThat(MANIFEST.links("ltp", "i-1")).isEqualTo(ArtifactManifest.VmLinks.NONE);
    }

    @Test
    @DisplayName("a missing artifact cannot carry a link")
    void missingHasNoLink() {
        assertThatThrownBy(() -> new Artifact("boot", "i-1", "result.txt", KcidbRole.OUTPUT, Status.MISSING, "s3://b/k",
                Optional.of(LOG), Optional.empty(), 0, ArtifactManifest.TEXT_PLAIN, Optional.empty(),
                Optional.empty())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3://b/k");
    }

    @Test
    @DisplayName("a linked artifact whose name KCIDB refuses as a file name is left out of output_files")
    void badNameNotAnOutputFile() {
        ArtifactManifest manifest = ArtifactManifest.of(Instant.EPOCH, "run_1", "results", Optional.empty(),
                List.of(ready("run-1-output.log", KcidbRole.LOG, LOG), ready("nul\u0000.log", KcidbRole.OUTPUT,
                        CONSOLE)));

        assertThat(manifest.links("boot", "i-1").outputFiles()).isEmpty();
    }
}
