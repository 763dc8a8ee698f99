package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.launch.LaunchIntents;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pullab cleanup} from the jar against a lab on the emulator: a VM of a closed run, one of a run past its
 * deadline, one of an open run, one of another lab's run and an untagged one; launch intents of a closed run (one
 * completed, one never completed) and of an open run.
 */
class CleanupCommandIT {

    static final String CLOSED = "run_pulllab-6930bb01-1a2b3c4d_20261205_061500";
    static final String OVERDUE = "run_nightly-bench-0a1b2c3d_20261205_030000";
    static final String OPEN = "run_nightly-bench-5e6f7a8b_20261205_071500";
    static final String OTHER_LABS = "run_someone-elses-00000000_20261205_071500";

    @TempDir
    Path dir;

    LabOnEmulator lab;
    String closedVm;
    String overdueVm;
    String openVm;
    String otherLabsVm;
    String untaggedVm;

    @BeforeEach
    void givenALabWithVmsOfRunsInEveryState() throws Exception {
        lab = LabOnEmulator.create(dir);
        closedVm = lab.vm(CLOSED, "ltp");
        overdueVm = lab.vm(OVERDUE, "unixbench");
        openVm = lab.vm(OPEN, "unixbench");
        otherLabsVm = lab.vm(OTHER_LABS, "unixbench");
        untaggedVm = lab.vm(null, null);
        lab.run(CLOSED, Optional.of("6930bb01"), RunRecord.RunState.DONE, 7200, 600, 1,
                List.of(LaunchedVm.of("ltp", closedVm)));
        lab.run(OVERDUE, Optional.empty(), RunRecord.RunState.RUNNING, 5 * 3600, -3600, 1,
                List.of(LaunchedVm.of("unixbench", overdueVm)));
        lab.run(OPEN, Optional.empty(), RunRecord.RunState.RUNNING, 600, 3000, 1,
                List.of(LaunchedVm.of("unixbench", openVm)));
        Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
        long expires = Instant.now().plus(Duration.ofDays(1)).getEpochSecond();
        assertThat(lab.intents().claim(CLOSED + "#0", anHourAgo, expires)).isInstanceOf(LaunchIntents.Claim.Owned.class);
        lab.intents().launched(CLOSED + "#0", closedVm);
        lab.intents().claim(CLOSED + "#1", anHourAgo, expires);
        lab.intents().claim(OPEN + "#0", Instant.now(), expires);
    }

    @Test
    @DisplayName("cleanup lists the VMs of a closed run and of an overdue run as leaked, exit 1, and touches nothing")
    void listsWithoutDeleting() throws Exception {
        JarRun run = JarRun.run(dir, lab.env(), "cleanup", "--lab", lab.labFile().toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(CleanupCommand.EXIT_LEFT);
        assertThat(line(run.out(), closedVm)).contains(CLOSED, "running", "leaked", "run closed (DONE)",
                "would terminate");
        assertThat(line(run.out(), overdueVm)).contains(OVERDUE, "leaked", "run past its deadline 1h ago (RUNNING)");
        assertThat(line(run.out(), openVm)).contains("in use", "left alone");
        assertThat(line(run.out(), otherLabsVm)).contains("not this lab's", "run not in this lab's runs table",
                "left alone");
        assertThat(run.out()).doesNotContain(untaggedVm);
        assertThat(line(run.out(), CLOSED + "#1")).contains("intent", "PENDING", "leaked",
                "run closed (DONE), launch never completed", "would delete");
        assertThat(run.out()).doesNotContain(OPEN + "#0").doesNotContain(CLOSED + "#0")
                .contains("note: launch intents: 1 completed intent(s) of closed runs kept until their TTL")
                .contains("note: Fargate tasks: the lab names no ECS cluster (PULLAB_ECS_CLUSTER");
        for (String vm : List.of(closedVm, overdueVm, openVm, otherLabsVm, untaggedVm)) {
            assertThat(lab.state(vm)).as(vm).isEqualTo("running");
        }
    }

    @Test
    @DisplayName("cleanup --delete terminates only the leaked VMs, deletes the leftover intent, and exits 0")
    void deletesOnlyTheLeaked() throws Exception {
        JarRun run = JarRun.run(dir, lab.env(), "cleanup", "--lab", lab.labFile().toString(), "--delete", "--json");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        Map<String, JsonNode> byId = new HashMap<>();
        new ObjectMapper().readTree(run.out()).get("resources").forEach(r -> byId.put(r.get("id").asText(), r));
        assertThat(byId.get(closedVm).get("action").asText()).isEqualTo("terminated");
        assertThat(byId.get(overdueVm).get("action").asText()).isEqualTo("terminated");
        assertThat(byId.get(openVm).get("action").asText()).isEqualTo("left alone");
        assertThat(byId.get(otherLabsVm).get("status").asText()).isEqualTo("not_this_labs");
        assertThat(byId.get(CLOSED + "#1").get("action").asText()).isEqualTo("deleted");
        assertThat(lab.state(closedVm)).isIn("shutting-down", "terminated");
        assertThat(lab.state(overdueVm)).isIn("shutting-down", "terminated");
        assertThat(lab.state(openVm)).isEqualTo("running");
        assertThat(lab.state(otherLabsVm)).isEqualTo("running");
        assertThat(lab.state(untaggedVm)).isEqualTo("running");
        assertThat(lab.intents().list(100).intents()).extracting(LaunchIntents.Intent::launchId)
                .containsExactlyInAnyOrder(CLOSED + "#0", OPEN + "#0");

        JarRun again = JarRun.run(dir, lab.env(), "cleanup", "--lab", lab.labFile().toString());
        assertThat(again.exitCode()).as(again.out()).isZero();
        assertThat(again.out()).contains("0 leaked");
    }

    @Test
    @DisplayName("cleanup --delete stops the QEMU task of an overdue run in the lab's cluster, and no task no run "
            + "of this lab recorded")
    void stopsOnlyTheTasksOfClosedOrOverdueRuns() throws Exception {
        software.amazon.awssdk.services.ecs.EcsClient ecs = lab.aws().client(
                software.amazon.awssdk.services.ecs.EcsClient.builder());
        String cluster = ecs.createCluster(b -> b.clusterName("qemu-" + lab.bucket())).cluster().clusterName();
        String definition = ecs.registerTaskDefinition(b -> b.family("qemu-runner-" + lab.bucket())
                .requiresCompatibilities(software.amazon.awssdk.services.ecs.model.Compatibility.FARGATE)
                .networkMode(software.amazon.awssdk.services.ecs.model.NetworkMode.AWSVPC).cpu("1024").memory("2048")
                // moto's RunTask needs a container-level memory: a workaround for the emulator only
                .containerDefinitions(c -> c.name("qemu-runner").image("pullab/qemu-runner:test").memory(2048)))
                .taskDefinition().taskDefinitionArn();
        String subnet = lab.ec2().describeSubnets().subnets().get(0).subnetId();
        String group = lab.ec2().describeSecurityGroups().securityGroups().get(0).groupId();
        java.util.function.Supplier<String> task = () -> {
            String arn = ecs.runTask(b -> b.cluster(cluster).taskDefinition(definition)
                    .launchType(software.amazon.awssdk.services.ecs.model.LaunchType.FARGATE).count(1)
                    .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnet).securityGroups(group))))
                    .tasks().get(0).taskArn();
            return arn.substring(arn.lastIndexOf('/') + 1);
        };
        String overdueTask = task.get();
        String unrecordedTask = task.get();
        String qemuRun = "run_pulllab-6930cc01-0badc0de_20261205_050000";
        lab.run(qemuRun, Optional.of("6930cc01"), RunRecord.RunState.RUNNING, 3 * 3600, -600, 1,
                List.of(LaunchedVm.of("kernelci-boot", overdueTask)));
        java.nio.file.Files.writeString(lab.labFile(), "PULLAB_ECS_CLUSTER=" + cluster + "\n",
                java.nio.file.StandardOpenOption.APPEND);

        JarRun run = JarRun.run(dir, lab.env(), "cleanup", "--lab", lab.labFile().toString(), "--delete");

        assertThat(line(run.out(), overdueTask)).contains("task", qemuRun, "leaked", "run past its deadline",
                "stopped");
        assertThat(line(run.out(), unrecordedTask)).contains("not this lab's", "no run of this lab recorded it",
                "left alone");
        assertThat(ecs.describeTasks(b -> b.cluster(cluster).tasks(overdueTask)).tasks().get(0).desiredStatus())
                .isEqualTo("STOPPED");
        assertThat(ecs.describeTasks(b -> b.cluster(cluster).tasks(unrecordedTask)).tasks().get(0).desiredStatus())
                .isEqualTo("RUNNING");
    }

    private static String line(String out, String id) {
        return out.lines().filter(l -> l.contains(id)).findFirst().orElseThrow(() -> new AssertionError(
                "no line with " + id + " in:\n" + out));
    }
}
