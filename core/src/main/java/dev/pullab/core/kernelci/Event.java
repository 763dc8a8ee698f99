package dev.pullab.core.kernelci;

import java.util.Optional;

/**
 * One element of {@code GET /events}: a node change. Only what the poller needs is lifted out; the node (present
 * with {@code recursive}) is the node's <em>current</em> state, not its state at event time.
 *
 * @param id         event document id (unique; used to de-duplicate re-read boundary events)
 * @param timestamp  the API's naive UTC timestamp, verbatim (sent back as {@code from})
 * @param sequenceId the API's strictly increasing event counter (0 when absent)
 * @param op         {@code created} or {@code updated}
 * @param nodeId     the changed node
 * @param kind       node kind at event time, e.g. {@code job}
 * @param state      node state at event time
 * @param runtime    {@code data.data.runtime} at event time, if any
 * @param platform   {@code data.data.platform} at event time, if any
 * @param node       the node's current state (recursive queries), if the node still exists
 */
public record Event(
        String id,
        String timestamp,
        long sequenceId,
        String op,
        String nodeId,
        String kind,
        String state,
        Optional<String> runtime,
        Optional<String> platform,
        Optional<Node> node) {
}
