package dev.pullab.core.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.kernelci.EventTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PollCycleTest {

    private static final String RUNTIME = "pull-labs-aws-ec2";

    private final FakeFeed feed = new FakeFeed();
    private final InMemoryJobs jobs = new InMemoryJobs();
    private final InMemoryCursorStore cursors = new InMemoryCursorStore();
    private final AtomicInteger claimIds = new AtomicInteger();

    /** Microseconds since the epoch, now: no cursor may pass it (plus the skew allowance). */
    private static final long NOW_MICROS = java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH,
            java.time.Instant.now().plus(PollCycle.CLOCK_SKEW_ALLOWANCE));

    private PollReport poll(int pageSize, Set<String> platforms) {
        return new PollCycle(new PollCycle.Settings(RUNTIME, platforms, pageSize, false), feed, cursors, jobs, jobs,
                () -> "c" + claimIds.incrementAndGet()).run();
    }

    private PollReport poll(int pageSize) {
        return poll(pageSize, Set.of());
    }

    private PollCycle cycle(int pageSize, int parallelism, JobQueue queue) {
        return new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), pageSize, false, parallelism), feed, cursors,
                jobs, queue, () -> "c" + claimIds.incrementAndGet());
    }

    /** {@code count} jobs, one millisecond apart from 10:00:00.001, in feed order. */
    private List<String> jobs(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(feed.job(String.format("2026-05-20T10:00:%02d.%03d000", i / 1000, i % 1000), RUNTIME,
                    "qemu-x86_64"));
        }
        return ids;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 32})
    @DisplayName("250 jobs over pages of 100, worked on 1, 8 or 32 at once: each recorded, claimed and queued once,"
            + " reported in feed order, the cursor past the last page")
    void givenManyJobs_whenPolledInParallel_thenEachQueuedOnceInFeedOrder(int parallelism) {
        List<String> ids = jobs(250);

        PollReport report = cycle(100, parallelism, jobs).run();

        assertThat(report.queued()).extracting(JobTicket::nodeId).containsExactlyElementsOf(ids);
        assertThat(jobs.sent).extracting(JobTicket::nodeId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(feed.claims).containsOnlyKeys(ids);
        assertThat(jobs.records.values()).extracting(JobRecord::state).containsOnly(JobState.QUEUED);
        assertThat(cursors.read(RUNTIME).from().map(EventTime::text)).contains("2026-05-20T10:00:00.249000");
    }

    @Test
    @DisplayName("a record an earlier version left in CLAIMED is sent without claiming again and moved to QUEUED")
    void givenRecordLeftInClaimed_whenPolled_thenSentAndQueuedWithoutClaim() {
        String node = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        JobTicket earlier = new JobTicket(node, "job-" + node, RUNTIME, "qemu-x86_64", "x86_64",
                "https://files.example/" + node + ".json", null, RUNTIME + ":earlier", "e1", "2026-05-20T10:00:00.001000");
        jobs.records.put(node, new JobRecord(earlier, JobState.CLAIMED, java.util.Optional.empty()));

        PollReport report = poll(10);

        assertThat(report.queued()).containsExactly(earlier);
        assertThat(jobs.sent).containsExactly(earlier);
        assertThat(feed.claims).isEmpty();
        assertThat(jobs.records.get(node).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    @DisplayName("a claim failing (503 after retries) in the middle of a parallel page: nothing of the page is sent,"
            + " the cursor stays before it, and the re-run queues each job exactly once")
    void givenClaimFailsMidPage_whenPolledInParallelAndRerun_thenCursorHeldAndEachJobQueuedOnce() {
        List<String> ids = jobs(40);
        feed.claimFailures.put(ids.get(16), 503);
        Cursor before = cursors.read(RUNTIME);

        assertThatThrownBy(() -> cycle(100, 8, jobs).run()).isInstanceOf(HttpCallException.class)
                .hasMessageContaining("HTTP 503");

        assertThat(cursors.read(RUNTIME)).isEqualTo(before);
        assertThat(jobs.sent).isEmpty();
        assertThat(jobs.records.values()).extracting(JobRecord::state)
                .doesNotContain(JobState.QUEUED, JobState.SKIPPED);

        feed.claimFailures.clear();
        PollReport rerun = cycle(100, 8, jobs).run();

        assertThat(jobs.sent).extracting(JobTicket::nodeId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(rerun.queued()).extracting(JobTicket::nodeId).containsExactlyElementsOf(ids);
        assertThat(jobs.records.values()).extracting(JobRecord::state).containsOnly(JobState.QUEUED);
        assertThat(cursors.read(RUNTIME).from().map(EventTime::text)).contains("2026-05-20T10:00:00.039000");
    }

    @Test
    @DisplayName("a send failing for one group of a parallel page: no job is marked queued, the cursor stays, and the"
            + " re-run sends the page's jobs again (SQS drops the copies) and marks every one queued")
    void givenOneSendGroupFails_whenPolledInParallelAndRerun_thenNothingMarkedQueuedUntilAllSent() {
        List<String> ids = jobs(45);
        AtomicInteger failures = new AtomicInteger(1);
        JobQueue failingOnce = tickets -> {
            if (tickets.stream().anyMatch(t -> t.nodeId().equals(ids.get(33))) && failures.getAndDecrement() > 0) {
                throw new IllegalStateException("jobs queue refused 1 of " + tickets.size() + " tickets");
            }
            jobs.send(tickets);
        };
        Cursor before = cursors.read(RUNTIME);

        assertThatThrownBy(() -> cycle(100, 8, failingOnce).run()).hasMessageContaining("jobs queue refused");

        assertThat(cursors.read(RUNTIME)).isEqualTo(before);
        assertThat(jobs.records.values()).extracting(JobRecord::state).containsOnly(JobState.RECORDED);
        assertThat(jobs.sent).extracting(JobTicket::nodeId).doesNotContain(ids.get(33));

        PollReport rerun = cycle(100, 8, failingOnce).run();

        assertThat(rerun.queued()).extracting(JobTicket::nodeId).containsExactlyElementsOf(ids);
        assertThat(jobs.records.values()).extracting(JobRecord::state).containsOnly(JobState.QUEUED);
        assertThat(feed.claims).containsOnlyKeys(ids);
        assertThat(cursors.read(RUNTIME).from().map(EventTime::text)).contains("2026-05-20T10:00:00.044000");
    }

    @Test
    @DisplayName("events sharing the boundary millisecond split across pages are all taken, once")
    void givenBoundaryMillisecondSplitAcrossPages_whenPolled_thenEveryJobQueuedOnce() {
        feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.003000", RUNTIME, "qemu-x86_64");

        PollReport report = poll(2);

        assertThat(jobs.sent).extracting(JobTicket::nodeId).doesNotHaveDuplicates().hasSize(5);
        assertThat(report.caughtUp()).isTrue();
    }

    @Test
    @DisplayName("a page entirely inside one millisecond keeps its cursor and grows the page until it gets past")
    void givenFullPageInOneMillisecond_whenPolled_thenLimitGrows() {
        for (int i = 0; i < 5; i++) {
            feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        }
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");

        poll(2);

        assertThat(jobs.sent).hasSize(6);
        assertThat(feed.limits).contains(2, 4, 8);
    }

    @Test
    @DisplayName("a second poll after catching up finds nothing new and sends nothing")
    void givenCaughtUp_whenPolledAgain_thenNothingSentTwice() {
        feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        poll(10);

        PollReport second = poll(10);

        assertThat(jobs.sent).hasSize(2);
        assertThat(second.queued()).isEmpty();
    }

    @Test
    @DisplayName("a job announced twice is queued once and counted as a duplicate")
    void givenDuplicateEvents_whenPolled_thenQueuedOnce() {
        String node = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        feed.add("2026-05-20T10:00:00.005000", node, RUNTIME, "qemu-x86_64");
        poll(1);

        feed.add("2026-05-20T10:00:00.009000", node, RUNTIME, "qemu-x86_64");
        PollReport later = poll(1);

        assertThat(jobs.sent).extracting(JobTicket::nodeId).containsExactly(node);
        assertThat(later.duplicates()).isEqualTo(1);
    }

    @Test
    @DisplayName("other runtimes' and platforms' jobs are ignored")
    void givenOtherRuntimesAndPlatforms_whenPolled_thenIgnored() {
        feed.job("2026-05-20T10:00:00.001000", "pull-labs-demo", "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "bcm2711-rpi-4-b");
        String ours = feed.job("2026-05-20T10:00:00.003000", RUNTIME, "qemu-x86_64");

        PollReport report = poll(10, Set.of("qemu-x86_64"));

        assertThat(jobs.sent).extracting(JobTicket::nodeId).containsExactly(ours);
        assertThat(report.ignored()).containsEntry("other runtime", 1).containsEntry("other platform", 1);
    }

    @Test
    @DisplayName("a malformed event is skipped and does not hold the cursor back")
    void givenMalformedEvent_whenPolled_thenSkippedAndCursorPasses() {
        feed.malformed("2026-05-20T10:00:00.001000", "no node id in data.id");
        String job = feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.003000", RUNTIME, "qemu-x86_64");

        PollReport report = poll(10);

        assertThat(report.malformed()).isEqualTo(1);
        assertThat(jobs.sent).extracting(JobTicket::nodeId).contains(job);
        assertThat(report.after().from().map(EventTime::text)).contains("2026-05-20T10:00:00.002000");
    }

    @Test
    @DisplayName("a job another lab claimed first is recorded as skipped, not queued")
    void givenClaimedElsewhere_whenPolled_thenSkipped() {
        String node = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        feed.claims.put(node, RUNTIME + ":someone-else");

        PollReport report = poll(10);

        assertThat(jobs.sent).isEmpty();
        assertThat(report.skipped()).containsKey(node);
        assertThat(jobs.records.get(node).state()).isEqualTo(JobState.SKIPPED);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 422})
    @DisplayName("a claim the API rejects as malformed is refused, not skipped: the job stays claimable and the cursor"
            + " stays before it, while later jobs are still queued")
    void givenClaimRejectedAsMalformed_whenPolled_thenRefusedAndRetriedNextPoll(int status) {
        feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        String rejected = feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        String later = feed.job("2026-05-20T10:00:00.003000", RUNTIME, "qemu-x86_64");
        feed.claimFailures.put(rejected, status);
        Cursor before = cursors.read(RUNTIME);

        PollReport report = poll(2);

        assertThat(report.refused()).containsOnlyKeys(rejected);
        assertThat(report.refused().get(rejected)).contains("HTTP " + status).contains("Field required");
        assertThat(report.skipped()).isEmpty();
        assertThat(jobs.records.get(rejected).state()).isEqualTo(JobState.RECORDED);
        assertThat(jobs.sent).extracting(JobTicket::nodeId).contains(later).doesNotContain(rejected);
        assertThat(cursors.read(RUNTIME)).isEqualTo(before);

        feed.claimFailures.clear();
        PollReport fixed = poll(2);

        assertThat(fixed.refused()).isEmpty();
        assertThat(fixed.queued()).extracting(JobTicket::nodeId).containsExactly(rejected);
        assertThat(jobs.sent).extracting(JobTicket::nodeId).containsOnlyOnce(rejected, later);
        assertThat(cursors.read(RUNTIME).from().map(EventTime::text)).contains("2026-05-20T10:00:00.002000");
    }

    @Test
    @DisplayName("a claim the API refuses with another 4xx (this job cannot be claimed) is skipped for good")
    void givenClaimRefusedWith404_whenPolled_thenSkipped() {
        String node = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        feed.claimFailures.put(node, 404);

        PollReport report = poll(10);

        assertThat(report.refused()).isEmpty();
        assertThat(report.skipped()).containsKey(node);
        assertThat(jobs.records.get(node).state()).isEqualTo(JobState.SKIPPED);
    }

    @Test
    @DisplayName("a job whose node is larger than the client reads is skipped for good, naming the cap; the poll goes on")
    void givenOversizedNode_whenPolled_thenSkippedAndOthersQueued() {
        String huge = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        String fine = feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");
        feed.oversized.add(huge);

        PollReport report = poll(10);

        assertThat(report.skipped()).containsOnlyKeys(huge);
        assertThat(report.skipped().get(huge)).contains("larger than 1048576 bytes");
        assertThat(report.queued()).extracting(JobTicket::nodeId).containsExactly(fine);
    }

    @Test
    @DisplayName("events dated in the far future are reported and taken, but the cursor stays in real time: jobs"
            + " published later are still found")
    void givenEventsFromTheFuture_whenPolled_thenCursorStaysInRealTimeAndLaterJobsFound() {
        String past = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        String poisoned1 = feed.job("9999-12-31T23:59:59.999000", RUNTIME, "qemu-x86_64");
        String poisoned2 = feed.job("9999-12-31T23:59:59.999000", RUNTIME, "qemu-x86_64");

        PollReport first = poll(10);

        assertThat(first.future()).isEqualTo(2);
        assertThat(first.queued()).extracting(JobTicket::nodeId).containsExactly(past, poisoned1, poisoned2);
        assertThat(cursors.read(RUNTIME).position()).isLessThanOrEqualTo(NOW_MICROS);

        String later = feed.job("2026-05-20T10:05:00.000000", RUNTIME, "qemu-x86_64");
        PollReport second = poll(10);

        assertThat(second.queued()).extracting(JobTicket::nodeId).containsExactly(later);
        assertThat(jobs.sent).extracting(JobTicket::nodeId).containsOnlyOnce(past, poisoned1, poisoned2, later);
    }

    @Test
    @DisplayName("a stored cursor in the future (poisoned before this fix) is rewound: the hidden jobs are found once")
    void givenPoisonedStoredCursor_whenPolled_thenRewoundAndJobsFound() {
        String hidden = feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        cursors.save(RUNTIME, new Cursor(EventTime.parse("9999-12-31T23:59:59.999000"), Set.of()));

        PollReport report = poll(10);

        assertThat(report.queued()).extracting(JobTicket::nodeId).containsExactly(hidden);
        assertThat(cursors.read(RUNTIME).position()).isLessThanOrEqualTo(NOW_MICROS);
        assertThat(poll(10).queued()).as("a second poll").isEmpty();
    }

    @Test
    @DisplayName("a dry run reports the jobs and writes, claims and sends nothing")
    void givenDryRun_whenPolled_thenNothingWritten() {
        feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");
        feed.job("2026-05-20T10:00:00.002000", RUNTIME, "qemu-x86_64");

        PollReport report = new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), 10, true), feed, cursors, jobs,
                jobs, () -> "x").run();

        assertThat(report.found()).hasSize(2);
        assertThat(jobs.records).isEmpty();
        assertThat(jobs.sent).isEmpty();
        assertThat(feed.claims).isEmpty();
        assertThat(cursors.read(RUNTIME)).isEqualTo(Cursor.initial());
    }

    @Test
    @DisplayName("no time left: no page is read")
    void givenNoTime_whenPolled_thenNothingRead() {
        feed.job("2026-05-20T10:00:00.001000", RUNTIME, "qemu-x86_64");

        PollReport report = new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), 10, false), feed, cursors, jobs,
                jobs, () -> "x").run(() -> false);

        assertThat(report.pages()).isZero();
        assertThat(report.caughtUp()).isFalse();
    }
}
