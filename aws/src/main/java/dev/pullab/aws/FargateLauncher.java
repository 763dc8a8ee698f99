package dev.pullab.aws;

import dev.pullab.core.launch.LaunchSettings;
import dev.pullab.core.launch.Launcher;
import dev.pullab.core.launch.VmLaunch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;

/**
 * Launches QEMU jobs as Fargate tasks of the QEMU runner task definition: {@code RunTask} with a client token from run
 * and index; the container gets the run (bucket, prefix, test, index) and the job's parameters as environment
 * variables, boots the job's kernel under QEMU and writes the same S3 layout as a VM.
 */
public final class FargateLauncher implements Launcher {

    private final Supplier<EcsClient> ecs;
    private final LaunchSettings settings;

    public FargateLauncher(EcsClient ecs, LaunchSettings settings) {
        this(() -> ecs, settings);
    }

    /** With the client built on first use (runs of EC2 jobs never need it). */
    public FargateLauncher(Supplier<EcsClient> ecs, LaunchSettings settings) {
        this.ecs = Lazy.of(ecs);
        this.settings = settings;
    }

    @Override
    public Optional<String> find(VmLaunch launch) {
        String cluster = cluster();
        List<String> arns = ecs.get().listTasks(b -> b.cluster(cluster).startedBy(startedBy(launch))).taskArns();
        return arns.stream().findFirst().map(FargateLauncher::taskId);
    }

    @Override
    public String launch(VmLaunch launch) {
        // the runner reads the lab's PULLAB_* parameters only; pullab_cloud's names (KERNEL_URL, ...) are for the stage
        // scripts of EC2 VMs, and would only take room in the container overrides (8 KiB at most)
        Map<String, String> env = new TreeMap<>();
        launch.group().test().params().forEach((name, value) -> {
            if (name.startsWith("PULLAB_")) {
                env.put(name, value);
            }
        });
        env.put("RESULTS_BUCKET", settings.resultsBucket());
        env.put("RUN_PREFIX", launch.plan().runPrefix());
        env.put("TEST_NAME", launch.group().test().name());
        env.put("TASK_INDEX", Integer.toString(launch.index()));
        env.put("MAX_RUNTIME", Integer.toString(launch.group().maxRuntimeS()));
        // PULLAB_ALLOW_HTTP and PULLAB_ALLOW_PRIVATE_URLS come with the params: the lab's artifact URL policy
        List<KeyValuePair> environment = new ArrayList<>();
        env.forEach((k, v) -> environment.add(KeyValuePair.builder().name(k).value(v).build()));
        RunTaskRequest.Builder request = RunTaskRequest.builder()
                .cluster(cluster())
                .taskDefinition(settings.qemuTaskDefinition().orElseThrow(() -> new IllegalStateException(
                        "PULLAB_QEMU_TASK_DEFINITION is not set: QEMU platforms need the Fargate runner")))
                .launchType(LaunchType.FARGATE)
                .count(1)
                .clientToken(launch.clientToken())
                .startedBy(startedBy(launch))
                .overrides(o -> o.containerOverrides(c -> c.name("qemu-runner").environment(environment)));
        if (!settings.subnetIds().isEmpty()) {
            request.networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(settings.subnetIds())
                    .securityGroups(settings.securityGroupIds()).assignPublicIp(AssignPublicIp.DISABLED)));
        }
        RunTaskResponse response = ecs.get().runTask(request.build());
        if (response.tasks().isEmpty()) {
            throw new IllegalStateException("RunTask started no task for " + launch.launchId() + ": "
                    + response.failures());
        }
        return taskId(response.tasks().get(0).taskArn());
    }

    /**
     * The task id, the last segment of its ARN: the QEMU runner names its output folder after it (an ARN cannot be an
     * S3 key segment), so the run records the id and the analyzer matches the folder to it. ECS calls take it with the
     * cluster.
     */
    static String taskId(String taskArn) {
        return taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    private String cluster() {
        return settings.ecsCluster().orElseThrow(() -> new IllegalStateException(
                "PULLAB_ECS_CLUSTER is not set: QEMU platforms need the Fargate runner"));
    }

    /** ECS allows 36 characters in startedBy: the token's head identifies the launch. */
    private static String startedBy(VmLaunch launch) {
        return "pullab-" + launch.clientToken().substring(0, 29);
    }
}
