package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a KernelCI account from /whoami, and whether it may edit a runtime's nodes")
class KernelCiUserTest {

    private static KernelCiUser user(String json) throws Exception {
        return KernelCiUser.of(new ObjectMapper().readTree(json));
    }

    @Test
    @DisplayName("the API's /whoami answer is read: user name, superuser, group names")
    void givenWhoamiAnswer_thenRead() throws Exception {
        KernelCiUser user = user("{\"id\": \"64f5ff9e8326c545a780c2a0\", \"email\": \"lab@example.org\", "
                + "\"is_active\": true, \"is_superuser\": false, \"is_verified\": true, \"username\": \"lab\", "
                + "\"groups\": [{\"id\": \"6499aa9da02fef8143c1feb0\", \"name\": \"runtime:pull-labs-demo:node-editor\"}]}");

        assertThat(user.username()).isEqualTo("lab");
        assertThat(user.groups()).containsExactly("runtime:pull-labs-demo:node-editor");
        assertThat(user.mayEditNodesOf("pull-labs-demo")).isTrue();
        assertThat(user.mayEditNodesOf("other-lab")).isFalse();
    }

    @Test
    @DisplayName("a superuser, node:edit:any or the runtime's node-admin may edit; no group may not")
    void editRule() throws Exception {
        assertThat(user("{\"username\": \"a\", \"is_superuser\": true, \"groups\": []}").mayEditNodesOf("r")).isTrue();
        assertThat(user("{\"username\": \"a\", \"groups\": [{\"name\": \"node:edit:any\"}]}").mayEditNodesOf("r"))
                .isTrue();
        assertThat(user("{\"username\": \"a\", \"groups\": [{\"name\": \"runtime:r:node-admin\"}]}")
                .mayEditNodesOf("r")).isTrue();
        assertThat(user("{\"username\": \"a\", \"groups\": []}").mayEditNodesOf("r")).isFalse();
    }
}
