package dev.pullab.core.poll;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.kernelci.ClaimOutcome;
import dev.pullab.core.kernelci.Event;
import dev.pullab.core.kernelci.EventPage;
import dev.pullab.core.kernelci.EventTime;
import dev.pullab.core.kernelci.KernelCiJobs;
import dev.pullab.core.kernelci.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory /events feed for unit tests of the cycle: strict {@code from}, insertion order, claims recorded.
 * Reads and claims are synchronized (the cycle claims in parallel); tests set it up before the cycle runs.
 */
final class FakeFeed implements KernelCiJobs {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<EventPage.Entry> entries = new ArrayList<>();
    final Map<String, String> claims = new HashMap<>();
    final List<Integer> limits = new ArrayList<>();
    /** Node id to the HTTP status its claim fails with (as the API answering a malformed request). */
    final Map<String, Integer> claimFailures = new HashMap<>();
    /** Nodes larger than the client's cap: their claim fails as too large. */
    final java.util.Set<String> oversized = new java.util.HashSet<>();
    private int next;

    /** A job event of {@code runtime} on {@code platform}, node available and unclaimed. */
    String job(String timestamp, String runtime, String platform) {
        String nodeId = String.format("%024x", ++next);
        return add(timestamp, nodeId, runtime, platform);
    }

    /** Another event for an existing node (a duplicate announcement). */
    String add(String timestamp, String nodeId, String runtime, String platform) {
        String eventId = String.format("e%023x", entries.size() + 1);
        ObjectNode node = JSON.createObjectNode().put("id", nodeId).put("kind", "job").put("name", "job-" + nodeId)
                .put("state", "available");
        node.putObject("data").put("runtime", runtime).put("platform", platform).put("arch", "x86_64");
        node.putObject("artifacts").put("job_definition", "https://files.example/" + nodeId + ".json");
        Event event = new Event(eventId, timestamp, entries.size() + 1, "updated", nodeId, "job", "available",
                Optional.of(runtime), Optional.of(platform), Optional.of(Node.of(node)));
        entries.add(new EventPage.Entry(eventId, EventTime.parse(timestamp), Optional.of(event), Optional.empty()));
        return nodeId;
    }

    void malformed(String timestamp, String problem) {
        entries.add(new EventPage.Entry("bad" + entries.size(), EventTime.parse(timestamp), Optional.empty(),
                Optional.of(problem)));
    }

    @Override
    public synchronized EventPage availableJobEvents(Optional<EventTime> from, int limit) {
        limits.add(limit);
        List<EventPage.Entry> page = entries.stream()
                .filter(e -> from.isEmpty() || e.timestamp().map(t -> t.micros() > from.get().micros()).orElse(true))
                .limit(limit).toList();
        return new EventPage(page, limit);
    }

    @Override
    public synchronized ClaimOutcome claim(String nodeId, String marker) {
        if (oversized.contains(nodeId)) {
            throw new dev.pullab.core.http.HttpCallException("KernelCI API answer from https://api.example/latest/node/"
                    + nodeId + " larger than 1048576 bytes", dev.pullab.core.http.HttpCallException.Failure.TOO_LARGE,
                    200, null);
        }
        Integer status = claimFailures.get(nodeId);
        if (status != null) {
            throw new dev.pullab.core.http.HttpCallException("KernelCI API PATCH node/" + nodeId + " failed: HTTP "
                    + status + ": {\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\"}]}",
                    status, null);
        }
        String owner = claims.putIfAbsent(nodeId, marker);
        return owner == null || owner.equals(marker) ? ClaimOutcome.CLAIMED : ClaimOutcome.CLAIMED_BY_OTHER;
    }
}
