package dev.pullab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@link KernelCiApiDouble}'s data: nodes, the event collection, what each node last published, the nodes as they
 * were before {@code done} (for stale reads), the clock and the ObjectId generator. Everything is guarded by one
 * lock; {@link #atomically} runs a multi-step write under it. Nodes and events handed out are deep copies.
 */
final class NodeStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Object lock = new Object();
    private final Map<String, ObjectNode> nodes = new LinkedHashMap<>();
    private final List<ObjectNode> events = new ArrayList<>();
    /** state/result of each node as of its last published event: {@code previous_*} of the next update. */
    private final Map<String, ObjectNode> lastPublished = new HashMap<>();
    private long nextSequenceId = 1;

    /** Each node moved to {@code done}, as it was just before (see {@link #staleReadsOfFinishedNodes}). */
    private final Map<String, ObjectNode> beforeDone = new HashMap<>();
    private volatile boolean staleFinishedReads;
    private volatile Supplier<String> clock = new ApiTimestamps.MonotonicUtcClock();

    private final String objectIdMiddle;
    private final AtomicInteger objectIdCounter = new AtomicInteger(RANDOM.nextInt(0x1000000));

    NodeStore() {
        byte[] middle = new byte[5];
        RANDOM.nextBytes(middle);
        StringBuilder hex = new StringBuilder();
        for (byte b : middle) {
            hex.append(String.format("%02x", b));
        }
        this.objectIdMiddle = hex.toString();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Setup (see the KernelCiApiDouble methods of the same names)

    void setClock(Supplier<String> clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void putNode(ObjectNode node) {
        String id = requireNodeId(node);
        synchronized (lock) {
            nodes.put(id, node.deepCopy());
        }
    }

    String publish(String nodeId, String op, String timestamp) {
        Objects.requireNonNull(op, "op");
        if (ApiTimestamps.parseNaiveIso(timestamp).isEmpty()) {
            throw new IllegalArgumentException("not a naive ISO timestamp: " + timestamp);
        }
        synchronized (lock) {
            ObjectNode node = nodes.get(normalizeId(nodeId));
            if (node == null) {
                throw new IllegalArgumentException("unknown node: " + nodeId);
            }
            return appendEvent(node, op, timestamp, false, lastPublished.get(node.get("id").asText()));
        }
    }

    String addJob(ObjectNode node, String timestamp) {
        synchronized (lock) {
            putNode(node);
            return publish(node.get("id").asText(), "created", timestamp);
        }
    }

    void publishRaw(ObjectNode eventDocument) {
        synchronized (lock) {
            events.add(eventDocument.deepCopy());
        }
    }

    Optional<ObjectNode> node(String id) {
        synchronized (lock) {
            ObjectNode node = nodes.get(normalizeId(id));
            return node == null ? Optional.empty() : Optional.of(node.deepCopy());
        }
    }

    List<ObjectNode> nodes() {
        synchronized (lock) {
            return nodes.values().stream().map(ObjectNode::deepCopy).collect(Collectors.toList());
        }
    }

    List<ObjectNode> events() {
        synchronized (lock) {
            return events.stream().map(ObjectNode::deepCopy).collect(Collectors.toList());
        }
    }

    void staleReadsOfFinishedNodes(boolean on) {
        staleFinishedReads = on;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reads and writes of the routes

    /** {@code GET /node/{id}}: a copy of the node ({@code null} when none), stale while stale reads are on. */
    JsonNode read(String id) {
        synchronized (lock) {
            ObjectNode node = nodes.get(id);
            if (node != null && staleFinishedReads && beforeDone.containsKey(id)) {
                node = beforeDone.get(id);
            }
            return node == null ? NullNode.getInstance() : node.deepCopy();
        }
    }

    /** Runs {@code action} holding the lock: a route's checks and writes happen as one step. */
    <T> T atomically(Supplier<T> action) {
        synchronized (lock) {
            return action.get();
        }
    }

    /** The stored node itself (not a copy; hold the lock through {@link #atomically}); 404 when none. */
    ObjectNode existing(String id) {
        synchronized (lock) {
            ObjectNode node = nodes.get(id);
            if (node == null) {
                throw new ApiError(404, "Node not found with id: " + id);
            }
            return node;
        }
    }

    boolean contains(String id) {
        synchronized (lock) {
            return nodes.containsKey(id);
        }
    }

    /** Stores {@code node} itself (no copy) under {@code id}. */
    void store(String id, ObjectNode node) {
        synchronized (lock) {
            nodes.put(id, node);
        }
    }

    /** To call when {@code stored} is about to be replaced by {@code updated}. */
    void rememberBeforeDone(ObjectNode stored, ObjectNode updated) {
        if (!"done".equals(stored.path("state").asText()) && "done".equals(updated.path("state").asText())) {
            synchronized (lock) {
                beforeDone.put(updated.path("id").asText(stored.path("id").asText()), stored.deepCopy());
            }
        }
    }

    /**
     * Visits the events in order, each with the node its {@code data.id} names ({@code null} when none), holding
     * the lock; both are the stored documents, to copy before they leave. Stops when {@code visitor} says false.
     */
    void scanEvents(BiPredicate<ObjectNode, ObjectNode> visitor) {
        synchronized (lock) {
            for (ObjectNode event : events) {
                JsonNode id = event.path("data").path("id");
                ObjectNode node = id.isTextual() ? nodes.get(normalizeId(id.asText())) : null;
                if (!visitor.test(event, node)) {
                    return;
                }
            }
        }
    }

    /**
     * Appends the event {@link EventFeed#event} makes for the node as it is now, and remembers its state/result.
     *
     * @param previous {@code state}/{@code result} before the change ({@code previous_*} of an update), or null
     * @return the new event's id
     */
    String appendEvent(ObjectNode node, String op, String timestamp, boolean isHierarchy, ObjectNode previous) {
        synchronized (lock) {
            String eventId = newObjectId();
            events.add(EventFeed.event(node, op, timestamp, isHierarchy, previous, nextSequenceId++, eventId));
            lastPublished.put(node.path("id").asText(), EventFeed.stateAndResult(node));
            return eventId;
        }
    }

    /** The clock's current timestamp. */
    String now() {
        return clock.get();
    }

    String newObjectId() {
        int seconds = (int) (System.currentTimeMillis() / 1000);
        int counter = objectIdCounter.getAndIncrement() & 0xFFFFFF;
        return String.format("%08x%s%06x", seconds, objectIdMiddle, counter);
    }

    private static String requireNodeId(ObjectNode node) {
        JsonNode id = node == null ? null : node.get("id");
        if (id == null || !id.isTextual() || !NodeValidation.isObjectId(id.asText())) {
            throw new IllegalArgumentException("a node needs a 24-hex string id: " + node);
        }
        return id.asText().toLowerCase(Locale.ROOT);
    }

    private static String normalizeId(String id) {
        return id == null ? "" : id.toLowerCase(Locale.ROOT);
    }
}
