package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.LaunchSettings;
import dev.pullab.core.launch.VmLaunch;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.run.VmOptions;
import dev.pullab.core.run.VmTestSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The RunInstances request built from a group's {@link VmOptions}, for what the emulator does not model (nested
 * virtualization in CpuOptions); {@link Ec2LauncherIT} checks the rest on the emulator. No client is built.
 */
@DisplayName("Ec2Launcher's RunInstances request")
class Ec2LauncherRequestTest {

    /** Amazon Linux's root device, 8 GiB in the AMI. */
    private static final Ec2Launcher.RootDevice XVDA = new Ec2Launcher.RootDevice("/dev/xvda", OptionalInt.of(8));

    private final Ec2Launcher launcher = new Ec2Launcher(() -> (Ec2Client) null, () -> (SsmClient) null,
            new LaunchSettings("eu-west-2", "results", Optional.of("pullab-test-vm"), List.of(), List.of(), 3600,
                    Optional.empty(), Optional.empty()));

    private RunInstancesRequest request(String instanceType, VmOptions options, Ec2Launcher.RootDevice rootDevice) {
        VmGroup group = new VmGroup(VmTestSpec.of("kvm-unit-tests"), "x86_64", "ami-0123456789abcdef0", instanceType,
                1, 3600, options);
        RunPlan plan = new RunPlan("run_t_20260520_101530", "t", Optional.empty(), Executor.EC2, List.of(group));
        return launcher.request(new VmLaunch(plan, group, 0), "ami-0123456789abcdef0", rootDevice);
    }

    @Test
    @DisplayName("nested virtualization: CpuOptions.NestedVirtualization = enabled")
    void nested() {
        RunInstancesRequest request = request("c8i.4xlarge", new VmOptions(OptionalInt.empty(), true,
                Optional.empty()), XVDA);

        assertThat(request.cpuOptions().nestedVirtualizationAsString()).isEqualTo("enabled");
    }

    @Test
    @DisplayName("without nested virtualization no CpuOptions are sent (the instance type's defaults)")
    void notNested() {
        assertThat(request("m5.large", VmOptions.defaults(), XVDA).cpuOptions()).isNull();
    }

    @Test
    @DisplayName("root volume: one mapping of the AMI's root device, gp3, size, deleted on termination")
    void rootVolume() {
        RunInstancesRequest request = request("c8i.4xlarge", new VmOptions(OptionalInt.of(40), false,
                Optional.empty()), new Ec2Launcher.RootDevice("/dev/sda1", OptionalInt.of(8)));

        assertThat(request.blockDeviceMappings()).singleElement().satisfies(mapping -> {
            assertThat(mapping.deviceName()).isEqualTo("/dev/sda1");
            assertThat(mapping.ebs().volumeSize()).isEqualTo(40);
            assertThat(mapping.ebs().volumeType()).isEqualTo(VolumeType.GP3);
            assertThat(mapping.ebs().deleteOnTermination()).isTrue();
        });
    }

    @Test
    @DisplayName("no root volume size: the AMI's root device is still gp3 and deleted on termination, of the AMI's size")
    void noRootVolumeSize() {
        RunInstancesRequest request = request("m5.large", VmOptions.defaults(), XVDA);

        assertThat(request.blockDeviceMappings()).singleElement().satisfies(mapping -> {
            assertThat(mapping.deviceName()).isEqualTo("/dev/xvda");
            assertThat(mapping.ebs().volumeSize()).isEqualTo(8);
            assertThat(mapping.ebs().volumeType()).isEqualTo(VolumeType.GP3);
            assertThat(mapping.ebs().deleteOnTermination()).isTrue();
        });
    }

    @Test
    @DisplayName("no root volume size and none in the AMI's mapping: no size is sent (EC2 then uses the AMI's)")
    void noSizeAnywhere() {
        RunInstancesRequest request = request("m5.large", VmOptions.defaults(),
                new Ec2Launcher.RootDevice("/dev/xvda", OptionalInt.empty()));

        assertThat(request.blockDeviceMappings()).singleElement().satisfies(mapping -> {
            assertThat(mapping.ebs().volumeSize()).isNull();
            assertThat(mapping.ebs().volumeType()).isEqualTo(VolumeType.GP3);
            assertThat(mapping.ebs().deleteOnTermination()).isTrue();
        });
    }

    @Test
    @DisplayName("every VM terminates on an in-guest shutdown (the user-data watchdog's power-off ends its billing)")
    void terminateOnShutdown() {
        assertThat(request("m5.large", VmOptions.defaults(), XVDA).instanceInitiatedShutdownBehavior())
                .isEqualTo(ShutdownBehavior.TERMINATE);
    }

    @Test
    @DisplayName("the user-data arms the power-off watchdog at the VM's max runtime + 600 s before fetching the client")
    void userDataWatchdog() {
        String userData = new String(Base64.getDecoder().decode(request("m5.large", VmOptions.defaults(),
                XVDA).userData()), StandardCharsets.UTF_8);

        assertThat(userData).contains("--on-active=4200s systemctl poweroff");
        assertThat(userData.indexOf("systemd-run")).isLessThan(userData.indexOf("aws s3 cp"));
    }

    @Test
    @DisplayName("role_name replaces the lab's instance profile")
    void instanceProfile() {
        assertThat(request("m5.large", new VmOptions(OptionalInt.empty(), false, Optional.of("kernel-ci-lab-role")),
                XVDA).iamInstanceProfile().name()).isEqualTo("kernel-ci-lab-role");
        assertThat(request("m5.large", VmOptions.defaults(), XVDA).iamInstanceProfile().name())
                .isEqualTo("pullab-test-vm");
    }
}
