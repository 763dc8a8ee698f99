package dev.pullab.core.run;

import java.util.Objects;

/**
 * {@code count} identical VMs (or Fargate tasks) running one test.
 *
 * @param test         the test they run
 * @param arch         {@code x86_64} or {@code arm64}
 * @param image        AMI id, or {@code resolve:ssm:<public parameter>} (pullab_cloud's notation); for Fargate, unused
 * @param instanceType EC2 instance type (unused for Fargate)
 * @param count        how many
 * @param maxRuntimeS  the VM's safety timer, seconds
 * @param options      root volume, nested virtualization and instance profile of EC2 VMs
 */
public record VmGroup(VmTestSpec test, String arch, String image, String instanceType, int count, int maxRuntimeS,
        VmOptions options) {

    public VmGroup {
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(instanceType, "instanceType");
        Objects.requireNonNull(options, "options");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (maxRuntimeS < 60) {
            throw new IllegalArgumentException("max runtime must be >= 60 s, got " + maxRuntimeS);
        }
    }

    /** A group launched with {@link VmOptions#defaults()}. */
    public VmGroup(VmTestSpec test, String arch, String image, String instanceType, int count, int maxRuntimeS) {
        this(test, arch, image, instanceType, count, maxRuntimeS, VmOptions.defaults());
    }
}
