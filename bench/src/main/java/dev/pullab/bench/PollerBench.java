package dev.pullab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.aws.DynamoDbCursorStore;
import dev.pullab.aws.DynamoDbJobLedger;
import dev.pullab.aws.PollerTables;
import dev.pullab.aws.SqsJobQueue;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import dev.pullab.core.kernelci.ClaimOutcome;
import dev.pullab.core.kernelci.EventPage;
import dev.pullab.core.kernelci.EventTime;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.kernelci.KernelCiJobs;
import dev.pullab.core.poll.JobLedger;
import dev.pullab.core.poll.JobRecord;
import dev.pullab.core.poll.JobState;
import dev.pullab.core.poll.PollCycle;
import dev.pullab.core.poll.PollReport;
import dev.pullab.poller.PollHandler;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Poller throughput: a page of available jobs on the KernelCI API double (real HTTP on loopback) recorded in
 * DynamoDB, claimed, queued on the SQS FIFO jobs queue and marked queued by the real poll cycle, DynamoDB and SQS on
 * moto_server. Each cycle first publishes {@code --events} new jobs (not timed), then times one poll, then checks
 * (not timed) that every job was found, claimed on the API and queued exactly once.
 *
 * <p>Two pollers, side by side in one run, each with its own API double, tables and queue:
 * <ul>
 *   <li><b>now</b> — the Lambda entry point {@link PollHandler} as deployed ({@code PollerAssembly.live}),
 *       {@code PULLAB_POLL_PARALLELISM} workers per page;</li>
 *   <li><b>baseline</b> — the poller as it was before issue 23 (main 9902793), rebuilt from today's parts: one job
 *       after another ({@code parallelism 1}), every claim read back with a third request as the old
 *       {@code KernelCiClient.claim} did, and RECORDED → CLAIMED written after it. Its calls per job, in their old
 *       order, are the old ones (3 DynamoDB, 3 KernelCI, 0.1 SQS); a duplicate's record (not met here: every job is
 *       new) would cost it one call less than before.</li>
 * </ul>
 * Calls are counted where they are made: the API double logs every HTTP request, and an SDK interceptor on the
 * poller's own DynamoDB and SQS clients counts every call by operation and times it. The emulator's FIFO send cost
 * is reported on its own: the wall time during which at least one SQS call was in flight (all SQS calls of a cycle
 * are its {@code SendMessageBatch} sends, made in a phase of their own), and the cycle without it.
 */
@Command(name = "bench/run poller", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time per warm poll cycle: N new available jobs claimed and handed off to the SQS FIFO jobs "
                + "queue by the real poll cycle (API double over HTTP, DynamoDB and SQS on moto_server), today's "
                + "poller and the baseline (before issue 23) side by side.",
        footer = {"", "Example:", "  bench/run poller --warmup 1 --cycles 3",
                "  bench/run poller --mode now --events 200 --parallelism 16"})
public final class PollerBench implements Callable<Integer> {

    static final String RUNTIME = "pull-labs-aws-ec2";
    private static final String TOKEN = "bench-token";

    /** Which poller a run measures. */
    public enum Mode {
        /** {@link PollHandler}, workers per page. */
        NOW,
        /** One job after another, every claim read back: the poller before issue 23. */
        BASELINE
    }

    @Option(names = "--events", description = "New available jobs published before each cycle (default: ${DEFAULT-VALUE}).")
    int events = 1000;

    @Option(names = "--page-size", description = "PULLAB_POLL_PAGE_SIZE, 1..1000 (default: ${DEFAULT-VALUE}).")
    int pageSize = 1000;

    @Option(names = "--parallelism", description = "PULLAB_POLL_PARALLELISM of the 'now' poller, 1..32 (default: "
            + "${DEFAULT-VALUE}).")
    int parallelism = PollerSettings.DEFAULT_PARALLELISM;

    @Option(names = "--mode", description = "now, baseline or both (default: ${DEFAULT-VALUE}).")
    String mode = "both";

    @Option(names = "--warmup", description = "Warm-up cycles per poller, the first one reported as cold (default: "
            + "${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(names = "--cycles", description = "Measured cycles per poller (default: ${DEFAULT-VALUE}).")
    int cycles = 10;

    /**
     * @param events      new jobs per cycle
     * @param pageSize    the poller's page size
     * @param warmup      cycles run first and not measured (at least 1: the first is the cold one)
     * @param cycles      measured cycles
     * @param parallelism workers of the 'now' poller
     * @param modes       the pollers measured, in this order
     */
    public record Params(int events, int pageSize, int warmup, int cycles, int parallelism, List<Mode> modes) {
        public Params {
            if (events < 1 || pageSize < 1 || pageSize > 1000 || warmup < 1 || cycles < 1) {
                throw new IllegalArgumentException("need events >= 1, page size 1..1000, warmup >= 1, cycles >= 1");
            }
            if (parallelism < 1 || parallelism > PollerSettings.MAX_PARALLELISM) {
                throw new IllegalArgumentException("need parallelism 1.." + PollerSettings.MAX_PARALLELISM);
            }
            if (modes.isEmpty()) {
                throw new IllegalArgumentException("need a mode: now, baseline or both");
            }
            modes = List.copyOf(modes);
        }

        static List<Mode> modes(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "both" -> List.of(Mode.BASELINE, Mode.NOW);
                case "now" -> List.of(Mode.NOW);
                case "baseline" -> List.of(Mode.BASELINE);
                default -> throw new IllegalArgumentException("--mode must be now, baseline or both, got '" + text
                        + "'");
            };
        }
    }

    /**
     * Calls one client made during a cycle.
     *
     * @param calls       SDK calls (an SDK retry stays within its call)
     * @param byOperation calls by operation name, e.g. {@code PutItem}
     * @param millis      their summed time (SDK call, marshalling included)
     * @param busyMillis  the wall time during which at least one of them was in flight
     */
    public record Calls(long calls, Map<String, Long> byOperation, double millis, double busyMillis) {
    }

    /**
     * One poll.
     *
     * @param mode             which poller
     * @param warm             false for the warm-up cycles
     * @param millis           wall time of the poll
     * @param found            jobs the cycle reported found
     * @param queued           jobs the cycle reported queued
     * @param claimed          published jobs carrying this lab's claim marker on the API afterwards
     * @param received         messages found on the SQS queue afterwards, all for published jobs, each once
     * @param duplicates       jobs reported as already handled
     * @param kernelciRequests HTTP requests the API double received during the cycle
     * @param kernelciByKind   them by kind, e.g. {@code PATCH /node}
     * @param dynamo           the poller's DynamoDB calls
     * @param sqs              the poller's SQS calls (the FIFO sends)
     */
    public record Cycle(Mode mode, boolean warm, double millis, int found, int queued, int claimed, int received,
            int duplicates, int kernelciRequests, Map<String, Integer> kernelciByKind, Calls dynamo, Calls sqs) {

        /** The cycle without the emulator's FIFO sends: wall time minus the time an SQS send was in flight. */
        public double millisWithoutSends() {
            return millis - sqs.busyMillis();
        }

        public long dynamoCalls() {
            return dynamo.calls();
        }

        public long sqsCalls() {
            return sqs.calls();
        }
    }

    /**
     * One poller's figures.
     *
     * @param mode          which poller
     * @param cold          the first cycle of this poller (the JVM's first for the first poller)
     * @param measured      the measured cycles
     * @param millis        their wall times
     * @param withoutSends  their wall times without the FIFO sends
     * @param sends         the FIFO sends' wall times
     * @param jobsPerSecond events / median time
     * @param loadAverage   the system load average after this poller's cycles
     */
    public record ModeResult(Mode mode, Cycle cold, List<Cycle> measured, BenchStats.Summary millis,
            BenchStats.Summary withoutSends, BenchStats.Summary sends, double jobsPerSecond, double loadAverage) {
    }

    /**
     * @param params what was run
     * @param modes  each poller's figures, in the order run
     */
    public record Result(Params params, List<ModeResult> modes) {

        public ModeResult of(Mode mode) {
            return modes.stream().filter(m -> m.mode() == mode).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("mode " + mode + " was not run"));
        }
    }

    /**
     * The JDK HttpServer's switch for TCP_NODELAY, off by default: without it every answer of the API double waits
     * for the client's delayed ACK (its headers and body are separate writes), about 40 ms per request on Linux,
     * which would swamp the poller's own time. kernelci-api (uvicorn) sets TCP_NODELAY. Read once per JVM, when
     * the first HttpServer starts.
     */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    public static void main(String[] args) {
        requestNoDelay();
        System.exit(new CommandLine(new PollerBench()).execute(args));
    }

    private static void requestNoDelay() {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    @Override
    public Integer call() {
        return BenchStats.execute("poller bench", () -> new Params(events, pageSize, warmup, cycles, parallelism,
                Params.modes(mode)), params -> run(params, System.out));
    }

    /**
     * Runs the benchmark and prints its parameters, the machine and the figures to {@code out}.
     *
     * @throws IllegalStateException when a cycle did not find, claim and queue every published job exactly once
     */
    public static Result run(Params params, PrintStream out) {
        out.printf(Locale.ROOT, "poller bench: %d new available jobs per cycle, page size %d, %d warm-up cycles "
                        + "(the first one is cold), %d measured cycles, per poller: %s%n", params.events(),
                params.pageSize(), params.warmup(), params.cycles(), params.modes().stream()
                        .map(m -> describe(m, params)).collect(Collectors.joining("; ")));
        out.println(BenchStats.machine());
        requestNoDelay();
        AwsEmulator aws = AwsEmulator.get();
        out.println("emulator: " + aws + "; KernelCI API double: JDK HttpServer on 127.0.0.1 with TCP_NODELAY ("
                + NO_DELAY + "=" + System.getProperty(NO_DELAY) + ")");
        List<ModeResult> results = new ArrayList<>();
        for (Mode mode : params.modes()) {
            results.add(runMode(mode, params, aws, out));
        }
        Result result = new Result(params, results);
        printSideBySide(result, out);
        return result;
    }

    private static String describe(Mode mode, Params params) {
        return mode == Mode.NOW ? "now (PollHandler, " + params.parallelism() + " workers per page)"
                : "baseline (before issue 23: one job after another, every claim read back, CLAIMED written)";
    }

    private static ModeResult runMode(Mode mode, Params params, AwsEmulator aws, PrintStream out) {
        out.println(mode.name().toLowerCase(Locale.ROOT) + ": " + describe(mode, params));
        CallCounter dynamoCounter = new CallCounter();
        CallCounter sqsCounter = new CallCounter();
        PollerTables tables = PollerTables.create(aws.client(DynamoDbClient.builder()), aws.client(SqsClient.builder()));
        try (KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
                DynamoDbClient dynamo = aws.client(DynamoDbClient.builder()
                        .overrideConfiguration(c -> c.addExecutionInterceptor(dynamoCounter)));
                SqsClient sqs = aws.client(SqsClient.builder()
                        .overrideConfiguration(c -> c.addExecutionInterceptor(sqsCounter)))) {
            SyntheticClock clock = new SyntheticClock();
            api.setClock(clock);
            Supplier<Map<String, Object>> poll = poller(mode, params, api, tables, dynamo, sqs);
            int nextJob = 1;
            Cycle cold = null;
            List<Cycle> measured = new ArrayList<>();
            for (int i = 0; i < params.warmup() + params.cycles(); i++) {
                boolean warm = i >= params.warmup();
                Set<String> published = new LinkedHashSet<>();
                for (int j = 0; j < params.events(); j++) {
                    String id = KernelCiFixtures.nodeId(nextJob++);
                    api.addJob(KernelCiFixtures.job(id, RUNTIME, j % 4 == 0 ? "qemu-arm64" : "qemu-x86_64"),
                            clock.get());
                    published.add(id);
                }
                api.clearRequests();
                dynamoCounter.reset();
                sqsCounter.reset();

                long start = System.nanoTime();
                Map<String, Object> answer = poll.get();
                long nanos = System.nanoTime() - start;

                Cycle cycle = check(mode, i, warm, nanos, answer, published, api, tables, dynamoCounter.snapshot(),
                        sqsCounter.snapshot());
                out.printf(Locale.ROOT, "  cycle %d/%d (%s): %s ms, of which FIFO sends %s ms, without them %s ms "
                                + "(DynamoDB %d calls, %s ms summed; KernelCI %d requests); %d found, %d claimed, %d "
                                + "queued, %d on the queue; load %s%n",
                        i + 1, params.warmup() + params.cycles(), i == 0 ? "cold" : warm ? "measured" : "warm-up",
                        BenchStats.number(cycle.millis()), BenchStats.number(cycle.sqs().busyMillis()),
                        BenchStats.number(cycle.millisWithoutSends()), cycle.dynamo().calls(),
                        BenchStats.number(cycle.dynamo().millis()), cycle.kernelciRequests(), cycle.found(),
                        cycle.claimed(), cycle.queued(), cycle.received(), BenchStats.load());
                if (i == 0) {
                    cold = cycle;
                }
                if (warm) {
                    measured.add(cycle);
                }
            }
            ModeResult result = new ModeResult(mode, cold, measured, summary(measured, Cycle::millis),
                    summary(measured, Cycle::millisWithoutSends), summary(measured, c -> c.sqs().busyMillis()),
                    params.events() / (summary(measured, Cycle::millis).median() / 1000), BenchStats.loadAverage());
            print(result, params, out);
            return result;
        }
    }

    /** One poll of the chosen poller, answering what {@link PollHandler} answers. */
    private static Supplier<Map<String, Object>> poller(Mode mode, Params params, KernelCiApiDouble api,
            PollerTables tables, DynamoDbClient dynamo, SqsClient sqs) {
        if (mode == Mode.NOW) {
            PollerSettings settings = new PollerSettings(api.baseUri(), Optional.of(TOKEN), RUNTIME, Set.of(), 30,
                    params.pageSize(), Optional.of(tables.cursorTable()), Optional.of(tables.jobsTable()),
                    Optional.of(tables.queueUrl()), params.parallelism());
            PollHandler handler = new PollHandler(settings, dynamo, sqs, RetryPolicy.defaults());
            return () -> handler.handleRequest(Map.of(), null);
        }
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build();
        Clock clock = Clock.systemUTC();
        KernelCiClient client = new KernelCiClient(api.baseUri(), Optional.of(TOKEN),
                new RetryingHttp("KernelCI API", RetryPolicy.defaults()));
        BaselineLedger ledger = new BaselineLedger(new DynamoDbJobLedger(enhanced, tables.jobsTable(), clock));
        PollCycle cycle = new PollCycle(new PollCycle.Settings(RUNTIME, Set.of(), params.pageSize(), false, 1),
                new BaselineClaims(client, ledger), new DynamoDbCursorStore(enhanced, tables.cursorTable(), clock),
                ledger, new SqsJobQueue(sqs, tables.queueUrl()), () -> UUID.randomUUID().toString());
        return () -> answer(cycle.run());
    }

    /**
     * The claim as before issue 23: the read, the PATCH, then always a read-back of the node, then RECORDED →
     * CLAIMED in the jobs table.
     */
    private record BaselineClaims(KernelCiClient client, JobLedger ledger) implements KernelCiJobs {
        @Override
        public EventPage availableJobEvents(Optional<EventTime> from, int limit) {
            return client.availableJobEvents(from, limit);
        }

        @Override
        public ClaimOutcome claim(String nodeId, String marker) {
            ClaimOutcome outcome = client.claim(nodeId, marker);
            if (outcome == ClaimOutcome.CLAIMED) {
                client.node(nodeId);
                ledger.transition(nodeId, JobState.RECORDED, JobState.CLAIMED, "");
            }
            return outcome;
        }
    }

    /** The jobs table as before issue 23: a job is queued from CLAIMED, where {@link BaselineClaims} put it. */
    private record BaselineLedger(JobLedger ledger) implements JobLedger {
        @Override
        public JobRecord recordIfAbsent(JobRecord record) {
            return ledger.recordIfAbsent(record);
        }

        @Override
        public boolean transition(String nodeId, JobState from, JobState to, String reason) {
            JobState source = from == JobState.RECORDED && to == JobState.QUEUED ? JobState.CLAIMED : from;
            return ledger.transition(nodeId, source, to, reason);
        }
    }

    private static Map<String, Object> answer(PollReport report) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("jobs_found", report.found().size());
        result.put("jobs_queued", report.queued().stream().map(JobTicket::nodeId).toList());
        result.put("duplicates", report.duplicates());
        result.put("skipped", report.skipped());
        result.put("caught_up", report.caughtUp());
        return result;
    }

    private static Cycle check(Mode mode, int index, boolean warm, long nanos, Map<String, Object> answer,
            Set<String> published, KernelCiApiDouble api, PollerTables tables, Calls dynamo, Calls sqs) {
        List<KernelCiApiDouble.RecordedRequest> requests = api.requests();
        Map<String, Integer> byKind = new TreeMap<>();
        requests.forEach(r -> byKind.merge(kind(r), 1, Integer::sum));
        int found = (Integer) answer.get("jobs_found");
        List<?> queuedIds = (List<?>) answer.get("jobs_queued");
        int duplicates = (Integer) answer.get("duplicates");
        Map<?, ?> skipped = (Map<?, ?>) answer.get("skipped");
        int claimed = 0;
        for (String id : published) {
            JsonNode jobId = api.node(id).orElseThrow().path("data").path("job_id");
            if (jobId.isTextual() && jobId.asText().startsWith(RUNTIME + ":")) {
                claimed++;
            }
        }
        List<String> received = drain(tables);
        Set<String> distinct = new HashSet<>(received);
        List<String> problems = new ArrayList<>();
        if (found != published.size()) {
            problems.add("found " + found);
        }
        if (queuedIds.size() != published.size() || !published.equals(new HashSet<>(queuedIds))) {
            problems.add("reported queued " + queuedIds.size());
        }
        if (claimed != published.size()) {
            problems.add("claimed on the API " + claimed);
        }
        if (received.size() != published.size() || !distinct.equals(published)) {
            problems.add("messages on the queue " + received.size() + " (" + distinct.size() + " distinct, "
                    + distinct.stream().filter(published::contains).count() + " of the published jobs)");
        }
        if (!skipped.isEmpty()) {
            problems.add("skipped " + skipped);
        }
        if (!Boolean.TRUE.equals(answer.get("caught_up"))) {
            problems.add("not caught up");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(mode.name().toLowerCase(Locale.ROOT) + " cycle " + (index + 1) + ": "
                    + published.size() + " jobs published, but " + String.join(", ", problems)
                    + "; the poll answered " + answer);
        }
        return new Cycle(mode, warm, BenchStats.millis(nanos), found, queuedIds.size(), claimed, received.size(),
                duplicates, requests.size(), byKind, dynamo, sqs);
    }

    /** {@code GET /events}, {@code GET /node}, {@code PATCH /node}, ... */
    private static String kind(KernelCiApiDouble.RecordedRequest request) {
        String path = request.path();
        String route = path.contains("/events") ? "/events" : path.contains("/nodes/") ? "/nodes"
                : path.contains("/node/") ? "/node" : path;
        return request.method() + " " + route;
    }

    /** Every message now on the jobs queue (received and deleted in batches), as node ids. */
    private static List<String> drain(PollerTables tables) {
        SqsClient sqs = tables.sqs();
        List<String> ids = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(tables.queueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                return ids;
            }
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (Message m : batch) {
                ids.add(JobTicketJson.read(m.body()).nodeId());
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                        .receiptHandle(m.receiptHandle()).build());
            }
            DeleteMessageBatchResponse deleted = sqs.deleteMessageBatch(b -> b.queueUrl(tables.queueUrl())
                    .entries(entries));
            if (!deleted.failed().isEmpty()) {
                throw new IllegalStateException("could not delete queue messages: " + deleted.failed());
            }
        }
    }

    private static void print(ModeResult r, Params params, PrintStream out) {
        int n = params.events();
        out.printf(Locale.ROOT, "  first cycle (cold): %s ms%n", BenchStats.number(r.cold().millis()));
        out.printf(Locale.ROOT, "  warm cycles: %s%n", r.millis().describe("ms"));
        out.printf(Locale.ROOT, "  of which FIFO sends (an SQS call in flight): %s%n", r.sends().describe("ms"));
        out.printf(Locale.ROOT, "  without the FIFO sends: %s%n", r.withoutSends().describe("ms"));
        out.printf(Locale.ROOT, "  throughput at the median: %.0f jobs/s (%d jobs per cycle)%n", r.jobsPerSecond(), n);
        out.printf(Locale.ROOT, "  every cycle (warm-up too): %d found, %d claimed on the API, %d queued, %d messages "
                + "on the queue, all distinct and all published jobs%n", n, n, n, n);
        Cycle first = r.measured().get(0);
        out.printf(Locale.ROOT, "  calls per job (first measured cycle): DynamoDB %s; KernelCI %s; SQS %s%n",
                perJob(first.dynamo().calls(), first.dynamo().byOperation(), n),
                perJob(first.kernelciRequests(), first.kernelciByKind(), n),
                perJob(first.sqs().calls(), first.sqs().byOperation(), n));
        out.println("  (DynamoDB and SQS times are moto_server's on loopback: emulator figures, not AWS's; the queue "
                + "is drained after each cycle, untimed)");
        out.printf(Locale.ROOT, "  per cycle ms: %s%n", r.measured().stream()
                .map(c -> BenchStats.number(c.millis())).collect(Collectors.joining(", ")));
        out.printf(Locale.ROOT, "  os load average after these cycles: %s%n", BenchStats.load());
    }

    /** e.g. {@code 3.00 (PutItem 1.00, UpdateItem 2.00)}. */
    private static String perJob(long total, Map<String, ? extends Number> byKind, int jobs) {
        return String.format(Locale.ROOT, "%.2f (%s)", (double) total / jobs, byKind.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue().doubleValue() / jobs))
                .collect(Collectors.joining(", ")));
    }

    /** The comparison, as a Markdown table (for docs/performance.md). */
    private static void printSideBySide(Result result, PrintStream out) {
        List<ModeResult> modes = result.modes();
        int n = result.params().events();
        out.printf(Locale.ROOT, "%nside by side (median of %d measured cycles of %d new jobs each; load %s):%n",
                result.params().cycles(), n, BenchStats.load());
        StringBuilder header = new StringBuilder("| per cycle |");
        StringBuilder rule = new StringBuilder("|---|");
        for (ModeResult m : modes) {
            header.append(' ').append(m.mode() == Mode.NOW ? "now, " + result.params().parallelism() + " workers"
                    : "baseline (before #23)").append(" |");
            rule.append("---|");
        }
        out.println(header);
        out.println(rule);
        row(out, "whole cycle", modes, m -> seconds(m.millis().median()) + " (" + Math.round(m.jobsPerSecond())
                + " jobs/s)");
        row(out, "of which the emulator's FIFO sends", modes, m -> seconds(m.sends().median()));
        row(out, "**without the FIFO sends**", modes, m -> "**" + seconds(m.withoutSends().median()) + "**");
        row(out, "of which a DynamoDB call in flight", modes, m -> seconds(summary(m.measured(),
                c -> c.dynamo().busyMillis()).median()));
        row(out, "DynamoDB calls per job", modes, m -> perJob(m.measured().get(0).dynamo().calls(),
                m.measured().get(0).dynamo().byOperation(), n));
        row(out, "KernelCI requests per job", modes, m -> perJob(m.measured().get(0).kernelciRequests(),
                m.measured().get(0).kernelciByKind(), n));
        row(out, "SQS calls per job", modes, m -> perJob(m.measured().get(0).sqs().calls(),
                m.measured().get(0).sqs().byOperation(), n));
        row(out, "first cycle (cold)", modes, m -> seconds(m.cold().millis()));
    }

    private static void row(PrintStream out, String label, List<ModeResult> modes,
            Function<ModeResult, String> cell) {
        out.println("| " + label + " | " + modes.stream().map(cell).collect(Collectors.joining(" | ")) + " |");
    }

    private static String seconds(double millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000);
    }

    private static BenchStats.Summary summary(List<Cycle> cycles, ToDoubleFunction<Cycle> metric) {
        return BenchStats.Summary.of(cycles.stream().mapToDouble(metric).toArray());
    }

    /**
     * Counts and times every SDK call made by the client it is registered on, by operation; thread-safe (the
     * poller's workers call at once). Besides the summed time it keeps the wall time during which at least one
     * call was in flight.
     */
    private static final class CallCounter implements ExecutionInterceptor {
        private static final ExecutionAttribute<Long> START = new ExecutionAttribute<>("pullab.bench.call-start");
        private final Map<String, Long> byOperation = new TreeMap<>();
        private long calls;
        private long nanos;
        private long busyNanos;
        private int inFlight;
        private long busySince;

        synchronized void reset() {
            byOperation.clear();
            calls = 0;
            nanos = 0;
            busyNanos = 0;
        }

        synchronized Calls snapshot() {
            return new Calls(calls, Map.copyOf(byOperation), BenchStats.millis(nanos), BenchStats.millis(busyNanos));
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            long now = System.nanoTime();
            attributes.putAttribute(START, now);
            synchronized (this) {
                if (inFlight++ == 0) {
                    busySince = now;
                }
            }
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            stop(attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            stop(attributes);
        }

        private void stop(ExecutionAttributes attributes) {
            long now = System.nanoTime();
            Long start = attributes.getAttribute(START);
            String operation = Optional.ofNullable(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                    .orElse("?");
            synchronized (this) {
                if (start != null) {
                    calls++;
                    nanos += now - start;
                    byOperation.merge(operation, 1L, Long::sum);
                    if (--inFlight == 0) {
                        busyNanos += now - busySince;
                    }
                }
            }
        }
    }

    /**
     * Event and node timestamps for the API double: one millisecond apart, strictly increasing, in the API's naive
     * UTC format, so every event of the feed has its own timestamp and the cursor moves by whole pages.
     */
    static final class SyntheticClock implements Supplier<String> {
        private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'000'");
        private LocalDateTime next = LocalDateTime.of(2026, 5, 20, 0, 0, 0, 1_000_000);

        @Override
        public synchronized String get() {
            String text = FORMAT.format(next);
            next = next.plusNanos(1_000_000);
            return text;
        }
    }
}
