package dev.pullab.core.report;

import dev.pullab.core.store.MemoryObjectStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.log.PublishedLogs;
import dev.pullab.core.report.ArtifactManifest.Artifact;
import dev.pullab.core.report.ArtifactManifest.KcidbRole;
import dev.pullab.core.report.ArtifactManifest.Status;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunArtifacts: a closing run's logs published scrubbed under logs/, and its artifacts.json")
class RunArtifactsTest {

    private static final String RUN = "run_boot_20261205T070000";
    private static final String VM = "i-0123456789abcdef0";
    private static final String DIR = RUN + "/test_boot/output/" + VM + "/";
    private static final String TOKEN = "maestro-lab-token-0123456789";
    private static final String BANNER = "Linux version 6.1.150-170.1.amzn2023.x86_64 (mockbuild@ip-10-0-1-1) "
            + "(gcc (GCC) 11.4.1) #1 SMP PREEMPT_DYNAMIC";
    private static final String LOGS = "https://logs.example.org";
    private static final Instant NOW = Instant.parse("2026-12-05T07:30:00Z");

    private static final String B = "bucket";
    private final MemoryObjectStore store = new MemoryObjectStore();
    private final RunArtifacts artifacts = artifacts(RunArtifacts.DEFAULT_MAX_LOG_BYTES);

    private RunArtifacts artifacts(long maxLogBytes) {
        return new RunArtifacts(store, LogScrubber.forLab(TOKEN, null), maxLogBytes,
                key -> PublishedLogs.url(URI.create(LOGS), key), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private ArtifactManifest publish(Map<String, byte[]> read) {
        return artifacts.publish(B, RUN, Optional.of("pullab"),
                List.of(new RunArtifacts.VmObjects("boot", VM, store.list(B, DIR), read, Map.of())));
    }

    private static Artifact artifact(ArtifactManifest manifest, String kind) {
        return manifest.artifacts().stream().filter(a -> a.kind().equals(kind)).findFirst().orElseThrow();
    }

    private String published(String name) {
        return new String(store.object(B, PublishedLogs.key(DIR + name)).orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a stage log is published under logs/ scrubbed, as text/plain, and its raw copy is left as it was")
    void stageLogPublishedScrubbed() {
        String raw = BANNER + "\n+ curl -H 'Authorization: Bearer " + TOKEN + "' https://api\nkey AKIAIOSFODNN7EXAMPLE\n";
        store.with(B, DIR + "run-1-output.log", raw).with(B, DIR + "result.txt", "SUCCESS\n");

        publish(Map.of());

        assertThat(published("run-1-output.log")).contains(BANNER + "\n").doesNotContain(TOKEN)
                .doesNotContain("AKIAIOSFODNN7EXAMPLE").contains("[REDACTED:");
        assertThat(store.entry(B, PublishedLogs.key(DIR + "run-1-output.log")).map(MemoryObjectStore.Entry::contentType))
                .contains("text/plain; charset=utf-8");
        assertThat(new String(store.object(B, DIR + "run-1-output.log").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo(raw);
    }

    @Test
    @DisplayName("every log of the VM is published: stage, client and console logs")
    void everyLogPublished() {
        store.with(B, DIR + "run-1-output.log", "stage 1\n").with(B, DIR + "client-1.log", "client\n")
                .with(B, DIR + "console-output.log", BANNER + "\n").with(B, DIR + "stats.json", "{}");

        publish(Map.of());

        assertThat(store.object(B, PublishedLogs.key(DIR + "client-1.log"))).isPresent();
        assertThat(store.object(B, PublishedLogs.key(DIR + "console-output.log"))).isPresent();
        assertThat(store.object(B, PublishedLogs.key(DIR + "stats.json"))).isEmpty();
    }

    @Test
    @DisplayName("the manifest lists every object with the raw size and sha256, and its link under PULLAB_LOGS_URL")
    void manifestListsEveryObject() {
        store.with(B, DIR + "run-1-output.log", "stage 1\n").with(B, DIR + "result.txt", "SUCCESS\n")
                .with(B, DIR + "console-output.log", BANNER + "\n");

        ArtifactManifest manifest = publish(Map.of("result.txt", "SUCCESS\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(manifest.artifacts()).extracting(Artifact::kind)
                .containsExactly("console-output.log", "result.txt", "run-1-output.log");
        Artifact log = artifact(manifest, "run-1-output.log");
        assertThat(log.status()).isEqualTo(Status.READY);
        assertThat(log.sizeBytes()).isEqualTo(8);
        assertThat(log.sha256()).contains(RunArtifacts.sha256("stage 1\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(log.s3Uri()).isEqualTo("s3://bucket/" + DIR + "run-1-output.log");
        assertThat(log.logUrl()).contains(URI.create(LOGS + "/" + DIR + "run-1-output.log"));
        assertThat(log.publishedKey()).contains("logs/" + DIR + "run-1-output.log");
        assertThat(artifact(manifest, "result.txt").sha256())
                .contains(RunArtifacts.sha256("SUCCESS\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(artifact(manifest, "result.txt").logUrl()).isEmpty();
    }

    @Test
    @DisplayName("the manifest is written at <run>/artifacts.json as JSON")
    void manifestWritten() {
        store.with(B, DIR + "run-1-output.log", "stage 1\n");

        ArtifactManifest manifest = publish(Map.of());

        assertThat(store.object(B, RUN + "/artifacts.json")).hasValueSatisfying(json ->
                assertThat(ArtifactManifest.parse(json)).isEqualTo(manifest));
        assertThat(store.entry(B, RUN + "/artifacts.json").map(MemoryObjectStore.Entry::contentType)).contains("application/json");
        assertThat(manifest.generatedAt()).isEqualTo(NOW);
    }

    @Test
    @DisplayName("an absent result.txt and console-output.log are listed as missing, without link or hash")
    void expectedButAbsentAreMissing() {
        store.with(B, DIR + "run-1-output.log", "stage 1\n");

        ArtifactManifest manifest = publish(Map.of());

        assertThat(List.of(artifact(manifest, "result.txt"), artifact(manifest, "console-output.log")))
                .allSatisfy(a -> {
                    assertThat(a.status()).isEqualTo(Status.MISSING);
                    assertThat(a.logUrl()).isEmpty();
                    assertThat(a.sha256()).isEmpty();
                    assertThat(a.sizeBytes()).isZero();
                });
    }

    @Test
    @DisplayName("a VM that left nothing gets its expected files as missing")
    void emptyVmMissing() {
        ArtifactManifest manifest = artifacts.publish(B, RUN, Optional.empty(),
                List.of(RunArtifacts.VmObjects.empty("boot", VM)));

        assertThat(manifest.artifacts()).extracting(Artifact::kind, Artifact::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("console-output.log", Status.MISSING),
                org.assertj.core.groups.Tuple.tuple("result.txt", Status.MISSING));
    }

    @Test
    @DisplayName("the last stage's log is the VM's log; its other logs are output files")
    void lastStageIsTheLog() {
        store.with(B, DIR + "run-1-output.log", "1\n").with(B, DIR + "run-2-output.log", "2\n")
                .with(B, DIR + "client-1.log", "c\n").with(B, DIR + "console-output.log", "k\n");

        ArtifactManifest manifest = publish(Map.of());

        assertThat(manifest.artifacts()).filteredOn(a -> a.kcidbRole() == KcidbRole.LOG).extracting(Artifact::kind)
                .containsExactly("run-2-output.log");
        ArtifactManifest.VmLinks links = manifest.links("boot", VM);
        assertThat(links.logUrl()).contains(URI.create(LOGS + "/" + DIR + "run-2-output.log"));
        assertThat(links.outputFiles()).extracting(f -> f.name())
                .containsExactly("client-1.log", "console-output.log", "run-1-output.log");
    }

    @Test
    @DisplayName("a VM with a console but no stage log (a boot failure) gets its console as its log")
    void consoleIsTheLogOfABootFailure() {
        store.with(B, DIR + "console-output.log", BANNER + "\nKernel panic - not syncing: VFS\n");

        ArtifactManifest manifest = publish(Map.of());

        assertThat(manifest.links("boot", VM).logUrl())
                .contains(URI.create(LOGS + "/" + DIR + "console-output.log"));
        assertThat(artifact(manifest, "console-output.log").kcidbRole()).isEqualTo(KcidbRole.LOG);
    }

    @Test
    @DisplayName("a log over the limit is published cut at a line end, saying so, and gets no hash")
    void overLimitLogCut() {
        String line = "x".repeat(99) + "\n";
        store.with(B, DIR + "run-1-output.log", line.repeat(30) + "AKIAIOSFODNN7EXAMPLE\n");

        ArtifactManifest manifest = artifacts(2048).publish(B, RUN, Optional.empty(),
                List.of(new RunArtifacts.VmObjects("boot", VM, store.list(B, DIR), Map.of(), Map.of())));

        String copy = published("run-1-output.log");
        assertThat(copy).startsWith(line.repeat(20)).doesNotContain("AKIA")
                .contains("[pullab: log cut: over the 2048-byte publishing limit")
                .contains("s3://bucket/" + DIR + "run-1-output.log");
        assertThat(copy.substring(0, 2000)).isEqualTo(line.repeat(20));
        Artifact log = artifact(manifest, "run-1-output.log");
        assertThat(log.status()).isEqualTo(Status.READY);
        assertThat(log.sha256()).isEmpty();
        assertThat(log.sizeBytes()).isEqualTo(3021);
        assertThat(log.note()).hasValueSatisfying(n -> assertThat(n).contains("first 2000 bytes (whole lines) of "
                + "3021").contains("sha256 not computed"));
    }

    @Test
    @DisplayName("a log that cannot be read is listed as missing with why, and the others are still published")
    void unreadableLogMissing() {
        store.with(B, DIR + "run-1-output.log", "1\n").with(B, DIR + "console-output.log", "k\n")
                .failingRead(B, DIR + "run-1-output.log");

        ArtifactManifest manifest = publish(Map.of());

        Artifact log = artifact(manifest, "run-1-output.log");
        assertThat(log.status()).isEqualTo(Status.MISSING);
        assertThat(log.logUrl()).isEmpty();
        assertThat(log.note()).hasValueSatisfying(n -> assertThat(n).contains("connection reset"));
        assertThat(store.object(B, PublishedLogs.key(DIR + "console-output.log"))).isPresent();
        assertThat(manifest.links("boot", VM).logUrl())
                .contains(URI.create(LOGS + "/" + DIR + "console-output.log"));
    }

    @Test
    @DisplayName("a log whose copy cannot be written is not linked")
    void unwritableCopyNotLinked() {
        store.with(B, DIR + "run-1-output.log", "1\n").failingWrite(B, PublishedLogs.key(DIR + "run-1-output.log"));

        ArtifactManifest manifest = publish(Map.of());

        assertThat(artifact(manifest, "run-1-output.log").status()).isEqualTo(Status.MISSING);
        assertThat(manifest.links("boot", VM).logUrl()).isEmpty();
    }

    @Test
    @DisplayName("a retried close republishes the same bytes")
    void republishingIsIdempotent() {
        store.with(B, DIR + "run-1-output.log", BANNER + "\ntoken " + TOKEN + "\n");
        publish(Map.of());
        String first = published("run-1-output.log");

        publish(Map.of());

        assertThat(published("run-1-output.log")).isEqualTo(first);
    }

    @Test
    @DisplayName("a file the analyzer did not read whole has no sha256 and a note naming why")
    void fileNotReadHasNoHash() {
        store.with(B, DIR + "benchmark-tip.csv", "metric\n").with(B, DIR + "results.json", "{}");

        ArtifactManifest manifest = artifacts.publish(B, RUN, Optional.empty(), List.of(
                new RunArtifacts.VmObjects("boot", VM, store.list(B, DIR),
                        Map.of("results.json", "{}".getBytes(StandardCharsets.UTF_8)),
                        Map.of("benchmark-tip.csv", "is over the 16 MiB per-file read limit"))));

        assertThat(artifact(manifest, "benchmark-tip.csv").sha256()).isEmpty();
        assertThat(artifact(manifest, "benchmark-tip.csv").note()).hasValueSatisfying(n -> assertThat(n)
                .contains("per-file read limit"));
        assertThat(artifact(manifest, "benchmark-tip.csv").contentType()).startsWith("text/csv");
        assertThat(artifact(manifest, "results.json").sha256()).isPresent();
        assertThat(artifact(manifest, "results.json").contentType()).isEqualTo("application/json");
    }

    @Test
    @DisplayName("a VM's logs beyond the first 64 are listed as missing, naming the bound")
    void logsPerVmBounded() {
        for (int n = 1; n <= 65; n++) {
            store.with(B, DIR + String.format("client-%03d.log", n), "c\n");
        }

        ArtifactManifest manifest = publish(Map.of());

        assertThat(manifest.artifacts()).filteredOn(a -> a.publishedKey().isPresent()).hasSize(64);
        Artifact last = artifact(manifest, "client-065.log");
        assertThat(last.status()).isEqualTo(Status.MISSING);
        assertThat(last.note()).hasValueSatisfying(n -> assertThat(n).contains("more than 64 logs"));
    }

    @Test
    @DisplayName("logs beyond the close's budget (32 times the per-log limit) are listed as missing, naming it")
    void runBudgetBounded() {
        String dirB = RUN + "/test_boot/output/i-0fedcba9876543210/";
        for (int n = 1; n <= 20; n++) {
            store.with(B, DIR + "client-" + (100 + n) + ".log", "x".repeat(999) + "\n");
            store.with(B, dirB + "client-" + (100 + n) + ".log", "x".repeat(999) + "\n");
        }

        ArtifactManifest manifest = artifacts(1024).publish(B, RUN, Optional.empty(), List.of(
                new RunArtifacts.VmObjects("boot", VM, store.list(B, DIR), Map.of(), Map.of()),
                new RunArtifacts.VmObjects("boot", "i-0fedcba9876543210", store.list(B, dirB), Map.of(), Map.of())));

        assertThat(manifest.artifacts()).filteredOn(a -> a.publishedKey().isPresent()).hasSize(32);
        assertThat(manifest.artifacts()).filteredOn(a -> a.kind().startsWith("client-")
                && a.status() == Status.MISSING).hasSize(8).allSatisfy(a -> assertThat(a.note()).hasValueSatisfying(
                        n -> assertThat(n).contains("publishing budget of 32768 bytes is spent")));
    }
}
