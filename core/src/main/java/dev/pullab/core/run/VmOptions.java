package dev.pullab.core.run;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a group's EC2 VMs are launched besides AMI and instance type (pullab_cloud's {@code test_config.vms[]} launch
 * keys); unused for Fargate tasks.
 *
 * @param rootVolumeGiB        {@code root_volume_size}: the root volume (gp3, deleted with the instance), GiB; empty:
 *                             the AMI's own size
 * @param nestedVirtualization whether the VM is launched with nested virtualization enabled (EC2
 *                             {@code CpuOptions.NestedVirtualization}); only on {@link #NESTED_VIRTUALIZATION_FAMILIES}
 * @param instanceProfile      {@code role_name}: the instance profile of the VMs; empty: the lab's
 */
public record VmOptions(OptionalInt rootVolumeGiB, boolean nestedVirtualization, Optional<String> instanceProfile) {

    /** The smallest and largest root volume accepted (a gp3 volume holds at most 16 TiB), GiB. */
    public static final int MIN_ROOT_VOLUME_GIB = 1;
    public static final int MAX_ROOT_VOLUME_GIB = 16_384;
    /**
     * The instance families EC2 documents nested virtualization for (8th generation Intel: c8i, m8i, r8i and their
     * flex variants; EC2 API reference, CpuOptionsRequest.NestedVirtualization).
     */
    public static final List<String> NESTED_VIRTUALIZATION_FAMILIES =
            List.of("c8i", "c8i-flex", "m8i", "m8i-flex", "r8i", "r8i-flex");

    public VmOptions {
        Objects.requireNonNull(rootVolumeGiB, "rootVolumeGiB");
        Objects.requireNonNull(instanceProfile, "instanceProfile");
        rootVolumeGiB.ifPresent(size -> {
            if (size < MIN_ROOT_VOLUME_GIB || size > MAX_ROOT_VOLUME_GIB) {
                throw new IllegalArgumentException("root volume must be between " + MIN_ROOT_VOLUME_GIB + " and "
                        + MAX_ROOT_VOLUME_GIB + " GiB, got " + size);
            }
        });
    }

    /** The AMI's root volume, no nested virtualization, the lab's instance profile. */
    public static VmOptions defaults() {
        return new VmOptions(OptionalInt.empty(), false, Optional.empty());
    }

    /** The family of an EC2 instance type: {@code c8i-flex} of {@code c8i-flex.2xlarge}. */
    public static String family(String instanceType) {
        int dot = instanceType.indexOf('.');
        return (dot < 0 ? instanceType : instanceType.substring(0, dot)).toLowerCase(Locale.ROOT);
    }

    /** Whether EC2 offers nested virtualization on this instance type ({@link #NESTED_VIRTUALIZATION_FAMILIES}). */
    public static boolean supportsNestedVirtualization(String instanceType) {
        return NESTED_VIRTUALIZATION_FAMILIES.contains(family(instanceType));
    }
}
