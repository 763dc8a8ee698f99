package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.launch.LaunchSettings;
import dev.pullab.core.launch.VmLaunch;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.run.VmOptions;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.testkit.AwsEmulator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * What a launched VM gets from its group's {@link VmOptions}, as the emulator (moto) reports it: the root volume's
 * size, type and deletion with the instance, and the instance profile. Nested virtualization is not modelled by the
 * emulator: {@link Ec2LauncherRequestTest} checks the request's CpuOptions.
 */
@DisplayName("Ec2Launcher on the emulator: root volume and instance profile from the VM options")
class Ec2LauncherIT {

    private static final String AL2023 =
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

    private final AwsEmulator aws = AwsEmulator.get();
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final SsmClient ssm = aws.client(SsmClient.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String labProfile = instanceProfile("pullab-test-vm-" + suffix);
    private final Ec2Launcher launcher = new Ec2Launcher(ec2, ssm, new LaunchSettings(aws.region().id(), "results",
            Optional.of(labProfile), List.of(), List.of(), 3600, Optional.empty(), Optional.empty()));

    private String instanceProfile(String name) {
        try (IamClient iam = aws.client(IamClient.builder().region(Region.AWS_GLOBAL))) {
            iam.createInstanceProfile(b -> b.instanceProfileName(name));
        }
        return name;
    }

    private Instance launched(VmOptions options) {
        VmGroup group = new VmGroup(VmTestSpec.of("kvm-unit-tests"), "x86_64", AL2023, "c8i.4xlarge", 1, 3600,
                options);
        RunPlan plan = new RunPlan("run_test-all-tests-" + suffix + "_20260520_101530", "test-all-tests-" + suffix,
                Optional.empty(), Executor.EC2, List.of(group));
        String id = launcher.launch(new VmLaunch(plan, group, 0));
        return ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    @Test
    @DisplayName("root_volume_size: the AMI's root device becomes a gp3 volume of that size, deleted with the VM")
    void rootVolume() {
        Instance vm = launched(new VmOptions(OptionalInt.of(40), true, Optional.empty()));

        String rootDevice = ec2.describeImages(b -> b.imageIds(vm.imageId())).images().get(0).rootDeviceName();
        assertThat(vm.rootDeviceName()).isEqualTo(rootDevice);
        InstanceBlockDeviceMapping root = vm.blockDeviceMappings().stream()
                .filter(m -> m.deviceName().equals(rootDevice)).findFirst().orElseThrow();
        assertThat(root.ebs().deleteOnTermination()).isTrue();
        Volume volume = ec2.describeVolumes(b -> b.volumeIds(root.ebs().volumeId())).volumes().get(0);
        assertThat(volume.size()).isEqualTo(40);
        assertThat(volume.volumeType()).isEqualTo(VolumeType.GP3);
        assertThat(vm.blockDeviceMappings()).hasSize(1);
    }

    @Test
    @DisplayName("without root_volume_size: the AMI's root device is a gp3 volume of the AMI's size, deleted with the VM,"
            + " and no second volume")
    void rootVolumeWithoutSize() {
        Instance vm = launched(VmOptions.defaults());

        String rootDevice = ec2.describeImages(b -> b.imageIds(vm.imageId())).images().get(0).rootDeviceName();
        int imageSize = ec2.describeImages(b -> b.imageIds(vm.imageId())).images().get(0).blockDeviceMappings()
                .get(0).ebs().volumeSize();
        assertThat(vm.blockDeviceMappings()).singleElement().satisfies(root -> {
            assertThat(root.deviceName()).isEqualTo(rootDevice);
            assertThat(root.ebs().deleteOnTermination()).isTrue();
            Volume volume = ec2.describeVolumes(b -> b.volumeIds(root.ebs().volumeId())).volumes().get(0);
            assertThat(volume.volumeType()).isEqualTo(VolumeType.GP3);
            assertThat(volume.size()).isEqualTo(imageSize);
        });
    }

    @Test
    @DisplayName("an AMI that does not exist fails the launch naming it")
    void unknownImage() {
        VmGroup group = new VmGroup(VmTestSpec.of("kvm-unit-tests"), "x86_64", "ami-00000000000000000", "m5.large",
                1, 3600, VmOptions.defaults());
        RunPlan plan = new RunPlan("run_test-all-tests-" + suffix + "_20260520_101530", "test-all-tests-" + suffix,
                Optional.empty(), Executor.EC2, List.of(group));

        assertThatThrownBy(() -> launcher.launch(new VmLaunch(plan, group, 0)))
                .hasMessageContaining("ami-00000000000000000");
    }

    @Test
    @DisplayName("role_name is the VM's instance profile")
    void roleName() {
        String role = instanceProfile("kernel-ci-lab-role-" + suffix);

        Instance vm = launched(new VmOptions(OptionalInt.empty(), false, Optional.of(role)));

        assertThat(vm.iamInstanceProfile().arn()).endsWith("instance-profile/" + role);
    }

    @Test
    @DisplayName("a role_name without an instance profile fails the launch naming it and how to fix it")
    void missingRole() {
        VmOptions options = new VmOptions(OptionalInt.empty(), false, Optional.of("no-such-role-" + suffix));

        assertThatThrownBy(() -> launched(options)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("instance profile 'no-such-role-" + suffix + "' (the config's"
                        + " test_config.role_name)")
                .hasMessageContaining("-c vmRoleNames=no-such-role-" + suffix)
                .hasMessageContaining("drop role_name to use the lab's instance profile");
    }

    @Test
    @DisplayName("without role_name the lab's instance profile is used")
    void labProfile() {
        Instance vm = launched(VmOptions.defaults());

        assertThat(vm.iamInstanceProfile().arn()).endsWith("instance-profile/" + labProfile);
    }
}
