package dev.pullab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.cli.local.InjectedCrash;
import dev.pullab.cli.local.LabFaults;
import dev.pullab.cli.local.LocalLab;
import dev.pullab.core.aws.LabResources;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.plan.RunRecord;
import dev.pullab.core.testing.AwsEmulator;
import dev.pullab.core.testing.KcidbReceiverDouble;
import dev.pullab.core.testing.KernelCiApiDouble;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The fault harness: jobs through the whole local flow ({@link LocalLab}: the real poller, orchestrator and analyzer,
 * VMs running the real client) while
 * <ol>
 *   <li>every SQS batch, the schedule and the BuildComplete event are delivered 2–3 times;</li>
 *   <li>each function's invocation dies once at every step boundary it has: before and after each of its AWS writes
 *       (DynamoDB, S3, SQS, EC2); a crash between a KernelCI or KCIDB call and its record is the crash before that
 *       record's write. The functions' clock then jumps past the 5-minute leases, as the retry would come later;</li>
 *   <li>KernelCI answers 500 and times out, and KCIDB answers 503/500, for a while.</li>
 * </ol>
 * Then it counts what must never happen: jobs lost, VMs launched twice, KCIDB submissions doubled, nodes finished
 * twice, and dead letters left after replaying them.
 */
@Command(name = "bench/run faults", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs jobs through the local lab with duplicate deliveries, a crash at every step boundary of"
                + " every function, and KernelCI/KCIDB outages; prints what was lost or doubled (all must be 0).")
public final class FaultHarness implements Callable<Integer> {

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "6",
            description = "KernelCI jobs published (the three fixture jobs, repeated; default: ${DEFAULT-VALUE}),"
                    + " plus one BuildComplete regression run.")
    int jobs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the delivery counts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-crashes", description = "Do not inject crashes (by default: one at every step boundary).")
    boolean noCrashes;

    @Option(names = "--no-outages", description = "Do not make KernelCI and KCIDB fail and time out for a while.")
    boolean noOutages;

    @Option(names = "--max-deliveries", defaultValue = "3",
            description = "Each batch or event is delivered 2 to this many times (default: ${DEFAULT-VALUE}).")
    int maxDeliveries;

    @Option(names = "--timeout", defaultValue = "900", description = "Give up after this many seconds.")
    int timeoutSeconds;

    @Option(names = "--work-dir", description = "Where the lab writes (default: a temporary directory).")
    Path workDir;

    @Option(names = "--verbose", description = "Print the lab's progress lines.")
    boolean verbose;

    private final PrintStream out;

    public FaultHarness() {
        this(System.out);
    }

    FaultHarness(PrintStream out) {
        this.out = out;
    }

    /**
     * What the run did and what went wrong.
     *
     * @param jobs                jobs published
     * @param runs                runs started (job runs and the BuildComplete run)
     * @param crashes             crash boundaries injected, in order
     * @param killedInvocations   invocations that died of a crash (equals {@code crashes.size()} unless a function
     *                            swallowed an {@link Error})
     * @param deliveries          batches/events handed over in all, and how many of those were duplicates
     * @param duplicateDeliveries deliveries beyond the first
     * @param apiFaults           KernelCI requests answered with an injected failure or delay
     * @param kcidbFaults         KCIDB requests answered with an injected failure
     * @param jobsLost            jobs not finished in KernelCI, plus runs never closed
     * @param vmsLaunchedTwice    VMs beyond the one each launch asked for
     * @param submissionsDoubled  KCIDB test ids submitted with different contents (conflicting rows)
     * @param rowsResent          KCIDB test ids sent in more than one submission, identical each time (a crash
     *                            between the POST and its record; KCIDB merges rows by id, so no harm)
     * @param nodesFinishedTwice  job nodes moved to {@code done} more than once
     * @param deadLettersReplayed messages moved back from dead-letter queues
     * @param deadLettersLeft     messages in dead-letter queues at the end
     * @param elapsed             wall time
     */
    public record Result(int jobs, int runs, List<String> crashes, int killedInvocations, int deliveries,
            int duplicateDeliveries, int apiFaults, int kcidbFaults, int jobsLost, int vmsLaunchedTwice,
            int submissionsDoubled, int rowsResent, int nodesFinishedTwice, int deadLettersReplayed, int deadLettersLeft,
            Duration elapsed) {

        /** Whether nothing was lost or doubled. */
        public boolean clean() {
            return jobsLost == 0 && vmsLaunchedTwice == 0 && submissionsDoubled == 0 && nodesFinishedTwice == 0
                    && deadLettersLeft == 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FaultHarness()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Result result = run();
        return result.clean() ? 0 : 1;
    }

    /** Runs the harness with the options set and prints the figures. */
    public Result run() throws IOException {
        if (maxDeliveries < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--max-deliveries must be at least 1");
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("pullab-faults");
        out.printf("fault harness: %d jobs + 1 BuildComplete run; deliveries %s per batch/event; crashes %s; "
                        + "KernelCI/KCIDB outages %s; seed %d; %d cores, Java %s%n", jobs,
                maxDeliveries == 1 ? "1" : "2–" + maxDeliveries, noCrashes ? "off" : "at every step boundary",
                noOutages ? "off" : "on", seed, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Plan plan = new Plan(!noCrashes, !noOutages, maxDeliveries, new SplittableRandom(seed));
        LocalLab.Options options = new LocalLab.Options("pull-labs-aws-ec2", dir, false,
                Duration.ofSeconds(timeoutSeconds), java.util.Optional.empty(), java.util.Optional.empty(), jobs);
        LocalLab.Outcome outcome;
        Result result;
        try (LocalLab lab = new LocalLab(options, plan, line -> {
            if (verbose) {
                out.println("  " + line);
            }
        })) {
            outcome = lab.run();
            result = count(plan, outcome, lab.api(), lab.kcidb());
        }
        print(result, outcome);
        return result;
    }

    private Result count(Plan plan, LocalLab.Outcome outcome, KernelCiApiDouble api, KcidbReceiverDouble kcidb) {
        Set<String> jobNodes = outcome.jobNodes().keySet();
        int lost = (int) outcome.jobNodes().values().stream().filter(state -> !state.contains(": done,")).count()
                + (int) outcome.runs().stream().filter(r -> r.state() != RunRecord.RunState.DONE).count();

        Map<String, Integer> finishes = new HashMap<>();
        for (JsonNode event : api.events()) {
            JsonNode node = event.path("data");
            if (jobNodes.contains(node.path("id").asText()) && "done".equals(node.path("state").asText())) {
                finishes.merge(node.path("id").asText(), 1, Integer::sum);
            }
        }
        int finishedTwice = (int) finishes.values().stream().filter(n -> n > 1).count();
        // the count reads the API's events: a job finished without one would make it blind
        long unseen = jobNodes.stream().filter(id -> outcome.jobNodes().get(id).contains(": done,")
                && !finishes.containsKey(id)).count();
        if (unseen > 0) {
            throw new IllegalStateException(unseen + " job node(s) were finished without an event: the harness"
                    + " cannot count their finishes");
        }

        Map<String, List<JsonNode>> submittedTests = new HashMap<>();
        for (KcidbReceiverDouble.Submission submission : kcidb.submissions()) {
            submission.body().path("tests").forEach(test -> submittedTests
                    .computeIfAbsent(test.path("id").asText(), id -> new ArrayList<>()).add(test));
        }
        int resent = (int) submittedTests.values().stream().filter(rows -> rows.size() > 1).count();
        int doubled = (int) submittedTests.values().stream()
                .filter(rows -> rows.stream().distinct().count() > 1).count();

        Map<String, Integer> launches = new HashMap<>();
        try (Ec2Client ec2 = AwsEmulator.get().client(Ec2Client.builder())) {
            ec2.describeInstancesPaginator(b -> b.filters(f -> f.name("tag-key").values("pullab:launch-id")))
                    .reservations().forEach(r -> {
                        for (Instance instance : r.instances()) {
                            instance.tags().stream().filter(t -> t.key().equals("pullab:launch-id"))
                                    .map(Tag::value).filter(v -> outcome.runs().stream()
                                            .anyMatch(run -> v.startsWith(run.runPrefix())))
                                    .forEach(v -> launches.merge(v, 1, Integer::sum));
                        }
                    });
        }
        int launchedTwice = launches.values().stream().mapToInt(n -> n - 1).sum();

        return new Result(jobNodes.size(), outcome.runs().size(), List.copyOf(plan.crashed),
                plan.killed.get(), plan.deliveries.get(), plan.duplicates.get(), plan.apiFaults.get(),
                plan.kcidbFaults.get(), lost, launchedTwice, doubled, resent, finishedTwice, outcome.replayed(),
                outcome.deadLetters(), outcome.elapsed());
    }

    private void print(Result r, LocalLab.Outcome outcome) {
        out.printf("flow: %d jobs, %d runs, %d batches/events handed over (%d of them duplicates), %.0f s%n",
                r.jobs(), r.runs(), r.deliveries(), r.duplicateDeliveries(), r.elapsed().toMillis() / 1000.0);
        out.printf("crashes injected: %d at distinct step boundaries; invocations killed: %d%n", r.crashes().size(),
                r.killedInvocations());
        r.crashes().forEach(c -> out.println("  " + c));
        out.printf("outages: %d KernelCI requests failed or timed out, %d KCIDB requests failed%n", r.apiFaults(),
                r.kcidbFaults());
        out.printf("%-28s %d%n", "jobs lost", r.jobsLost());
        out.printf("%-28s %d%n", "VMs launched twice", r.vmsLaunchedTwice());
        out.printf("%-28s %d%n", "KCIDB submissions doubled", r.submissionsDoubled());
        out.printf("%-28s %d (identical rows re-sent after a crash between the POST and its record;"
                + " KCIDB merges rows by id)%n", "KCIDB rows re-sent", r.rowsResent());
        out.printf("%-28s %d%n", "nodes finished twice", r.nodesFinishedTwice());
        out.printf("%-28s %d replayed, %d left%n", "dead letters", r.deadLettersReplayed(), r.deadLettersLeft());
        if (!r.clean()) {
            out.println("NOT CLEAN; job nodes:");
            outcome.jobNodes().forEach((id, state) -> out.println("  " + id + " " + state));
            outcome.runs().forEach(run -> out.println("  run " + run.runPrefix() + " " + run.state()));
        }
    }

    /** The fault plan handed to the lab. */
    static final class Plan implements LabFaults, ExecutionInterceptor {

        /** Both the orchestrator's launch intents and the analyzer's run leases last 5 minutes. */
        private static final Duration PAST_LEASES = Duration.ofMinutes(6);

        private final boolean crashes;
        private final boolean outages;
        private final int maxDeliveries;
        private final SplittableRandom random;
        private final SteppingClock clock = new SteppingClock();
        private final Set<String> boundaries = Collections.synchronizedSet(new LinkedHashSet<>());
        final List<String> crashed = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger killed = new AtomicInteger();
        final AtomicInteger deliveries = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger apiFaults = new AtomicInteger();
        final AtomicInteger kcidbFaults = new AtomicInteger();
        private volatile String function = "lab";

        Plan(boolean crashes, boolean outages, int maxDeliveries, SplittableRandom random) {
            this.crashes = crashes;
            this.outages = outages;
            this.maxDeliveries = maxDeliveries;
            this.random = random;
        }

        @Override
        public List<ExecutionInterceptor> interceptors() {
            return List.of(this);
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public RetryPolicy retryPolicy() {
            // quick retries and a 2 s request timeout, so that an outage outlasts a call's retries
            return new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2));
        }

        @Override
        public synchronized int deliveries(String queue) {
            int n = maxDeliveries <= 1 ? 1 : 2 + random.nextInt(maxDeliveries - 1);
            deliveries.addAndGet(n);
            duplicates.addAndGet(n - 1);
            return n;
        }

        @Override
        public void invoking(String function) {
            this.function = function;
        }

        @Override
        public void redelivering(String queue) {
            // a failed message comes back after its queue's visibility timeout
            LabResources.QUEUES.stream().filter(q -> q.id().equals(queue)).findFirst()
                    .ifPresent(q -> clock.advance(Duration.ofSeconds(q.visibilityTimeout())));
        }

        @Override
        public void crashed(String function, InjectedCrash crash) {
            killed.incrementAndGet();
            clock.advance(PAST_LEASES);
        }

        @Override
        public void round(int round, KernelCiApiDouble api, KcidbReceiverDouble kcidb) {
            if (!outages) {
                return;
            }
            switch (round) {
                case 2 -> {
                    api.failNext(8, 500);
                    apiFaults.addAndGet(8);
                }
                case 3 -> {
                    api.delayNext(2, retryPolicy().requestTimeout().plusMillis(500));
                    apiFaults.addAndGet(2);
                    kcidb.failNext(4, 503);
                    kcidbFaults.addAndGet(4);
                }
                case 6 -> {
                    api.failNext(5, 502);
                    apiFaults.addAndGet(5);
                    kcidb.failNext(3, 500);
                    kcidbFaults.addAndGet(3);
                }
                default -> {
                }
            }
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            maybeCrash("before", attributes);
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            maybeCrash("after", attributes);
        }

        private void maybeCrash(String phase, ExecutionAttributes attributes) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            if (!crashes || !writes(operation)) {
                return;
            }
            String boundary = function + ": " + phase + " " + step() + " (" + attributes.getAttribute(
                    SdkExecutionAttribute.SERVICE_NAME) + "." + operation + ")";
            if (boundaries.add(boundary)) {
                crashed.add(boundary);
                throw new InjectedCrash(boundary);
            }
        }

        /**
         * The step making the call: the innermost pullab method on the stack, e.g. {@code
         * DynamoDbRunStore.recordSubmission}, so that two writes of the same operation are two boundaries.
         */
        private static String step() {
            List<StackWalker.StackFrame> frames = StackWalker.getInstance().walk(stream -> stream
                    .filter(f -> f.getClassName().startsWith("dev.pullab.")
                            && !f.getClassName().startsWith("dev.pullab.bench.")
                            && !f.getClassName().startsWith("dev.pullab.cli."))
                    .toList());
            if (frames.isEmpty()) {
                return "?";
            }
            // the outermost method of the innermost class: recordSubmission, not the private helper it calls
            String owner = frames.get(0).getClassName().replaceAll("\\$.*", "");
            StackWalker.StackFrame step = frames.get(0);
            for (StackWalker.StackFrame frame : frames) {
                if (!frame.getClassName().replaceAll("\\$.*", "").equals(owner)) {
                    break;
                }
                if (!frame.getMethodName().startsWith("lambda$")) {
                    step = frame;
                }
            }
            return owner.substring(owner.lastIndexOf('.') + 1) + "." + step.getMethodName();
        }

        /** The calls that change state: a step boundary lies before and after each. */
        private static boolean writes(String operation) {
            return operation != null && (operation.startsWith("Put") || operation.startsWith("Update")
                    || operation.startsWith("Delete") || operation.startsWith("Send") || operation.startsWith("Run")
                    || operation.startsWith("Create") || operation.startsWith("Terminate")
                    || operation.startsWith("Copy") || operation.startsWith("Transact")
                    || operation.startsWith("BatchWrite") || operation.startsWith("CompleteMultipart"));
        }
    }

    /** The system clock plus an offset that only grows: a retry after a crash comes after the leases ran out. */
    static final class SteppingClock extends Clock {

        private final AtomicLong offsetMillis = new AtomicLong();

        void advance(Duration by) {
            offsetMillis.addAndGet(by.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the harness clock is UTC");
        }

        @Override
        public Instant instant() {
            return Instant.now().plusMillis(offsetMillis.get());
        }
    }
}
