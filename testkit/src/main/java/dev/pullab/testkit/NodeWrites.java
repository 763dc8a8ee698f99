package dev.pullab.testkit;

import static dev.pullab.testkit.NodeValidation.append;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link KernelCiApiDouble}'s write routes, as upstream {@code update_node}, {@code put_node} and
 * {@code put_nodes} do them: {@code PATCH /node/{id}}, {@code PUT /node/{id}} and {@code PUT /nodes/{id}}, each
 * checked with {@link NodeValidation} and applied to a {@link NodeStore} as one step, then published as an event.
 */
final class NodeWrites {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final NodeStore store;
    /** The user the token belongs to: owner of nodes {@code PUT /nodes} creates without one. */
    private final String username;

    NodeWrites(NodeStore store, String username) {
        this.store = store;
        this.username = username;
    }

    /** One write route's work on an existing node, done holding the store's lock. */
    private interface Write {
        /**
         * @param id      the node's id, lower-cased
         * @param stored  the stored node (not a copy)
         * @param request the request body
         * @param noEvent the {@code noevent} query parameter
         */
        JsonNode apply(String id, ObjectNode stored, ObjectNode request, boolean noEvent);
    }

    /**
     * What every write route does first, in the API's order (ObjectId, then, holding the lock, the node exists, the
     * body is an object, {@code noevent} is a boolean), then {@code write}.
     */
    private JsonNode write(String rawId, Map<String, String> query, String body, boolean emptyIsEmptyObject,
                           Write write) {
        String id = NodeValidation.validObjectId(rawId);
        return store.atomically(() -> {
            ObjectNode stored = store.existing(id);
            ObjectNode request = NodeValidation.bodyObject(body, emptyIsEmptyObject);
            boolean noEvent = NodeValidation.pythonBool(query.get("noevent"), "noevent");
            return write.apply(id, stored, request, noEvent);
        });
    }

    // ------------------------------------------------------------------------------------------------------------
    // PATCH /node/{id}

    JsonNode patch(String rawId, Map<String, String> query, String body) {
        return write(rawId, query, body, true, (id, current, patch, noEvent) -> {
            NodeValidation.checkPatchFields(patch);
            ObjectNode previous = EventFeed.stateAndResult(current);
            ObjectNode updated = current.deepCopy();
            for (Map.Entry<String, JsonNode> field : patch.properties()) {
                if (!field.getKey().equals("state")) {
                    updated.set(field.getKey(),
                            NodeValidation.validField(field.getKey(), field.getValue(), List.of("body")));
                }
            }
            if (patch.has("state")) {
                String newState = NodeValidation.validField("state", patch.get("state"), List.of("body")).asText();
                NodeValidation.checkTransition(current.path("state").asText(""), newState);
                updated.put("state", newState);
            }
            NodeValidation.checkErrorCode(updated);
            if (!patch.has("processed_by_kcidb_bridge")) {
                updated.put("processed_by_kcidb_bridge", false);
            }
            updated.put("updated", store.now());
            return replace(id, current, updated, noEvent, previous);
        });
    }

    // ------------------------------------------------------------------------------------------------------------
    // PUT /node/{id}

    /**
     * Upstream {@code put_node}: a full node; everything but owner, submitter, user_groups and state is taken from
     * the body, omitted fields take model defaults; the state is applied after the transition check.
     */
    JsonNode put(String rawId, Map<String, String> query, String body) {
        return write(rawId, query, body, false, (id, stored, request, noEvent) -> {
            String now = store.now();
            ObjectNode node = NodeValidation.completeNode(request, List.of("body"), now);
            node.put("id", id);
            for (String kept : List.of("owner", "submitter", "user_groups")) {
                node.set(kept, copyOrNull(stored, kept));
            }
            NodeValidation.checkKind(node);
            NodeValidation.checkErrorCode(node);
            String storedState = stored.path("state").asText("");
            String newState = node.get("state").asText();
            NodeValidation.checkTransition(storedState, newState);
            boolean bodyFlag = node.get("processed_by_kcidb_bridge").asBoolean();
            boolean flag = bodyFlag;
            if (!newState.equals(storedState)
                    || stored.path("processed_by_kcidb_bridge").asBoolean(false) == bodyFlag) {
                flag = false;
            }
            node.put("processed_by_kcidb_bridge", flag);
            node.put("updated", now);
            return replace(id, stored, node, noEvent, EventFeed.stateAndResult(stored));
        });
    }

    /** Stores {@code updated} in place of {@code stored}, publishes its update unless {@code noEvent}. */
    private JsonNode replace(String id, ObjectNode stored, ObjectNode updated, boolean noEvent, ObjectNode previous) {
        store.rememberBeforeDone(stored, updated);
        store.store(id, updated);
        if (!noEvent) {
            store.appendEvent(updated, "updated", store.now(), false, previous);
        }
        return updated.deepCopy();
    }

    // ------------------------------------------------------------------------------------------------------------
    // PUT /nodes/{id}

    JsonNode putHierarchy(String rawId, String body) {
        return write(rawId, Map.of(), body, false, (id, storedRoot, request, noEvent) -> {
            String now = store.now();
            // validate and complete the whole hierarchy first, then write
            List<ObjectNode> flat = new ArrayList<>();
            List<Integer> parentIndex = new ArrayList<>();
            flatten(request, List.of("body"), -1, now, flat, parentIndex);
            ObjectNode root = flat.get(0);
            root.put("id", id);
            for (int i = 0; i < flat.size(); i++) {
                ObjectNode node = flat.get(i);
                if (node.path("owner").isNull() || node.path("owner").asText().isEmpty()) {
                    node.put("owner", username);
                }
                node.set("submitter", copyOrNull(storedRoot, "submitter"));
                node.set("treeid", copyOrNull(storedRoot, "treeid"));
                NodeValidation.checkKind(node);
                NodeValidation.checkErrorCode(node);
                NodeValidation.dropNonTestData(node);
                if (i > 0 && node.hasNonNull("id")) {
                    String childId = node.get("id").asText();
                    if (!store.contains(childId)) {
                        throw new ApiError(400, "No object found with id: " + childId);
                    }
                }
            }
            // ids and parents, still without touching the store
            List<Boolean> existing = new ArrayList<>();
            for (int i = 0; i < flat.size(); i++) {
                ObjectNode node = flat.get(i);
                existing.add(node.hasNonNull("id"));
                if (!node.hasNonNull("id")) {
                    node.put("id", store.newObjectId());
                }
                if (i > 0) {
                    node.put("parent", flat.get(parentIndex.get(i)).get("id").asText());
                }
                if (node.path("parent").asText("").equals(node.get("id").asText())) {
                    throw new ApiError(400, "Parent cannot be the same as the object");
                }
            }
            ObjectNode previous = EventFeed.stateAndResult(storedRoot);
            store.rememberBeforeDone(storedRoot, root);
            ArrayNode written = NODES.arrayNode();
            for (int i = 0; i < flat.size(); i++) {
                ObjectNode node = flat.get(i);
                if (existing.get(i)) {
                    node.put("updated", now);
                }
                store.store(node.get("id").asText(), node);
                written.add(node.deepCopy());
            }
            store.appendEvent(root, "updated", store.now(), true, previous);
            return written;
        });
    }

    private static void flatten(JsonNode hierarchy, List<Object> loc, int parent, String now, List<ObjectNode> flat,
                                List<Integer> parentIndex) {
        if (!hierarchy.isObject()) {
            throw NodeValidation.validation("model_attributes_type", loc,
                    "Input should be a valid dictionary or object");
        }
        for (Map.Entry<String, JsonNode> field : hierarchy.properties()) {
            if (!field.getKey().equals("node") && !field.getKey().equals("child_nodes")) {
                throw NodeValidation.extraForbidden(append(loc, field.getKey()));
            }
        }
        JsonNode node = hierarchy.get("node");
        if (node == null) {
            throw NodeValidation.missing(append(loc, "node"));
        }
        JsonNode children = hierarchy.get("child_nodes");
        if (children == null) {
            throw NodeValidation.missing(append(loc, "child_nodes"));
        }
        if (!children.isArray()) {
            throw NodeValidation.validation("list_type", append(loc, "child_nodes"), "Input should be a valid list");
        }
        ObjectNode complete = NodeValidation.completeNode(node, append(loc, "node"), now);
        int index = flat.size();
        flat.add(complete);
        parentIndex.add(parent);
        for (int i = 0; i < children.size(); i++) {
            flatten(children.get(i), append(append(loc, "child_nodes"), i), index, now, flat, parentIndex);
        }
    }

    /** A copy of the stored node's field, JSON null when it has none. */
    private static JsonNode copyOrNull(ObjectNode stored, String field) {
        return stored.path(field).isMissingNode() ? NullNode.getInstance() : stored.get(field).deepCopy();
    }
}
