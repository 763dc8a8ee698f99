package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.report.ArtifactManifest;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pullab runs} and {@code pullab runs show} from the jar against a lab on the emulator. */
class RunsCommandIT {

    static final String DONE = "run_pulllab-6930aa01-1a2b3c4d_20261205_061500";
    static final String RUNNING = "run_nightly-bench-0a1b2c3d_20261205_071500";
    static final String OLD = "run_nightly-bench-99999999_20261202_020000";

    @TempDir
    Path dir;

    LabOnEmulator lab;

    @BeforeEach
    void givenALabWithRuns() throws Exception {
        lab = LabOnEmulator.create(dir);
        lab.run(OLD, Optional.empty(), RunRecord.RunState.DONE, 3 * 86400, -3 * 86400 + 3600, 1,
                List.of(LaunchedVm.of("unixbench", "i-0old")));
        lab.run(DONE, Optional.of("6930aa01"), RunRecord.RunState.DONE, 2 * 3600, -3600, 2,
                List.of(LaunchedVm.of("ltp", "i-0aaa"), LaunchedVm.of("ltp", "i-0bbb")));
        lab.runs().markReported(DONE, "ltp/i-0aaa");
        lab.runs().recordVerdict(DONE, "fail; VMs: 2/2 spawned, 1 successful, 0 failed, 1 missing");
        lab.run(RUNNING, Optional.empty(), RunRecord.RunState.RUNNING, 600, 3000, 1,
                List.of(LaunchedVm.of("unixbench", "i-0ccc")));
    }

    @Test
    @DisplayName("runs lists the runs of the last 24 hours newest first: trigger, job, state, VMs, verdict, age")
    void listsRecentRunsNewestFirst() throws Exception {
        JarRun run = JarRun.run(dir, lab.env(), "runs", "--lab", lab.labFile().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).matches("RUN +TRIGGER +JOB +STATE +VMS +VERDICT +AGE");
        assertThat(lines.get(1)).matches(RUNNING + " +event +- +RUNNING +0/1 +- +10m");
        assertThat(lines.get(2)).matches(DONE + " +job +6930aa01 +DONE +1/2 +fail +2h");
        assertThat(run.out()).doesNotContain(OLD);
        assertThat(lines.get(1).indexOf("event")).as("aligned").isEqualTo(lines.get(0).indexOf("TRIGGER"));
        assertThat(lines.get(2).indexOf("fail")).as("aligned").isEqualTo(lines.get(0).indexOf("VERDICT"));
    }

    @Test
    @DisplayName("runs --since and --state filter the runs")
    void filtersBySinceAndState() throws Exception {
        JarRun week = JarRun.run(dir, lab.env(), "runs", "--lab", lab.labFile().toString(), "--since", "7d",
                "--state", "done");

        assertThat(week.exitCode()).as(week.err()).isZero();
        assertThat(week.out()).contains(DONE, OLD).doesNotContain(RUNNING);
        assertThat(week.out().indexOf(DONE)).isLessThan(week.out().indexOf(OLD));
    }

    @Test
    @DisplayName("runs --json gives each run's fields, the recorded verdict line included")
    void json() throws Exception {
        JarRun run = JarRun.run(dir, lab.env(), "runs", "--lab", lab.labFile().toString(), "--json", "--limit", "1",
                "--state", "DONE");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode runs = new ObjectMapper().readTree(run.out()).get("runs");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("run").asText()).isEqualTo(DONE);
        assertThat(runs.get(0).get("trigger").asText()).isEqualTo("job");
        assertThat(runs.get(0).get("job_node").asText()).isEqualTo("6930aa01");
        assertThat(runs.get(0).get("vms_reported").asInt()).isEqualTo(1);
        assertThat(runs.get(0).get("verdict_line").asText()).endsWith("1 missing");
    }

    @Test
    @DisplayName("runs with a --since that is no time is bad usage (exit 2), naming the forms it takes")
    void badSince() throws Exception {
        JarRun run = JarRun.run(dir, lab.env(), "runs", "--lab", lab.labFile().toString(), "--since", "yesterday");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--since 'yesterday' is not 30m, 24h, 7d");
    }

    @Test
    @DisplayName("runs show prints the run, each VM's result line, stages and stats, and the public log links")
    void showsOneRunWithItsVmsAndPublicLinks() throws Exception {
        String out = DONE + "/test_ltp/output/i-0aaa/";
        lab.put(out + "result.txt", "SUCCESS\nmore\n");
        lab.put(out + "run-1-output.log", "stage 1\n");
        lab.put(out + "run-2-output.log", "stage 2\n");
        lab.put(out + "stats.json", "{}");
        ArtifactManifest manifest = ArtifactManifest.of(Instant.now(), DONE, lab.bucket(), Optional.empty(), List.of(
                new ArtifactManifest.Artifact("ltp", "i-0aaa", "run-1-output.log", ArtifactManifest.KcidbRole.LOG,
                        ArtifactManifest.Status.READY, "s3://" + lab.bucket() + "/" + out + "run-1-output.log",
                        Optional.of(URI.create("https://logs.example.org/logs/" + out + "run-1-output.log")),
                        Optional.empty(), 8, ArtifactManifest.TEXT_PLAIN, Optional.of("logs/" + out
                                + "run-1-output.log"), Optional.empty()),
                ArtifactManifest.Artifact.missing("ltp", "i-0bbb", "console-output.log",
                        ArtifactManifest.KcidbRole.OUTPUT, "s3://" + lab.bucket() + "/" + DONE
                                + "/test_ltp/output/i-0bbb/console-output.log", ArtifactManifest.TEXT_PLAIN)));
        lab.put(ArtifactManifest.key(DONE), new String(manifest.toJson(), StandardCharsets.UTF_8));

        JarRun run = JarRun.run(dir, lab.env(), "runs", "show", DONE, "--lab", lab.labFile().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("trigger   job node 6930aa01")
                .contains("verdict   fail; VMs: 2/2 spawned, 1 successful, 0 failed, 1 missing")
                .contains("https://logs.example.org/logs/" + out + "run-1-output.log")
                .contains("logs (from s3://" + lab.bucket() + "/" + DONE + "/artifacts.json)");
        assertThat(run.out().lines().filter(l -> l.startsWith("ltp ")).toList()).satisfiesExactly(
                aaa -> assertThat(aaa).matches("ltp +i-0aaa +SUCCESS +2 +stats\\.json 2 B"),
                bbb -> assertThat(bbb).matches("ltp +i-0bbb +\\(no outputs\\) +0 +-"));
        assertThat(run.out()).containsPattern("ltp/i-0bbb +console-output\\.log +missing");
    }

    @Test
    @DisplayName("runs show of a run without artifacts.json gives its raw outputs' s3:// URIs")
    void showsRawUrisBeforeTheClose() throws Exception {
        String key = RUNNING + "/test_unixbench/output/i-0ccc/run-1-output.log";
        lab.put(key, "stage 1\n");

        JarRun run = JarRun.run(dir, lab.env(), "runs", "show", RUNNING, "--lab", lab.labFile().toString(),
                "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode vm = new ObjectMapper().readTree(run.out()).get("vms").get(0);
        assertThat(vm.get("instance_id").asText()).isEqualTo("i-0ccc");
        assertThat(vm.get("stages").asInt()).isEqualTo(1);
        assertThat(vm.get("logs").get(0).get("where").asText()).isEqualTo("s3://" + lab.bucket() + "/" + key);
        assertThat(vm.get("logs").get(0).get("published").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("runs show of a run the lab does not know fails (exit 1) and says how to list the known ones")
    void unknownRun() throws Exception {
        JarRun run = JarRun.run(dir, lab.env(), "runs", "show", "run_nope_20261205_000000", "--lab",
                lab.labFile().toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no run run_nope_20261205_000000 in the lab's runs table")
                .contains("pullab runs --since 30d");
    }
}
