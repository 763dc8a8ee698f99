package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.DynamoDbCursorStore;
import dev.pullab.aws.DynamoDbJobLedger;
import dev.pullab.aws.SqsJobQueue;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.kernelci.ClaimOutcome;
import dev.pullab.core.kernelci.EventPage;
import dev.pullab.core.kernelci.EventTime;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.kernelci.KernelCiJobs;
import dev.pullab.core.poll.Cursor;
import dev.pullab.core.poll.CursorStore;
import dev.pullab.core.poll.JobLedger;
import dev.pullab.core.poll.JobQueue;
import dev.pullab.core.poll.JobRecord;
import dev.pullab.core.poll.JobState;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.poll.PollCycle;
import dev.pullab.core.poll.PollReport;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.aws.PollerTables;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The poll cycle against real components: the KernelCI API double over HTTP, DynamoDB and an SQS FIFO queue on the
 * AWS emulator. Crashes are injected between the steps; the re-run must queue every job exactly once.
 */
class PollerIT {

    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final String TOKEN = "maestro-token-for-tests";
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(800));

    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final PollerTables aws = PollerTables.create(AwsEmulator.get().client(DynamoDbClient.builder()),
            AwsEmulator.get().client(SqsClient.builder()));
    private final DynamoDbJobLedger ledger = aws.ledger();
    private final DynamoDbCursorStore cursors = aws.cursors();
    private final SqsJobQueue queue = aws.queue();
    private final KernelCiClient kernelci = new KernelCiClient(api.baseUri(), Optional.of(TOKEN),
            new RetryingHttp("KernelCI API", FAST));
    private int nextNode;

    /** A crash of the process at a chosen point. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(String where) {
            super("simulated crash " + where);
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private String job(String timestamp) {
        return job(timestamp, RUNTIME, "qemu-x86_64");
    }

    private String job(String timestamp, String runtime, String platform) {
        String id = KernelCiFixtures.nodeId(++nextNode);
        api.addJob(KernelCiFixtures.job(id, runtime, platform), timestamp);
        return id;
    }

    private PollReport poll(KernelCiJobs feed, CursorStore cursorStore, JobLedger jobLedger, JobQueue jobQueue,
            int pageSize) {
        return new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), pageSize, false), feed, cursorStore,
                jobLedger, jobQueue, () -> UUID.randomUUID().toString()).run();
    }

    private PollReport poll(int pageSize) {
        return poll(kernelci, cursors, ledger, queue, pageSize);
    }

    /** {@code count} jobs one millisecond apart from 10:00:00.001, in feed order. */
    private List<String> jobs(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(job(String.format("2026-05-20T10:00:00.%03d000", i)));
        }
        return ids;
    }

    private PollReport pollInParallel(KernelCiJobs feed, JobLedger jobLedger, JobQueue jobQueue) {
        return new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), 100, false, 8), feed, cursors, jobLedger,
                jobQueue, () -> UUID.randomUUID().toString()).run();
    }

    @Test
    @DisplayName("crash in the middle of a page claimed by 8 workers: the cursor stays before the page, nothing is"
            + " sent, and the re-run queues each job exactly once")
    void givenCrashMidPageWithWorkers_whenRerun_thenCursorKeptAndOneMessagePerJob() {
        List<String> ids = jobs(30);
        AtomicInteger claims = new AtomicInteger();
        KernelCiJobs crashOnTenthClaim = afterEachClaim(nodeId -> {
            if (claims.incrementAndGet() == 10) {
                throw new Crash("after claiming " + nodeId);
            }
        });

        assertThatThrownBy(() -> pollInParallel(crashOnTenthClaim, ledger, queue)).isInstanceOf(Crash.class);

        assertThat(cursors.read(RUNTIME)).isEqualTo(Cursor.initial());
        assertThat(aws.receiveAll()).isEmpty();
        PollReport rerun = pollInParallel(kernelci, ledger, queue);

        assertThat(rerun.queued()).extracting(JobTicket::nodeId).containsExactlyElementsOf(ids);
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids).allSatisfy(id -> assertThat(ledger.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED));
        assertThat(cursors.read(RUNTIME).from().map(EventTime::text)).contains("2026-05-20T10:00:00.029000");
    }

    @Test
    @DisplayName("crash after some of a page's sends, before any job is recorded queued: SQS drops the re-sent"
            + " copies, each job reaches the queue once")
    void givenCrashAfterSomeSendsWithWorkers_whenRerun_thenOneMessagePerJob() {
        List<String> ids = jobs(25);
        AtomicInteger sends = new AtomicInteger();
        JobQueue crashAfterSecondSend = tickets -> {
            queue.send(tickets);
            if (sends.incrementAndGet() == 2) {
                throw new Crash("after sending " + tickets.size() + " tickets");
            }
        };

        assertThatThrownBy(() -> pollInParallel(kernelci, ledger, crashAfterSecondSend)).isInstanceOf(Crash.class);

        assertThat(cursors.read(RUNTIME)).isEqualTo(Cursor.initial());
        assertThat(ids).as("claimed in KernelCI, nothing recorded queued").allSatisfy(id -> assertThat(
                ledger.find(id).orElseThrow().state()).isEqualTo(JobState.RECORDED));
        PollReport rerun = pollInParallel(kernelci, ledger, queue);

        assertThat(rerun.queued()).extracting(JobTicket::nodeId).containsExactlyElementsOf(ids);
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids).allSatisfy(id -> assertThat(ledger.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED));
    }

    @Test
    @DisplayName("a duplicate's record comes back with the refused conditional put: one DynamoDB call, the original"
            + " claim marker")
    void givenRecordedJob_whenRecordedAgain_thenStoredRecordInOneCall() {
        AtomicInteger calls = new AtomicInteger();
        ExecutionInterceptor counting = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                calls.incrementAndGet();
            }
        };
        try (DynamoDbClient counted = AwsEmulator.get().client(DynamoDbClient.builder()
                .overrideConfiguration(c -> c.addExecutionInterceptor(counting)))) {
            DynamoDbJobLedger jobs = new DynamoDbJobLedger(DynamoDbEnhancedClient.builder().dynamoDbClient(counted)
                    .build(), aws.jobsTable(), java.time.Clock.systemUTC());
            JobTicket first = ticket(KernelCiFixtures.nodeId(900), RUNTIME + ":first");
            JobTicket again = ticket(first.nodeId(), RUNTIME + ":second");
            jobs.recordIfAbsent(JobRecord.recorded(first));
            jobs.transition(first.nodeId(), JobState.RECORDED, JobState.CLAIMED, "");
            calls.set(0);

            JobRecord stored = jobs.recordIfAbsent(JobRecord.recorded(again));

            assertThat(calls).hasValue(1);
            assertThat(stored.ticket()).isEqualTo(first);
            assertThat(stored.state()).isEqualTo(JobState.CLAIMED);
        }
    }

    private static JobTicket ticket(String nodeId, String marker) {
        return new JobTicket(nodeId, "baseline-x86_64", RUNTIME, "qemu-x86_64", "x86_64",
                "https://files.kernelci.org/pull_labs_jobs/" + nodeId + ".json", KernelCiFixtures.nodeId(1), marker,
                "e" + nodeId.substring(1), "2026-05-20T10:00:00.001000");
    }

    @Test
    @DisplayName("available jobs are recorded, claimed in KernelCI, queued once each, and the cursor saved")
    void givenAvailableJobs_whenPolled_thenClaimedQueuedAndCursorSaved() {
        String a = job("2026-05-20T10:00:00.001000");
        String b = job("2026-05-20T10:00:00.002000");

        PollReport report = poll(10);

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactlyInAnyOrder(a, b);
        assertThat(ledger.find(a).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        String marker = ledger.find(a).orElseThrow().ticket().claimMarker();
        assertThat(marker).startsWith(RUNTIME + ":");
        assertThat(api.node(a).orElseThrow().at("/data/job_id").asText()).isEqualTo(marker);
        assertThat(cursors.read(RUNTIME).from().map(EventTime::text)).contains("2026-05-20T10:00:00.001000");
        assertThat(report.queued()).hasSize(2);
    }

    @Test
    @DisplayName("duplicate events of one job, in one poll or across polls, queue it once")
    void givenDuplicateEvents_whenPolled_thenOneMessage() {
        String a = job("2026-05-20T10:00:00.001000");
        api.publish(a, "updated", "2026-05-20T10:00:00.004000");
        poll(10);
        api.publish(a, "updated", "2026-05-20T10:00:00.009000");
        poll(10);

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactly(a);
    }

    @Test
    @DisplayName("several events in the boundary millisecond, split across pages, are all taken once")
    void givenBoundaryMillisecondAcrossPages_whenPolled_thenAllOnce() {
        job("2026-05-20T10:00:00.001000");
        job("2026-05-20T10:00:00.002000");
        job("2026-05-20T10:00:00.002000");
        job("2026-05-20T10:00:00.002000");
        job("2026-05-20T10:00:00.003000");

        poll(2);

        List<JobTicket> sent = aws.receiveAll();
        assertThat(sent).hasSize(5).extracting(JobTicket::nodeId).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("crash after the claim, before the send: the re-run queues each job exactly once")
    void givenCrashAfterClaim_whenRerun_thenOneMessagePerJob() {
        String a = job("2026-05-20T10:00:00.001000");
        String b = job("2026-05-20T10:00:00.002000");
        KernelCiJobs crashAfterClaim = afterEachClaim(nodeId -> {
            throw new Crash("after claiming " + nodeId);
        });

        assertThatThrownBy(() -> poll(crashAfterClaim, cursors, ledger, queue, 10)).isInstanceOf(Crash.class);
        poll(10);

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactlyInAnyOrder(a, b);
        assertThat(ledger.find(a).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(api.requests()).as("the re-run recognises its own marker: each job written to once")
                .filteredOn(r -> r.method().equals("PATCH")).extracting(r -> r.path().replaceAll(".*/", ""))
                .containsExactlyInAnyOrder(a, b);
    }

    @Test
    @DisplayName("crash after the send, before recording it queued: SQS drops the re-sent copy")
    void givenCrashAfterSend_whenRerun_thenOneMessagePerJob() {
        String a = job("2026-05-20T10:00:00.001000");
        JobLedger crashBeforeQueued = new JobLedger() {
            @Override
            public JobRecord recordIfAbsent(JobRecord record) {
                return ledger.recordIfAbsent(record);
            }

            @Override
            public boolean transition(String nodeId, JobState from, JobState to, String reason) {
                if (to == JobState.QUEUED) {
                    throw new Crash("after sending " + nodeId);
                }
                return ledger.transition(nodeId, from, to, reason);
            }
        };

        assertThatThrownBy(() -> poll(kernelci, cursors, crashBeforeQueued, queue, 10)).isInstanceOf(Crash.class);
        poll(10);

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactly(a);
        assertThat(ledger.find(a).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    @DisplayName("a cursor poisoned in the table by an event from the future is rewound and the hidden job queued")
    void givenPoisonedCursorInTable_whenPolled_thenRewoundAndJobQueued() {
        String hidden = job("2026-05-20T10:00:00.001000");
        assertThat(cursors.save(RUNTIME, new Cursor(EventTime.parse("9999-12-31T23:59:59.999000"), Set.of())))
                .isTrue();

        PollReport report = poll(10);

        assertThat(report.queued()).extracting(JobTicket::nodeId).containsExactly(hidden);
        assertThat(cursors.read(RUNTIME).position()).as("the cursor is back in real time").isLessThanOrEqualTo(
                ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()));
        assertThat(poll(10).queued()).as("a second poll").isEmpty();
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactly(hidden);
    }

    @Test
    @DisplayName("crash after the send, before the cursor update: the re-run sends nothing again")
    void givenCrashBeforeCursor_whenRerun_thenOneMessagePerJob() {
        String a = job("2026-05-20T10:00:00.001000");
        String b = job("2026-05-20T10:00:00.002000");
        CursorStore crashOnSave = new CursorStore() {
            @Override
            public Cursor read(String runtime) {
                return cursors.read(runtime);
            }

            @Override
            public boolean save(String runtime, Cursor cursor) {
                throw new Crash("before saving the cursor");
            }

            @Override
            public boolean rewind(String runtime, Cursor stored, Cursor to) {
                throw new Crash("before rewinding the cursor");
            }
        };

        assertThatThrownBy(() -> poll(kernelci, crashOnSave, ledger, queue, 10)).isInstanceOf(Crash.class);
        PollReport rerun = poll(10);

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactlyInAnyOrder(a, b);
        assertThat(rerun.duplicates()).isEqualTo(2);
        assertThat(rerun.queued()).isEmpty();
    }

    @Test
    @DisplayName("500s and timeouts from KernelCI are retried and the poll succeeds")
    void givenTransientFailures_whenPolled_thenRetriedAndDone() {
        String a = job("2026-05-20T10:00:00.001000");
        api.failNext(2, 500);
        api.delayNext(1, Duration.ofSeconds(2));

        poll(10);

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactly(a);
    }

    @Test
    @DisplayName("401: a clear error after one attempt, the token not in it, the cursor not moved")
    void givenRejectedToken_whenPolled_thenClearErrorNoRetryCursorKept() {
        job("2026-05-20T10:00:00.001000");
        KernelCiClient wrong = new KernelCiClient(api.baseUri(), Optional.of("rejected-token-123"),
                new RetryingHttp("KernelCI API", FAST));

        assertThatThrownBy(() -> poll(wrong, cursors, ledger, queue, 10))
                .isInstanceOf(HttpCallException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining("rejected-token-123");
        assertThat(api.requests()).filteredOn(r -> r.method().equals("PATCH")).hasSize(1);
        assertThat(cursors.read(RUNTIME)).isEqualTo(Cursor.initial());
        assertThat(aws.receiveAll()).isEmpty();
    }

    @Test
    @DisplayName("a malformed event is skipped and never blocks the cursor")
    void givenMalformedEvent_whenPolled_thenSkippedAndCursorPasses() {
        com.fasterxml.jackson.databind.node.ObjectNode broken = new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode().put("id", "6825f9c1c2d3e4f5a6b7ffff").put("timestamp", "2026-05-20T10:00:00.001000");
        broken.putObject("data").put("kind", "job").put("state", "available"); // no node id
        api.publishRaw(broken);
        String a = job("2026-05-20T10:00:00.002000");
        job("2026-05-20T10:00:00.003000");

        PollReport report = poll(10);

        assertThat(report.malformed()).isEqualTo(1);
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).contains(a);
        assertThat(cursors.read(RUNTIME).position()).isGreaterThan(0);
    }

    @Test
    @DisplayName("jobs of other runtimes and other platforms are left alone")
    void givenOtherRuntimesAndPlatforms_whenPolled_thenIgnoredAndUnclaimed() {
        String other = job("2026-05-20T10:00:00.001000", "pull-labs-demo", "qemu-x86_64");
        String rpi = job("2026-05-20T10:00:00.002000", RUNTIME, "bcm2711-rpi-4-b");
        String ours = job("2026-05-20T10:00:00.003000");

        new PollCycle(new PollCycle.Settings(RUNTIME, Set.of("qemu-x86_64"), 10, false), kernelci, cursors, ledger,
                queue, () -> UUID.randomUUID().toString()).run();

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactly(ours);
        assertThat(api.node(other).orElseThrow().at("/data/job_id").isMissingNode()).isTrue();
        assertThat(api.node(rpi).orElseThrow().at("/data/job_id").isMissingNode()).isTrue();
    }

    @Test
    @DisplayName("the cursor in DynamoDB never moves backwards")
    void givenFurtherCursorStored_whenOlderSaved_thenRefused() {
        Cursor later = new Cursor(EventTime.parse("2026-05-20T10:00:05"), Set.of("e2"));
        Cursor earlier = new Cursor(EventTime.parse("2026-05-20T10:00:01"), Set.of("e1"));
        DynamoDbCursorStore store = aws.cursors();

        assertThat(store.save(RUNTIME, later)).isTrue();
        assertThat(store.save(RUNTIME, earlier)).isFalse();
        assertThat(store.read(RUNTIME)).isEqualTo(later);
    }

    @Test
    @DisplayName("the queue message body is the ticket as snake_case JSON")
    void givenQueuedJob_whenReceived_thenTicketJson() {
        String a = job("2026-05-20T10:00:00.001000");
        poll(10);

        Map<String, JobTicket> byNode = aws.receiveAll().stream()
                .collect(Collectors.toMap(JobTicket::nodeId, t -> t));

        JobTicket ticket = byNode.get(a);
        assertThat(ticket.runtime()).isEqualTo(RUNTIME);
        assertThat(ticket.platform()).isEqualTo("qemu-x86_64");
        assertThat(ticket.jobDefinition()).endsWith(a + ".json");
        assertThat(ticket.parent()).isEqualTo("6825f3a1b4e0b1c9d2a7e001");
    }

    /** The KernelCI double as it is, with {@code then} run after each claim it made (to crash the poll there). */
    private KernelCiJobs afterEachClaim(Consumer<String> then) {
        return new KernelCiJobs() {
            @Override
            public EventPage availableJobEvents(Optional<EventTime> from, int limit) {
                return kernelci.availableJobEvents(from, limit);
            }

            @Override
            public ClaimOutcome claim(String nodeId, String marker) {
                ClaimOutcome outcome = kernelci.claim(nodeId, marker);
                then.accept(nodeId);
                return outcome;
            }
        };
    }
}
