package dev.pullab.orchestrator;

import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.config.SecretLookup;
import dev.pullab.core.launch.LaunchSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The orchestrator's settings, from the function's environment (infra-cdk sets them).
 *
 * @param resultsBucket {@code PULLAB_RESULTS_BUCKET}: runs, payloads, outputs
 * @param storageBucket {@code PULLAB_STORAGE_BUCKET}: artifacts tests request in {@code external_requirements.json}
 * @param runsTable     {@code PULLAB_RUNS_TABLE}
 * @param launchesTable {@code PULLAB_LAUNCHES_TABLE}
 * @param labConfig     {@code PULLAB_LAB_CONFIG}: {@code s3://bucket/key} or a path of the lab config (platform
 *                      table, job definition allow-list); the built-in defaults when unset
 * @param launch        where VMs and tasks go ({@code PULLAB_INSTANCE_PROFILE}, {@code PULLAB_SUBNET_IDS},
 *                      {@code PULLAB_SECURITY_GROUP_IDS}, {@code PULLAB_STAGE_TIMEOUT}, {@code PULLAB_ECS_CLUSTER},
 *                      {@code PULLAB_QEMU_TASK_DEFINITION}, {@code AWS_REGION})
 * @param kernelci      the KernelCI API, to finish jobs that cannot run (absent: trigger-only deployments)
 */
public record OrchestratorSettings(String resultsBucket, Optional<String> storageBucket, String runsTable,
        String launchesTable, Optional<String> labConfig, LaunchSettings launch, Optional<KernelCiAccess> kernelci) {

    public static OrchestratorSettings resolve(ConfigSource env, SecretLookup secrets) {
        String region = env.env("AWS_REGION").or(() -> env.env("AWS_DEFAULT_REGION"))
                .orElseThrow(() -> new ConfigurationException("Missing required configuration: AWS_REGION"));
        LaunchSettings launch = new LaunchSettings(region, require(env, "PULLAB_RESULTS_BUCKET"),
                env.env("PULLAB_INSTANCE_PROFILE"), list(env, "PULLAB_SUBNET_IDS"),
                list(env, "PULLAB_SECURITY_GROUP_IDS"), stageTimeout(env), env.env("PULLAB_ECS_CLUSTER"),
                env.env("PULLAB_QEMU_TASK_DEFINITION"));
        Optional<KernelCiAccess> kernelci = env.get("KERNELCI_API_BASE_URI", "api_base_uri").isPresent()
                ? Optional.of(KernelCiAccess.resolve(env, secrets)) : Optional.empty();
        return new OrchestratorSettings(launch.resultsBucket(), env.env("PULLAB_STORAGE_BUCKET"),
                require(env, "PULLAB_RUNS_TABLE"), require(env, "PULLAB_LAUNCHES_TABLE"), env.env("PULLAB_LAB_CONFIG"),
                launch, kernelci);
    }

    private static String require(ConfigSource env, String name) {
        return env.env(name).orElseThrow(() -> new ConfigurationException("Missing required configuration: " + name
                + " (infra-cdk sets it on the function)"));
    }

    private static List<String> list(ConfigSource env, String name) {
        return env.env(name).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    private static int stageTimeout(ConfigSource env) {
        String text = env.env("PULLAB_STAGE_TIMEOUT").orElse("3600");
        try {
            int value = Integer.parseInt(text);
            if (value < 60) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException("PULLAB_STAGE_TIMEOUT must be a whole number of seconds >= 60, got '"
                    + text + "'");
        }
    }
}
