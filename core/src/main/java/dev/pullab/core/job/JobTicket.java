package dev.pullab.core.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A claimed KernelCI job handed to the orchestrator (the jobs-queue message body, snake_case JSON).
 *
 * @param nodeId         job node id
 * @param name           job name, e.g. {@code baseline-x86-pull-labs-demo}
 * @param runtime        the runtime (lab) it was scheduled to
 * @param platform       {@code data.platform}, e.g. {@code qemu-x86_64} (empty string when absent)
 * @param arch           {@code data.arch} (empty string when absent)
 * @param jobDefinition  URL of the PULL_LABS job definition (null when the node has none: the orchestrator then
 *                       finishes the job as {@code incomplete})
 * @param parent         parent node id (the kbuild, usually), null when absent
 * @param claimMarker    the {@code data.job_id} value this lab wrote
 * @param eventId        the event that announced it
 * @param eventTimestamp that event's timestamp
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobTicket(String nodeId, String name, String runtime, String platform, String arch,
        String jobDefinition, String parent, String claimMarker, String eventId, String eventTimestamp) {

    public JobTicket {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(claimMarker, "claimMarker");
    }
}
