package dev.pullab.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The vm-tests fixtures ({@code vm-tests/test/fixtures/}), shipped on the class path by this module's build: the
 * stand-ins (runltp, run_kselftest.sh) and data files (TAP, runtest lists, skip files) that the bats tests put into
 * fake artifacts, so that {@code pullab local-run} builds its fake artifacts from the very same files.
 */
public final class VmFixtures {

    /** Where the build puts {@code vm-tests/test/fixtures/} on the class path. */
    static final String ROOT = "/dev/pullab/testkit/vm-fixtures/";

    private VmFixtures() {
    }

    /**
     * The text of one fixture, by its path below {@code vm-tests/test/fixtures/}, e.g. {@code kernelci/stubs/runltp}.
     *
     * @throws IllegalStateException when no such fixture is on the class path (a build that left them out)
     */
    public static String text(String path) {
        try (InputStream in = VmFixtures.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("vm-tests fixture " + path + " is not on the class path (" + ROOT
                        + path + "): the testkit jar is built with vm-tests/test/fixtures/ as resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vm-tests fixture " + path, e);
        }
    }
}
