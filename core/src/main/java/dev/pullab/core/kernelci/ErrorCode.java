package dev.pullab.core.kernelci;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * KernelCI's {@code ErrorCodes} (kernelci-core {@code models.py}): the only values {@code data.error_code} of a
 * job or test node may take; anything else makes the API answer 400.
 */
public enum ErrorCode {
    INVALID_JOB_PARAMS("invalid_job_params"),
    SUBMIT_ERROR("submit_error"),
    NODE_TIMEOUT("node_timeout"),
    INFRASTRUCTURE("Infrastructure"),
    CANCELED("Canceled"),
    JOB("Job"),
    BUG("Bug"),
    TEST("Test"),
    CONFIGURATION("Configuration"),
    LAVA_TIMEOUT("LAVATimeout"),
    MULTINODE_TIMEOUT("MultinodeTimeout"),
    OBJECT_NOT_PERSISTED("ObjectNotPersisted"),
    UNEXISTING_PERMISSION_CODENAME("Unexisting permission codename."),
    JOB_GENERATION_ERROR("job_generation_error"),
    KBUILD_INTERNAL_ERROR("kbuild_internal_error");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The exact string the API expects. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<ErrorCode> fromWireName(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }
}
