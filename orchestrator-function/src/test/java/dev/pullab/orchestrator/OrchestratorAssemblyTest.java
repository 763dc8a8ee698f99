package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Lazy clients: EC2, SSM and ECS are built on first use, once (cold start: a path builds only what it uses). */
class OrchestratorAssemblyTest {

    @Test
    @DisplayName("lazy clients: nothing built until asked, then each once")
    void givenLazyClients_whenUsed_thenBuiltOnFirstUseOnly() {
        AtomicInteger ec2 = new AtomicInteger();
        AtomicInteger ssm = new AtomicInteger();
        AtomicInteger ecs = new AtomicInteger();
        Ec2Client ec2Client = Ec2Client.builder().region(software.amazon.awssdk.regions.Region.US_EAST_1).build();

        OrchestratorAssembly.Clients clients = OrchestratorAssembly.Clients.lazy(null, null,
                counting(ec2, ec2Client), counting(ssm, (SsmClient) null), counting(ecs, (EcsClient) null));

        assertThat(ec2.get() + ssm.get() + ecs.get()).isZero();
        assertThat(clients.ec2()).isSameAs(ec2Client);
        assertThat(clients.ec2()).isSameAs(ec2Client);
        assertThat(ec2).hasValue(1);
        assertThat(ssm.get() + ecs.get()).isZero();
        ec2Client.close();
    }

    private static <T> Supplier<T> counting(AtomicInteger calls, T value) {
        return () -> {
            calls.incrementAndGet();
            return value;
        };
    }
}
