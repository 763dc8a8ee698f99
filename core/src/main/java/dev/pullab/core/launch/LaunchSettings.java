package dev.pullab.core.launch;

import java.util.List;
import java.util.Optional;

/**
 * Where test VMs and tasks go.
 *
 * @param region             AWS region
 * @param resultsBucket      the results bucket (payloads, client, outputs)
 * @param instanceProfile    EC2 instance profile of test VMs (S3 access to the results bucket)
 * @param subnetIds          subnets for VMs and tasks (empty: the default VPC's)
 * @param securityGroupIds   security groups (empty: the default)
 * @param stageTimeoutS      per-stage timeout given to the VM client
 * @param ecsCluster         ECS cluster for QEMU tasks
 * @param qemuTaskDefinition task definition of the QEMU runner
 */
public record LaunchSettings(String region, String resultsBucket, Optional<String> instanceProfile,
        List<String> subnetIds, List<String> securityGroupIds, int stageTimeoutS, Optional<String> ecsCluster,
        Optional<String> qemuTaskDefinition) {

    public LaunchSettings {
        subnetIds = List.copyOf(subnetIds);
        securityGroupIds = List.copyOf(securityGroupIds);
    }
}
