package dev.pullab.core.report;

import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kernelci.NodeResult;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code status} of one entry of a VM's {@code results.json}: {@code pass}, {@code fail}, {@code skip} or
 * {@code error} (vm-tests/README.md, {@code lib/results.sh}).
 */
public enum LabStatus {
    PASS, FAIL, SKIP, ERROR;

    /** The spelling in {@code results.json}: {@code pass}, {@code fail}, {@code skip}, {@code error}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status spelt exactly as {@code results.json} does (lower case); empty for anything else. */
    public static Optional<LabStatus> fromWireName(String text) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(text)).findFirst();
    }

    /** The KCIDB status, by {@link KcidbStatus#fromLabResult(String)}: PASS, FAIL, SKIP, ERROR. */
    public KcidbStatus kcidbStatus() {
        return KcidbStatus.fromLabResult(wireName());
    }

    /**
     * The KernelCI node result, as kernelci-core's PULL_LABS callback maps a lab's results: {@code pass},
     * {@code fail}, {@code skip}, and {@code error → incomplete}.
     */
    public NodeResult nodeResult() {
        return switch (this) {
            case PASS -> NodeResult.PASS;
            case FAIL -> NodeResult.FAIL;
            case SKIP -> NodeResult.SKIP;
            case ERROR -> NodeResult.INCOMPLETE;
        };
    }
}
