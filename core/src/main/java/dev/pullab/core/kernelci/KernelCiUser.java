package dev.pullab.core.kernelci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The account a KernelCI API token belongs to, as {@code GET /whoami} answers (fastapi-users' user:
 * {@code {"id", "email", "is_active", "is_superuser", "is_verified", "username", "groups": [{"id", "name"}]}}).
 *
 * @param username  its user name
 * @param superuser whether it is a superuser (may edit any node)
 * @param active    whether the account is active
 * @param groups    its groups' names
 */
public record KernelCiUser(String username, boolean superuser, boolean active, List<String> groups) {

    /** The API keeps few groups per user; a longer list is not read further. */
    static final int MAX_GROUPS = 256;

    public KernelCiUser {
        Objects.requireNonNull(username, "username");
        groups = List.copyOf(groups);
    }

    /** From a {@code /whoami} answer. */
    public static KernelCiUser of(JsonNode body) {
        List<String> groups = new ArrayList<>();
        for (JsonNode group : body.path("groups")) {
            if (groups.size() >= MAX_GROUPS) {
                break;
            }
            String name = group.isTextual() ? group.asText() : group.path("name").asText("");
            if (!name.isEmpty()) {
                groups.add(name);
            }
        }
        return new KernelCiUser(body.path("username").asText(""), body.path("is_superuser").asBoolean(false),
                body.path("is_active").asBoolean(true), groups);
    }

    /** The group that lets a lab edit the job nodes of {@code runtime}. */
    public static String editorGroup(String runtime) {
        return "runtime:" + runtime + ":node-editor";
    }

    /**
     * Whether this account may edit nodes of {@code runtime}, by the API's rule ({@code _user_can_edit_node}):
     * superuser, group {@code node:edit:any}, or {@code runtime:<runtime>:node-editor} / {@code node-admin}.
     * Ownership and a node's own {@code user_groups} do not apply to a lab editing others' job nodes.
     */
    public boolean mayEditNodesOf(String runtime) {
        return superuser || groups.contains("node:edit:any") || groups.contains(editorGroup(runtime))
                || groups.contains("runtime:" + runtime + ":node-admin");
    }
}
