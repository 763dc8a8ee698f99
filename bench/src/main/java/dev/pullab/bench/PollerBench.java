package dev.pullab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.job.JobTicketJson;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.aws.PollerTables;
import dev.pullab.poller.PollHandler;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Poller throughput: a page of available jobs on the KernelCI API double (real HTTP on loopback) recorded in
 * DynamoDB, claimed, queued on the SQS FIFO jobs queue and marked queued by the real poll cycle, run through the
 * Lambda entry point {@link PollHandler} (built with {@code PollerAssembly.live}), DynamoDB and SQS on moto_server.
 * Each cycle first publishes {@code --events} new jobs (not timed), then times one handler invocation, then checks
 * (not timed) that every job was found, claimed on the API and queued exactly once.
 */
@Command(name = "bench/run poller", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time per warm poll cycle: N new available jobs claimed and handed off to the SQS FIFO jobs "
                + "queue by the real poll cycle (API double over HTTP, DynamoDB and SQS on moto_server).")
public final class PollerBench implements Callable<Integer> {

    static final String RUNTIME = "pull-labs-aws-ec2";
    private static final String TOKEN = "bench-token";

    @Option(names = "--events", description = "New available jobs published before each cycle (default: ${DEFAULT-VALUE}).")
    int events = 1000;

    @Option(names = "--page-size", description = "PULLAB_POLL_PAGE_SIZE, 1..1000 (default: ${DEFAULT-VALUE}).")
    int pageSize = 1000;

    @Option(names = "--warmup", description = "Warm-up cycles, the first one reported as cold (default: ${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(names = "--cycles", description = "Measured cycles (default: ${DEFAULT-VALUE}).")
    int cycles = 10;

    /**
     * @param events   new jobs per cycle
     * @param pageSize the poller's page size
     * @param warmup   cycles run first and not measured (at least 1: the first is the cold one)
     * @param cycles   measured cycles
     */
    public record Params(int events, int pageSize, int warmup, int cycles) {
        public Params {
            if (events < 1 || pageSize < 1 || pageSize > 1000 || warmup < 1 || cycles < 1) {
                throw new IllegalArgumentException("need events >= 1, page size 1..1000, warmup >= 1, cycles >= 1");
            }
        }
    }

    /**
     * One invocation of the handler.
     *
     * @param warm             false for the warm-up cycles
     * @param millis           wall time of {@code handleRequest}
     * @param found            jobs the cycle reported found
     * @param queued           jobs the cycle reported queued
     * @param claimed          published jobs carrying this lab's claim marker on the API afterwards
     * @param received         messages found on the SQS queue afterwards, all for published jobs, each once
     * @param duplicates       jobs reported as already handled
     * @param kernelciRequests HTTP requests the API double received during the cycle
     * @param dynamoCalls      DynamoDB API calls during the cycle
     * @param dynamoMillis     time spent in them (SDK call, marshalling included)
     * @param sqsCalls         SQS API calls during the cycle
     * @param sqsMillis        time spent in them
     */
    public record Cycle(boolean warm, double millis, int found, int queued, int claimed, int received, int duplicates,
            int kernelciRequests, long dynamoCalls, double dynamoMillis, long sqsCalls, double sqsMillis) {

        /** Time outside DynamoDB and SQS calls: the KernelCI HTTP calls and the cycle's own work. */
        public double otherMillis() {
            return millis - dynamoMillis - sqsMillis;
        }
    }

    /**
     * @param params          what was run
     * @param cold            the first cycle of the JVM
     * @param measured        the measured cycles
     * @param millis          their wall times
     * @param jobsPerSecond   events / median time
     * @param loadAverage     the system load average after the run
     */
    public record Result(Params params, Cycle cold, List<Cycle> measured, BenchStats.Summary millis,
            double jobsPerSecond, double loadAverage) {
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
        return BenchStats.execute("poller bench", () -> new Params(events, pageSize, warmup, cycles),
                params -> run(params, System.out));
    }

    /**
     * Runs the benchmark and prints its parameters, the machine and the figures to {@code out}.
     *
     * @throws IllegalStateException when a cycle did not find, claim and queue every published job exactly once
     */
    public static Result run(Params params, PrintStream out) {
        out.printf(Locale.ROOT, "poller bench: %d new available jobs per cycle, page size %d, %d warm-up cycles "
                        + "(the first one is the JVM's first), %d measured cycles%n", params.events(),
                params.pageSize(), params.warmup(), params.cycles());
        out.println(BenchStats.machine());
        requestNoDelay();
        AwsEmulator aws = AwsEmulator.get();
        out.println("emulator: " + aws + "; KernelCI API double: JDK HttpServer on 127.0.0.1 with TCP_NODELAY ("
                + NO_DELAY + "=" + System.getProperty(NO_DELAY) + ")");
        CallTimer dynamoTimer = new CallTimer();
        CallTimer sqsTimer = new CallTimer();
        PollerTables tables = PollerTables.create(aws.client(DynamoDbClient.builder()), aws.client(SqsClient.builder()));
        try (KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
                DynamoDbClient dynamo = aws.client(DynamoDbClient.builder()
                        .overrideConfiguration(c -> c.addExecutionInterceptor(dynamoTimer)));
                SqsClient sqs = aws.client(SqsClient.builder()
                        .overrideConfiguration(c -> c.addExecutionInterceptor(sqsTimer)))) {
            SyntheticClock clock = new SyntheticClock();
            api.setClock(clock);
            PollerSettings settings = new PollerSettings(api.baseUri(), Optional.of(TOKEN), RUNTIME, Set.of(), 30,
                    params.pageSize(), Optional.of(tables.cursorTable()), Optional.of(tables.jobsTable()),
                    Optional.of(tables.queueUrl()));
            PollHandler handler = new PollHandler(settings, dynamo, sqs, RetryPolicy.defaults());
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
                dynamoTimer.reset();
                sqsTimer.reset();

                long start = System.nanoTime();
                Map<String, Object> answer = handler.handleRequest(Map.of(), null);
                long nanos = System.nanoTime() - start;

                Cycle cycle = check(i, warm, nanos, answer, published, api, tables, dynamoTimer, sqsTimer);
                out.printf(Locale.ROOT, "  cycle %d/%d (%s): %s ms = DynamoDB %s + SQS %s + KernelCI API and "
                                + "in-process %s; %d found, %d claimed, %d queued, %d on the queue; load %s%n",
                        i + 1, params.warmup() + params.cycles(),
                        i == 0 ? "first in the JVM" : warm ? "measured" : "warm-up",
                        BenchStats.number(cycle.millis()), BenchStats.number(cycle.dynamoMillis()),
                        BenchStats.number(cycle.sqsMillis()), BenchStats.number(cycle.otherMillis()), cycle.found(),
                        cycle.claimed(), cycle.queued(), cycle.received(), BenchStats.load());
                if (i == 0) {
                    cold = cycle;
                }
                if (warm) {
                    measured.add(cycle);
                }
            }
            BenchStats.Summary millis = BenchStats.Summary.of(measured.stream().mapToDouble(Cycle::millis).toArray());
            Result result = new Result(params, cold, measured, millis, params.events() / (millis.median() / 1000),
                    BenchStats.loadAverage());
            print(result, out);
            return result;
        }
    }

    private static Cycle check(int index, boolean warm, long nanos, Map<String, Object> answer, Set<String> published,
            KernelCiApiDouble api, PollerTables tables, CallTimer dynamoTimer, CallTimer sqsTimer) {
        int requests = api.requests().size();
        long dynamoCalls = dynamoTimer.calls.get();
        double dynamoMillis = BenchStats.millis(dynamoTimer.nanos.get());
        long sqsCalls = sqsTimer.calls.get();
        double sqsMillis = BenchStats.millis(sqsTimer.nanos.get());

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
            throw new IllegalStateException("cycle " + (index + 1) + ": " + published.size()
                    + " jobs published, but " + String.join(", ", problems) + "; handler answered " + answer);
        }
        return new Cycle(warm, BenchStats.millis(nanos), found, queuedIds.size(), claimed, received.size(),
                duplicates, requests, dynamoCalls, dynamoMillis, sqsCalls, sqsMillis);
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

    private static void print(Result r, PrintStream out) {
        int n = r.params().events();
        out.printf(Locale.ROOT, "  first cycle (cold JVM): %s ms%n", BenchStats.number(r.cold().millis()));
        out.printf(Locale.ROOT, "  warm cycles: %s%n", r.millis().describe("ms"));
        out.printf(Locale.ROOT, "  throughput at the median: %.0f jobs/s (%d jobs per cycle)%n", r.jobsPerSecond(), n);
        out.printf(Locale.ROOT, "  every cycle (warm-up too): %d found, %d claimed on the API, %d queued, %d messages "
                + "on the queue, all distinct and all published jobs%n", n, n, n, n);
        BenchStats.Summary dynamo = summary(r, Cycle::dynamoMillis);
        BenchStats.Summary sqs = summary(r, Cycle::sqsMillis);
        BenchStats.Summary other = summary(r, Cycle::otherMillis);
        Cycle first = r.measured().get(0);
        out.printf(Locale.ROOT, "  split (median per cycle): DynamoDB %s ms (%d calls, %s ms each), SQS %s ms "
                        + "(%d calls, %s ms each), KernelCI API + in-process %s ms (%d HTTP requests, %s ms each)%n",
                BenchStats.number(dynamo.median()), first.dynamoCalls(), perCall(dynamo, first.dynamoCalls()),
                BenchStats.number(sqs.median()), first.sqsCalls(), perCall(sqs, first.sqsCalls()),
                BenchStats.number(other.median()), first.kernelciRequests(),
                perCall(other, first.kernelciRequests()));
        out.println("  (DynamoDB and SQS times are moto_server's on loopback: emulator figures, not AWS's; the queue "
                + "is drained after each cycle, untimed)");
        out.printf(Locale.ROOT, "  per cycle ms: %s%n", r.measured().stream()
                .map(c -> BenchStats.number(c.millis())).collect(Collectors.joining(", ")));
        out.printf(Locale.ROOT, "  os load average after the run: %s%n", BenchStats.load());
    }

    private static String perCall(BenchStats.Summary summary, long calls) {
        return calls == 0 ? "-" : BenchStats.number(summary.median() / calls);
    }

    private static BenchStats.Summary summary(Result r, java.util.function.ToDoubleFunction<Cycle> metric) {
        return BenchStats.Summary.of(r.measured().stream().mapToDouble(metric).toArray());
    }

    /** Sums the time of every SDK call made by the client it is registered on (calls are sequential). */
    private static final class CallTimer implements ExecutionInterceptor {
        private static final ExecutionAttribute<Long> START = new ExecutionAttribute<>("pullab.bench.call-start");
        final AtomicLong calls = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();

        void reset() {
            calls.set(0);
            nanos.set(0);
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(START, System.nanoTime());
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
            Long start = attributes.getAttribute(START);
            if (start != null) {
                calls.incrementAndGet();
                nanos.addAndGet(System.nanoTime() - start);
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
