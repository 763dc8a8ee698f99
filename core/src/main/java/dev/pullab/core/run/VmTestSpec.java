package dev.pullab.core.run;

import java.util.Map;
import java.util.Objects;

/**
 * One vm-tests test to run, and the parameters its stages get through {@code params.env} (empty for the seed tests).
 *
 * @param name   the vm-tests directory, e.g. {@code kernelci-boot}
 * @param params {@code PULLAB_*} variables for {@code params.env} (see vm-tests/README.md), in a stable order
 */
public record VmTestSpec(String name, Map<String, String> params) {

    public VmTestSpec {
        Objects.requireNonNull(name, "name");
        params = Map.copyOf(params);
    }

    public static VmTestSpec of(String name) {
        return new VmTestSpec(name, Map.of());
    }
}
