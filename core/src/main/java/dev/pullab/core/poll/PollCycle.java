package dev.pullab.core.poll;

import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.kernelci.ClaimOutcome;
import dev.pullab.core.kernelci.Event;
import dev.pullab.core.kernelci.EventPage;
import dev.pullab.core.kernelci.EventTime;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.kernelci.KernelCiJobs;
import dev.pullab.core.kernelci.Node;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of the KernelCI {@code /events} feed: find the available jobs of this lab, record, claim and queue each
 * exactly once, and advance the cursor.
 *
 * <p><b>Why a crash anywhere loses nothing and runs nothing twice.</b> Each job of a page goes through these steps
 * in this order, and every step is either idempotent or guarded by the state in the jobs table (the ledger), so a
 * re-run of the same page after a crash, or a duplicate event, continues where the first attempt stopped:
 * <ol>
 *   <li><b>Record</b> — a conditional put keyed by node id ({@code attribute_not_exists}). A duplicate event or a
 *       re-run gets the record already there (returned with the refusal: one call), with its original claim marker;
 *       nothing else is written.</li>
 *   <li><b>Claim</b> (record in RECORDED) — write our marker to {@code data.job_id}. The claim is idempotent by the
 *       marker, which is why nothing is written to the ledger for it: a re-run finds the record still RECORDED, its
 *       claim reads the node, sees its own marker and answers CLAIMED without writing again (one GET).</li>
 *   <li><b>Queue</b> — send the ticket, then mark the record QUEUED (from RECORDED, or CLAIMED for a record an
 *       earlier version left so). The mark is written in groups of {@value #MARK_GROUP} ({@link JobLedger#markQueued};
 *       DynamoDB's {@code BatchWriteItem} takes no condition, so it is a plain write of the whole record: once the
 *       ticket is on the queue, QUEUED is true whatever another run of this poller wrote meanwhile, and only pollers
 *       of this lab write these records). A crash between the two makes the re-run claim again (it sees its own marker) and send again:
 *       the FIFO queue drops the copy by its deduplication id (the node id), and the orchestrator's launch is
 *       idempotent on the node id as well. If the node left {@code available} meanwhile (the orchestrator already
 *       ran it), the re-run records the job SKIPPED ("not available") and sends nothing: it ran once. A QUEUED
 *       record is never sent again.</li>
 *   <li><b>Cursor</b> — saved only after every job of the page is QUEUED or SKIPPED, with a conditional update that
 *       never moves it backwards. A crash before it re-reads the page; steps 1–3 make that harmless.</li>
 * </ol>
 * Until issue 23 the poller also wrote RECORDED → CLAIMED after the claim. That write only saved a re-run one GET
 * after a crash between claim and send, and cost every job a DynamoDB call; records in CLAIMED are still honoured
 * (sent, then CLAIMED → QUEUED).
 * <b>Parallel work within a page</b> ({@link Settings#parallelism()} workers, 8 by default) keeps this argument
 * whole, because the order above is per job and the page is still the unit of the cursor. The page is handled in
 * three phases, each finished (every task done or failed) before the next starts: (a) record and claim, each job
 * on its own, steps 1–2 in order; (b) send the claimed jobs, in groups of {@value #SEND_GROUP} (one SQS
 * {@code SendMessageBatch} each); (c) mark them QUEUED, {@value #MARK_GROUP} per ledger call. Only when all three are done does the cursor move
 * past the page. So for every job, <i>recorded before claimed, claimed before sent, sent before QUEUED, QUEUED or
 * SKIPPED before the cursor passes its event</i> holds as in a sequential run; jobs only differ in how far they got
 * when a crash comes, which the ledger already tolerates one job at a time. When
 * any task fails, no new task of that phase starts, the running ones finish, the failure is thrown and the later
 * phases and the cursor save do not happen: the next cycle re-reads the page (nothing is left half-written that
 * a re-run does not finish). Workers share only the thread-safe clients (ledger, queue, KernelCI); the cycle's
 * counters are merged by the calling thread, in page order.
 *
 * <p>A failure that may pass (KernelCI 5xx or timeouts after retries, AWS errors, a rejected token) aborts the cycle
 * before the cursor passes the event: the next scheduled cycle retries it. A claim the API cannot take as sent
 * (400 or 422: the request is malformed, a defect of this lab, as when an HTTP/2 upgrade lost every body) is logged
 * as an error with the API's answer and reported as <i>refused</i>: the job stays RECORDED and unclaimed in KernelCI,
 * the cycle goes on with the other jobs, and the saved cursor stays before that page, so every following cycle
 * claims it again (the re-read jobs are duplicates by the ledger) until a fixed lab succeeds or KernelCI times the
 * node out. Any other 4xx for one job's claim (the API answering that this job cannot be claimed) marks that job
 * SKIPPED with the reason, so it never blocks the feed; a malformed event is logged and skipped.
 *
 * <p>A dry run reads the cursor and the feed and reports what it would take; it writes nothing and claims nothing.
 */
public final class PollCycle {

    private static final Logger LOG = LoggerFactory.getLogger(PollCycle.class);

    /**
     * @param runtime   the runtime name jobs are scheduled to (e.g. {@code pull-labs-aws-ec2})
     * @param platforms allow-list of {@code data.platform} values; empty accepts every platform
     * @param pageSize  {@code /events} limit per page (1..1000); doubled automatically when a full page holds no
     *                  new event (many events in one millisecond)
     * @param dryRun    read only
     * @param parallelism jobs of one page worked on at once (1..{@value #MAX_PARALLELISM}; 1 is one after another)
     */
    public record Settings(String runtime, Set<String> platforms, int pageSize, boolean dryRun, int parallelism) {

        /** 8: a 1000-job page in a few seconds, without a burst of more than 8 requests at the KernelCI API. */
        public static final int DEFAULT_PARALLELISM = PollerSettings.DEFAULT_PARALLELISM;
        public static final int MAX_PARALLELISM = PollerSettings.MAX_PARALLELISM;

        public Settings {
            Objects.requireNonNull(runtime, "runtime");
            platforms = Set.copyOf(platforms);
            if (pageSize < 1 || pageSize > KernelCiClient.MAX_RECURSIVE_LIMIT) {
                throw new IllegalArgumentException("page size must be 1.." + KernelCiClient.MAX_RECURSIVE_LIMIT);
            }
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new IllegalArgumentException("parallelism must be 1.." + MAX_PARALLELISM + ", got "
                        + parallelism);
            }
        }

        /** With {@link #DEFAULT_PARALLELISM}. */
        public Settings(String runtime, Set<String> platforms, int pageSize, boolean dryRun) {
            this(runtime, platforms, pageSize, dryRun, DEFAULT_PARALLELISM);
        }
    }

    /** Tickets per {@link JobQueue#send} call: SQS {@code SendMessageBatch} takes at most 10 messages. */
    static final int SEND_GROUP = 10;
    /** Records per {@link JobLedger#markQueued} call: DynamoDB's {@code BatchWriteItem} takes at most 25 writes. */
    static final int MARK_GROUP = 25;

    private final Settings settings;
    private final KernelCiJobs kernelci;
    private final CursorStore cursors;
    private final JobLedger ledger;
    private final JobQueue queue;
    private final Supplier<String> claimIds;
    private final Clock clock;

    /**
     * How far past this machine's clock an event may be dated and still move the cursor: the API stamps events with
     * its own clock, which may run a little ahead. Anything later is an event from the future (a broken or hostile
     * clock): its job is still taken, but its time never moves the cursor, or every later job would be hidden
     * behind it for good.
     */
    public static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(5);

    /**
     * Built once and run many times (once per Lambda invocation, once per {@code pullab poll} interval).
     *
     * @param claimIds unique ids for new claim markers ({@code <runtime>:<id>})
     */
    public PollCycle(Settings settings, KernelCiJobs kernelci, CursorStore cursors, JobLedger ledger, JobQueue queue,
            Supplier<String> claimIds) {
        this(settings, kernelci, cursors, ledger, queue, claimIds, Clock.systemUTC());
    }

    /** As above, with the clock that tells events from the future. */
    public PollCycle(Settings settings, KernelCiJobs kernelci, CursorStore cursors, JobLedger ledger, JobQueue queue,
            Supplier<String> claimIds, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.kernelci = Objects.requireNonNull(kernelci, "kernelci");
        this.cursors = Objects.requireNonNull(cursors, "cursors");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.claimIds = Objects.requireNonNull(claimIds, "claimIds");
    }

    /** Runs until caught up. */
    public PollReport run() {
        return run(() -> true);
    }

    /**
     * Runs until caught up or out of time.
     *
     * @param timeLeft asked before each page: false stops the cycle (the cursor stays consistent)
     */
    public PollReport run(BooleanSupplier timeLeft) {
        Objects.requireNonNull(timeLeft, "timeLeft");
        long latestValid = latestValidMicros();
        Progress progress = new Progress(startingCursor(latestValid));
        Cursor cursor = progress.before;
        Optional<Cursor> held = Optional.empty();
        int limit = settings.pageSize();
        try (Workers workers = new Workers(settings.parallelism())) {
            while (timeLeft.getAsBoolean()) {
                EventPage page = kernelci.availableJobEvents(cursor.from(), limit);
                progress.pages++;
                progress.events += page.entries().size();
                int refusedBefore = progress.refused.size();
                handle(page, cursor, progress, latestValid, workers);
                if (held.isEmpty() && progress.refused.size() > refusedBefore) {
                    held = Optional.of(cursor);
                }
                Cursor next = next(cursor, page, latestValid);
                if (!settings.dryRun() && held.isEmpty() && !next.equals(cursor)
                        && !cursors.save(settings.runtime(), next)) {
                    LOG.info("cursor of {} was already further than {}; another poll is ahead", settings.runtime(),
                            next);
                }
                boolean moved = !next.equals(cursor);
                cursor = next;
                if (!page.full()) {
                    progress.caughtUp = true;
                    break;
                }
                if (!moved) {
                    if (limit == KernelCiClient.MAX_RECURSIVE_LIMIT) {
                        LOG.error("more than {} events share timestamp {}: cannot page past it", limit,
                                cursor.from().map(EventTime::text).orElse("(start)"));
                        break;
                    }
                    limit = Math.min(KernelCiClient.MAX_RECURSIVE_LIMIT, limit * 2);
                }
            }
        }
        PollReport report = progress.report(held.orElse(cursor));
        LOG.info("{}", report.summary());
        return report;
    }

    /**
     * The cursor after a fully handled page: {@code from} = the page's second-latest distinct timestamp and
     * {@code seen} = the events at its latest timestamp, so that millisecond is read again and de-duplicated. A page
     * within one millisecond keeps {@code from} and adds its events to {@code seen}. Events dated after
     * {@code latestValidMicros} (from the future) do not count: they are read again until real time reaches them.
     */
    static Cursor next(Cursor cursor, EventPage page, long latestValidMicros) {
        List<EventPage.Entry> timed = page.entries().stream().filter(e -> e.timestamp().isPresent())
                .filter(e -> e.timestamp().get().micros() <= latestValidMicros).toList();
        if (timed.isEmpty()) {
            return cursor;
        }
        EventTime latest = timed.stream().map(e -> e.timestamp().get()).max(EventTime::compareTo).get();
        Optional<EventTime> previous = timed.stream().map(e -> e.timestamp().get())
                .filter(t -> t.micros() < latest.micros()).max(EventTime::compareTo)
                .filter(t -> t.micros() > cursor.position());
        if (previous.isPresent()) {
            Set<String> atLatest = timed.stream().filter(e -> e.timestamp().get().micros() == latest.micros())
                    .map(EventPage.Entry::key).collect(Collectors.toSet());
            return new Cursor(previous, atLatest);
        }
        Set<String> seen = new HashSet<>(cursor.seen());
        timed.forEach(e -> seen.add(e.key()));
        return new Cursor(cursor.from(), seen);
    }

    /** The latest event time that may move the cursor: now plus {@link #CLOCK_SKEW_ALLOWANCE}, in micros. */
    private long latestValidMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant().plus(CLOCK_SKEW_ALLOWANCE));
    }

    /**
     * The stored cursor, unless an earlier version let an event from the future move it there: then every later
     * job would stay hidden, so it is rewound to the start (the jobs table de-duplicates what is read again).
     */
    private Cursor startingCursor(long latestValid) {
        Cursor stored = cursors.read(settings.runtime());
        if (stored.position() <= latestValid) {
            return stored;
        }
        LOG.error("the cursor of {} is in the future ({}, now {}): an event with a bad timestamp moved it there and"
                + " hid every later job; reading the feed again from the start", settings.runtime(),
                stored.from().map(EventTime::text).orElse("?"), clock.instant());
        if (!settings.dryRun() && !cursors.rewind(settings.runtime(), stored, Cursor.initial())) {
            LOG.info("cursor of {} was moved by another poll meanwhile", settings.runtime());
        }
        return Cursor.initial();
    }

    private void handle(EventPage page, Cursor cursor, Progress progress, long latestValid, Workers workers) {
        List<JobTicket> tickets = new ArrayList<>();
        for (EventPage.Entry entry : page.entries()) {
            if (cursor.seen().contains(entry.key())) {
                continue;
            }
            if (entry.timestamp().map(t -> t.micros() > latestValid).orElse(false)
                    && progress.future.add(entry.key())) {
                LOG.warn("event {} is dated {}, beyond now ({}) plus {}: taken, but it does not move the cursor",
                        entry.key(), entry.timestamp().get().text(), clock.instant(), CLOCK_SKEW_ALLOWANCE);
            }
            if (entry.problem().isPresent()) {
                progress.malformed++;
                LOG.warn("skipping malformed event {}: {}", entry.key(), entry.problem().get());
                continue;
            }
            candidate(entry.event().orElseThrow(), progress).ifPresent(ticket -> {
                if (progress.found.putIfAbsent(ticket.nodeId(), ticket) == null && !settings.dryRun()) {
                    tickets.add(ticket);
                }
            });
        }
        if (tickets.isEmpty()) {
            return;
        }
        // (a) record and claim, each job on its own
        List<Taken> taken = workers.map(tickets, this::recordAndClaim);
        List<JobRecord> toSend = new ArrayList<>();
        for (Taken t : taken) {
            switch (t.step()) {
                case SEND -> toSend.add(t.record());
                case DUPLICATE -> progress.duplicates++;
                case SKIPPED -> progress.skipped.put(t.record().nodeId(), t.detail());
                case REFUSED -> progress.refused.put(t.record().nodeId(), t.detail());
                default -> throw new AssertionError(t.step());
            }
        }
        if (toSend.isEmpty()) {
            return;
        }
        // (b) send, in groups of one SendMessageBatch each; (c) only then mark them QUEUED
        List<List<JobRecord>> groups = new ArrayList<>();
        for (int start = 0; start < toSend.size(); start += SEND_GROUP) {
            groups.add(toSend.subList(start, Math.min(toSend.size(), start + SEND_GROUP)));
        }
        workers.map(groups, group -> {
            queue.send(group.stream().map(JobRecord::ticket).toList());
            return group.size();
        });
        List<List<JobRecord>> marks = new ArrayList<>();
        for (int start = 0; start < toSend.size(); start += MARK_GROUP) {
            marks.add(toSend.subList(start, Math.min(toSend.size(), start + MARK_GROUP)));
        }
        List<Boolean> moved = workers.map(marks, ledger::markQueued).stream().flatMap(List::stream).toList();
        for (int i = 0; i < toSend.size(); i++) {
            if (moved.get(i)) {
                progress.queued.add(toSend.get(i).ticket());
            }
        }
    }

    /** The job this event announces, if it is one this lab should take. */
    private Optional<JobTicket> candidate(Event event, Progress progress) {
        if (!"job".equals(event.kind())) {
            return progress.ignore("not a job");
        }
        if (event.node().isEmpty()) {
            return progress.ignore("node gone");
        }
        Node node = event.node().get();
        String runtime = node.runtime().or(event::runtime).orElse("");
        if (!settings.runtime().equals(runtime)) {
            return progress.ignore("other runtime");
        }
        String platform = node.platform().or(event::platform).orElse("");
        if (!settings.platforms().isEmpty() && !settings.platforms().contains(platform)) {
            return progress.ignore("other platform");
        }
        if (!"available".equals(node.state())) {
            return progress.ignore("no longer available");
        }
        if (node.jobId().isPresent() && (settings.dryRun() || !node.jobId().get().startsWith(runtime + ":"))) {
            return progress.ignore("claimed by another lab");
        }
        return Optional.of(new JobTicket(node.id(), node.name(), runtime, platform, node.arch().orElse(""),
                node.artifact("job_definition").orElse(null), node.parent().orElse(null),
                runtime + ":" + claimIds.get(), event.id(), event.timestamp()));
    }

    /** Steps 1 and 2 for one job, on a worker: what became of it. */
    private Taken recordAndClaim(JobTicket ticket) {
        JobRecord record = ledger.recordIfAbsent(JobRecord.recorded(ticket));
        return switch (record.state()) {
            case RECORDED -> claim(record);
            case CLAIMED -> new Taken(record, Step.SEND, "");
            case QUEUED, SKIPPED -> new Taken(record, Step.DUPLICATE, "");
        };
    }

    private Taken claim(JobRecord record) {
        ClaimOutcome outcome;
        try {
            outcome = kernelci.claim(record.nodeId(), record.ticket().claimMarker());
        } catch (HttpCallException e) {
            if (e.isRequestRejected()) {
                LOG.error("claim of job {} ({}) rejected as malformed by the KernelCI API, a defect of this lab: {}."
                        + " The job stays unclaimed and is claimed again on the next poll", record.nodeId(),
                        record.ticket().name(), e.getMessage());
                return new Taken(record, Step.REFUSED, e.getMessage());
            }
            if (!refusedForGood(e)) {
                throw e;
            }
            return skip(record, "claim refused by the KernelCI API: " + e.getMessage());
        }
        if (outcome != ClaimOutcome.CLAIMED) {
            return skip(record, outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        // nothing written: a re-run's claim recognises its own marker (see the class comment, step 2)
        return new Taken(record, Step.SEND, "");
    }

    /** A 4xx other than auth, timeout or throttling: the API will refuse this job's claim every time. */
    private static boolean refusedForGood(HttpCallException e) {
        if (e.failure() == HttpCallException.Failure.TOO_LARGE) {
            // the node is larger than any job node should be: it would be as large on every poll
            return true;
        }
        int status = e.status().orElse(0);
        return status >= 400 && status < 500 && !e.isAuthFailure() && status != 408 && status != 429;
    }

    private Taken skip(JobRecord record, String reason) {
        LOG.info("not taking job {} ({}): {}", record.nodeId(), record.ticket().name(), reason);
        ledger.transition(record.nodeId(), JobState.RECORDED, JobState.SKIPPED, reason);
        return new Taken(record, Step.SKIPPED, reason);
    }

    /** What became of one job in phase (a). */
    private enum Step { SEND, DUPLICATE, SKIPPED, REFUSED }

    /** @param detail the reason (SKIPPED) or the API's answer (REFUSED); empty otherwise */
    private record Taken(JobRecord record, Step step, String detail) {
    }

    /**
     * Up to {@code parallelism} tasks at once on daemon threads, started on first use and stopped with the cycle;
     * with 1, every task runs on the calling thread, one after another.
     */
    private static final class Workers implements AutoCloseable {
        private final int parallelism;
        private ExecutorService pool;

        Workers(int parallelism) {
            this.parallelism = parallelism;
        }

        /**
         * {@code work} applied to every item, the answers in the items' order. When a task fails, no task not yet
         * started is started, the running ones are waited for, and the first failure is thrown.
         */
        <T, R> List<R> map(List<T> items, Function<T, R> work) {
            List<R> answers = new ArrayList<>(items.size());
            if (parallelism == 1 || items.size() == 1) {
                for (T item : items) {
                    answers.add(work.apply(item));
                }
                return answers;
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(pool().submit(() -> {
                    if (failure.get() != null) {
                        return null;
                    }
                    try {
                        return work.apply(item);
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                        throw e;
                    }
                }));
            }
            for (Future<R> future : futures) {
                try {
                    answers.add(future.get());
                } catch (ExecutionException e) {
                    answers.add(null); // the cause is in failure, thrown below
                } catch (InterruptedException e) {
                    futures.forEach(f -> f.cancel(true));
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("poll interrupted while working on a page", e);
                }
            }
            Throwable first = failure.get();
            if (first instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (first instanceof Error error) {
                throw error;
            }
            return answers;
        }

        private ExecutorService pool() {
            if (pool == null) {
                AtomicInteger count = new AtomicInteger();
                pool = Executors.newFixedThreadPool(parallelism, task -> {
                    Thread thread = new Thread(task, "poll-worker-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
            }
            return pool;
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** Counters of one cycle (local to {@link #run()}). */
    private static final class Progress {
        final Cursor before;
        final Map<String, JobTicket> found = new LinkedHashMap<>();
        final List<JobTicket> queued = new ArrayList<>();
        final Map<String, String> skipped = new LinkedHashMap<>();
        final Map<String, String> refused = new LinkedHashMap<>();
        final Set<String> future = new HashSet<>();
        final Map<String, Integer> ignored = new TreeMap<>();
        int pages;
        int events;
        int malformed;
        int duplicates;
        boolean caughtUp;

        Progress(Cursor before) {
            this.before = before;
        }

        Optional<JobTicket> ignore(String reason) {
            ignored.merge(reason, 1, Integer::sum);
            return Optional.empty();
        }

        PollReport report(Cursor after) {
            return new PollReport(before, after, pages, events, malformed, List.copyOf(found.values()), queued,
                    duplicates, skipped, refused, future.size(), ignored, caughtUp);
        }
    }
}
