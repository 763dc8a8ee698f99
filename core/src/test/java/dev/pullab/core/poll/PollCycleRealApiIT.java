package dev.pullab.core.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.testkit.KernelCiApiKit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The poll cycle against the real upstream KernelCI API (the peer kit): what it claims is read back from the API.
 * Each test seeds its jobs on a platform of its own and polls with that platform allowed, so tests sharing the API
 * never take each other's jobs.
 */
class PollCycleRealApiIT {

    private static final KernelCiApiKit API = KernelCiApiKit.get();

    private final String platform = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final InMemoryCursorStore cursors = new InMemoryCursorStore();
    private final InMemoryJobs jobs = new InMemoryJobs();
    private final AtomicInteger claimIds = new AtomicInteger();

    private PollReport poll() {
        KernelCiClient client = new KernelCiClient(API.baseUri(), Optional.of(API.labToken()),
                new RetryingHttp("KernelCI API", new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(200),
                        Duration.ofSeconds(20))));
        return new PollCycle(new PollCycle.Settings(API.runtime(), Set.of(platform), 1000, false), client, cursors,
                jobs, jobs, () -> "claim" + claimIds.incrementAndGet()).run();
    }

    private List<KernelCiApiKit.SeededJob> seed(int count, Optional<String> otherRuntime) {
        List<String> specs = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> "baseline-" + i + ":x86_64:" + platform).toList();
        return API.seed("http://127.0.0.1:9/jobs/{platform}.json", specs, otherRuntime);
    }

    @Test
    @DisplayName("available jobs of the lab's runtime are claimed in the API and queued once; a second poll adds nothing")
    void pollAndClaim() {
        List<KernelCiApiKit.SeededJob> seeded = seed(2, Optional.empty());

        PollReport first = poll();

        assertThat(first.queued()).extracting(JobTicket::nodeId)
                .containsExactlyInAnyOrderElementsOf(seeded.stream().map(KernelCiApiKit.SeededJob::id).toList());
        for (JobTicket ticket : first.queued()) {
            assertThat(API.node(ticket.nodeId()).at("/data/job_id").asText()).isEqualTo(ticket.claimMarker());
            assertThat(API.node(ticket.nodeId()).path("state").asText()).isEqualTo("available");
        }
        PollReport second = poll();
        assertThat(second.queued()).isEmpty();
        assertThat(jobs.sent).hasSize(2);
    }

    @Test
    @DisplayName("a job of another runtime on the same platform is left alone: not claimed, not queued")
    void otherRuntimeLeftAlone() {
        String other = "other-" + UUID.randomUUID().toString().substring(0, 6);
        List<KernelCiApiKit.SeededJob> seeded = seed(1, Optional.of(other));
        KernelCiApiKit.SeededJob foreign = seeded.stream().filter(j -> j.runtime().equals(other)).findFirst()
                .orElseThrow();

        PollReport report = poll();

        assertThat(report.queued()).extracting(JobTicket::nodeId).doesNotContain(foreign.id());
        assertThat(API.node(foreign.id()).at("/data/job_id").isMissingNode()).isTrue();
        assertThat(report.ignored()).containsKey("other runtime");
    }

    @Test
    @DisplayName("a node another lab claimed first is not claimed again and its marker stays")
    void claimedByAnotherLab() {
        KernelCiApiKit.SeededJob job = seed(1, Optional.empty()).get(0);
        ObjectNode data = (ObjectNode) API.node(job.id()).get("data").deepCopy();
        data.put("job_id", "another-lab:feedc0de");
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.set("data", data);
        API.patchAsAdmin(job.id(), patch);

        PollReport report = poll();

        assertThat(report.queued()).isEmpty();
        assertThat(API.node(job.id()).at("/data/job_id").asText()).isEqualTo("another-lab:feedc0de");
    }

    @Test
    @DisplayName("the cursor passes every event handled, whatever its runtime: a caught-up poll re-reads none of them")
    void cursorPassesTrailingEventsOfOtherRuntimes() {
        seed(1, Optional.empty());
        // trailing events of another runtime, after the lab's last job
        API.seed("trailing-runtime", "http://127.0.0.1:9/jobs/{platform}.json",
                List.of("trail-1:x86_64:" + platform, "trail-2:arm64:" + platform), Optional.empty());

        poll();
        PollReport again = poll();

        assertThat(again.events()).as("events re-read by a caught-up poll").isLessThanOrEqualTo(1);
    }
}
