package dev.pullab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.cli.local.InjectedCrash;
import dev.pullab.cli.local.LabFaults;
import dev.pullab.cli.local.LocalLab;
import dev.pullab.aws.LabResources;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.aws.Ec2Launcher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The fault harness: jobs through the whole local flow ({@link LocalLab}: the real poller, orchestrator and analyzer,
 * VMs running the real client) while
 * <ol>
 *   <li>every SQS batch, the schedule and the BuildComplete event are delivered 2–3 times, and (seeded) the first two
 *       deliveries of a batch or schedule firing at the same moment, on two threads;</li>
 *   <li>each function's invocation dies at every step boundary it has: before and after each of its AWS writes
 *       (DynamoDB, S3, SQS, EC2), at every occurrence of that write in one invocation in turn (the first, then the
 *       second, … until an invocation no longer reaches it); a crash between a KernelCI or KCIDB call and its record
 *       is the crash before that record's write. The functions' clock then jumps past the 5-minute leases, as the
 *       retry would come later;</li>
 *   <li>KernelCI answers 500 and times out, and KCIDB answers 503/500, for a while.</li>
 * </ol>
 * Then it counts what must never happen: jobs lost, jobs run twice, VMs launched twice, KCIDB submissions doubled,
 * results that differ from a fault-free run of the same jobs, repeated attempts to finish a job node, and dead
 * letters left after replaying them. A hidden {@code --mutation} plants one defect in the flow, to show that the
 * count meant to catch it does.
 */
@Command(name = "bench/run faults", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs jobs through the local lab with duplicate (and concurrent) deliveries, a crash at every"
                + " write of every step boundary of every function, and KernelCI/KCIDB outages, after a fault-free run"
                + " of the same jobs; prints what was lost, doubled or changed (all must be 0).")
public final class FaultHarness implements Callable<Integer> {

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "6",
            description = "KernelCI jobs published (the three fixture jobs, repeated; default: ${DEFAULT-VALUE}),"
                    + " plus one BuildComplete regression run.")
    int jobs;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the delivery counts and of which deliveries run at once"
                    + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-crashes", description = "Do not inject crashes (by default: one at every write of every"
            + " step boundary, in turn).")
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

    @Option(names = "--mutation", hidden = true, defaultValue = "NONE",
            description = "Plant one defect in the flow (${COMPLETION-CANDIDATES}), to see the harness fail on it.")
    Mutation mutation;

    /**
     * A defect planted in the flow, each one that a count of the harness must catch.
     */
    public enum Mutation {
        /** None: the flow as built. */
        NONE,
        /** The poller queues one job a second time as another event (another run prefix): a job run twice. */
        RUN_JOB_TWICE,
        /** The analyzer's listing of a run loses its first VM's {@code result.txt}: the run closes with it missing. */
        DROP_RESULT,
        /**
         * The analyzer's check before finishing a node reads a stale node (finished nodes read as before), and the
         * analyzer dies before recording the finish: the retry finishes the node again.
         */
        FINISH_TWICE
    }

    private static final String LAUNCH_TAG = VmTags.LAUNCH;

    /** Where the BuildComplete run's results go in {@link #results}: it has no job node. */
    static final String BUILD_COMPLETE_RUN = "BuildComplete run";

    /** Fault-free results per job count: the reference runs once per JVM (the doubles' node ids are fixed). */
    private static final Map<Integer, Map<String, List<String>>> REFERENCES = new ConcurrentHashMap<>();

    private final PrintStream out;
    private Result lastResult;

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
     * @param concurrentDeliveries batches or schedule firings whose first two deliveries ran at the same moment
     * @param apiFaults           KernelCI requests answered with an injected failure or delay
     * @param kcidbFaults         KCIDB requests answered with an injected failure
     * @param jobsLost            jobs not finished in KernelCI, plus runs never closed
     * @param jobsRunTwice        runs beyond the first of each job node (each job must be run exactly once)
     * @param vmsLaunchedTwice    VMs beyond the one each launch asked for
     * @param submissionsDoubled  KCIDB test ids submitted with different contents (conflicting rows)
     * @param rowsResent          KCIDB test ids sent in more than one submission, identical each time (a crash
     *                            between the POST and its record; KCIDB merges rows by id, so no harm)
     * @param resultsDiffering    jobs (and the BuildComplete run) whose results differ from a fault-free run of the
     *                            same jobs: the KCIDB tests (path, status, value; one row per test id, as KCIDB merges
     *                            them), the job node's state and result, and its child nodes' results
     * @param nodesFinishedTwice  requests to KernelCI that set a job node to {@code done}, beyond the first per node
     *                            (attempts, accepted or refused; a request an injected fault answered, or a retry
     *                            the transport sent after giving up on one, is not an attempt; the re-check that
     *                            finds a node done sends none)
     * @param deadLettersReplayed messages moved back from dead-letter queues
     * @param deadLettersLeft     messages in dead-letter queues at the end
     * @param differences         one line per job (or run) whose results differ: what is missing, what is extra
     * @param elapsed             wall time
     */
    public record Result(int jobs, int runs, List<String> crashes, int killedInvocations, int deliveries,
            int duplicateDeliveries, int concurrentDeliveries, int apiFaults, int kcidbFaults, int jobsLost,
            int jobsRunTwice, int vmsLaunchedTwice, int submissionsDoubled, int rowsResent, int resultsDiffering,
            int nodesFinishedTwice, int deadLettersReplayed, int deadLettersLeft, List<String> differences,
            Duration elapsed) {

        public Result {
            crashes = List.copyOf(crashes);
            differences = List.copyOf(differences);
        }

        /** Whether nothing was lost, doubled or changed. */
        public boolean clean() {
            return jobsLost == 0 && jobsRunTwice == 0 && vmsLaunchedTwice == 0 && submissionsDoubled == 0
                    && resultsDiffering == 0 && nodesFinishedTwice == 0 && deadLettersLeft == 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FaultHarness()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        lastResult = run();
        return lastResult.clean() ? 0 : 1;
    }

    /** What the last {@link #call()} found (null before). */
    Result lastResult() {
        return lastResult;
    }

    /** Runs the harness with the options set and prints the figures. */
    public Result run() throws IOException {
        if (maxDeliveries < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--max-deliveries must be at least 1");
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("pullab-faults");
        out.printf("fault harness: %d jobs + 1 BuildComplete run; deliveries %s per batch/event%s; crashes %s; "
                        + "KernelCI/KCIDB outages %s; seed %d%s; %d cores, Java %s%n", jobs,
                maxDeliveries == 1 ? "1" : "2–" + maxDeliveries, maxDeliveries == 1 ? "" : " (some two at once)",
                noCrashes ? "off" : "at every write of every step boundary", noOutages ? "off" : "on", seed,
                mutation == Mutation.NONE ? "" : "; MUTATION " + mutation, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Map<String, List<String>> reference = reference(dir);
        Plan plan = new Plan(!noCrashes, !noOutages, maxDeliveries, new SplittableRandom(seed), mutation);
        LocalLab.Options options = new LocalLab.Options("pull-labs-aws-ec2", dir, false,
                Duration.ofSeconds(timeoutSeconds), Optional.empty(), Optional.empty(), jobs);
        LocalLab.Outcome outcome;
        Result result;
        try (LocalLab lab = new LocalLab(options, plan, this::progress)) {
            outcome = lab.run();
            result = count(plan, outcome, lab.api(), lab.kcidb(), reference);
        } finally {
            retireInstances();
        }
        print(result, outcome);
        return result;
    }

    private void progress(String line) {
        if (verbose) {
            out.println("  " + line);
        }
    }

    /**
     * The results of the same jobs without faults (and without the mutation): computed once per JVM and job count,
     * under {@code dir/reference}.
     */
    private Map<String, List<String>> reference(Path dir) throws IOException {
        Map<String, List<String>> known = REFERENCES.get(jobs);
        if (known != null) {
            out.printf("reference: the fault-free results of %d jobs, from an earlier run in this JVM%n", jobs);
            return known;
        }
        LocalLab.Options options = new LocalLab.Options("pull-labs-aws-ec2", dir.resolve("reference"), false,
                Duration.ofSeconds(timeoutSeconds), Optional.empty(), Optional.empty(), jobs);
        try (LocalLab lab = new LocalLab(options, LabFaults.NONE, this::progress)) {
            LocalLab.Outcome outcome = lab.run();
            retireInstances();
            if (!outcome.succeeded()) {
                throw new IllegalStateException("the fault-free reference run did not finish every job and run: "
                        + outcome.notFinished() + ", runs " + outcome.runs().stream()
                        .map(r -> r.runPrefix() + " " + r.state()).toList());
            }
            Map<String, List<String>> results = results(outcome.jobNodes().keySet(), lab.api(), lab.kcidb());
            out.printf("reference: the same %d jobs without faults, %.0f s%n", jobs,
                    outcome.elapsed().toMillis() / 1000.0);
            REFERENCES.put(jobs, results);
            return results;
        }
    }

    /**
     * Takes the launch tag off every instance a lab launched on the emulator. The fixture jobs have fixed node ids and
     * event times, so a later lab in this JVM (the fault run after the reference, or another harness run) plans the
     * same run prefixes and launch ids; the orchestrator adopts an instance of its launch id in any state, and would
     * take an earlier lab's terminated VM for its own. Each harness JVM starts its own emulator ({@link AwsEmulator}),
     * so the tag-key filter sees only the harness's labs (with {@code AWS_ENDPOINT_URL} set it would see more).
     */
    private static void retireInstances() {
        try (Ec2Client ec2 = AwsEmulator.get().client(Ec2Client.builder())) {
            List<String> ids = new ArrayList<>();
            ec2.describeInstancesPaginator(b -> b.filters(f -> f.name("tag-key").values(LAUNCH_TAG))).reservations()
                    .forEach(r -> r.instances().forEach(i -> ids.add(i.instanceId())));
            if (!ids.isEmpty()) {
                ec2.deleteTags(b -> b.resources(ids).tags(Tag.builder().key(LAUNCH_TAG).build()));
            }
        }
    }

    /**
     * What a flow produced, per job node id (and {@value #BUILD_COMPLETE_RUN} for the BuildComplete run), as sorted
     * lines that do not depend on instance ids, run prefixes or times: the KCIDB tests (one row per test id, the
     * last sent, as KCIDB merges them: path, status, value and unit), the job node's state and result, and every
     * node below it (name, state, result).
     */
    static Map<String, List<String>> results(Set<String> jobNodes, KernelCiApiDouble api, KcidbReceiverDouble kcidb) {
        Map<String, JsonNode> tests = new LinkedHashMap<>();
        for (KcidbReceiverDouble.Submission submission : kcidb.submissions()) {
            submission.body().path("tests").forEach(test -> tests.put(test.path("id").asText(), test));
        }
        Map<String, List<String>> results = new TreeMap<>();
        jobNodes.forEach(id -> results.put(id, new ArrayList<>()));
        for (JsonNode test : tests.values()) {
            String id = test.path("id").asText();
            String subject = id.substring(id.indexOf(':') + 1).split("\\.", 2)[0];
            String owner = jobNodes.contains(subject) ? subject : BUILD_COMPLETE_RUN;
            JsonNode number = test.path("number");
            results.computeIfAbsent(owner, k -> new ArrayList<>()).add("kcidb " + test.path("path").asText() + ": "
                    + test.path("status").asText() + (number.isMissingNode() ? ""
                    : " " + number.path("value").asText() + " " + number.path("unit").asText()));
        }
        Map<String, String> parents = new HashMap<>();
        api.nodes().forEach(n -> parents.put(n.path("id").asText(), n.path("parent").asText(null)));
        for (JsonNode node : api.nodes()) {
            String id = node.path("id").asText();
            String line = node.path("name").asText() + ": " + node.path("state").asText() + ", "
                    + node.path("result").asText() + (node.at("/data/error_code").isMissingNode()
                    || node.at("/data/error_code").isNull() ? "" : " (" + node.at("/data/error_code").asText() + ")");
            if (jobNodes.contains(id)) {
                results.get(id).add("job " + line);
                continue;
            }
            Set<String> seen = new HashSet<>();
            for (String up = parents.get(id); up != null && seen.add(up); up = parents.get(up)) {
                if (jobNodes.contains(up)) {
                    results.get(up).add("node " + line);
                    break;
                }
            }
        }
        results.values().forEach(Collections::sort);
        return results;
    }

    /** The differences between the reference results and these, one line per job (or run) that differs. */
    static List<String> differences(Map<String, List<String>> reference, Map<String, List<String>> actual) {
        Set<String> owners = new TreeSet<>(reference.keySet());
        owners.addAll(actual.keySet());
        List<String> differences = new ArrayList<>();
        for (String owner : owners) {
            List<String> expected = reference.getOrDefault(owner, List.of());
            List<String> found = actual.getOrDefault(owner, List.of());
            if (!expected.equals(found)) {
                List<String> missing = new ArrayList<>(expected);
                found.forEach(missing::remove);
                List<String> extra = new ArrayList<>(found);
                expected.forEach(extra::remove);
                differences.add(owner + ": missing " + missing + ", extra " + extra);
            }
        }
        return differences;
    }

    private Result count(Plan plan, LocalLab.Outcome outcome, KernelCiApiDouble api, KcidbReceiverDouble kcidb,
            Map<String, List<String>> reference) {
        Set<String> jobNodes = outcome.jobNodes().keySet();
        int lost = (int) outcome.jobNodes().values().stream().filter(state -> !state.contains(": done,")).count()
                + (int) outcome.runs().stream().filter(r -> r.state() != RunRecord.RunState.DONE).count();

        Map<String, Long> runsPerJob = outcome.runs().stream().filter(r -> r.jobNodeId().isPresent())
                .collect(Collectors.groupingBy(r -> r.jobNodeId().get(), Collectors.counting()));
        int runTwice = (int) runsPerJob.values().stream().mapToLong(n -> n - 1).sum();

        FinishRequests finishes = FinishRequests.of(api.requests(), jobNodes);
        Map<String, Integer> attempts = finishes.attempts();
        Set<String> finishedByFaultedRequest = finishes.byRetry();
        int finishedTwice = finishes.beyondFirst();
        // the count reads the API's request log: a job done without a request to finish it would make it blind
        long unseen = jobNodes.stream().filter(id -> outcome.jobNodes().get(id).contains(": done,")
                && !attempts.containsKey(id) && !finishedByFaultedRequest.contains(id)).count();
        if (unseen > 0) {
            throw new IllegalStateException(unseen + " job node(s) are done without a request that finished them:"
                    + " the harness cannot count their finishes");
        }

        List<String> differences = differences(reference, results(jobNodes, api, kcidb));

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
            ec2.describeInstancesPaginator(b -> b.filters(f -> f.name("tag-key").values(LAUNCH_TAG)))
                    .reservations().forEach(r -> {
                        for (Instance instance : r.instances()) {
                            instance.tags().stream().filter(t -> t.key().equals(LAUNCH_TAG))
                                    .map(Tag::value).filter(v -> outcome.runs().stream()
                                            .anyMatch(run -> v.startsWith(run.runPrefix())))
                                    .forEach(v -> launches.merge(v, 1, Integer::sum));
                        }
                    });
        }
        int launchedTwice = launches.values().stream().mapToInt(n -> n - 1).sum();

        return new Result(jobNodes.size(), outcome.runs().size(), List.copyOf(plan.crashed),
                plan.killed.get(), plan.deliveries.get(), plan.duplicates.get(), plan.concurrent.get(),
                plan.apiFaults.get(), plan.kcidbFaults.get(), lost, runTwice, launchedTwice, doubled, resent,
                differences.size(), finishedTwice, outcome.replayed(), outcome.deadLetters(), differences,
                outcome.elapsed());
    }

    /**
     * The node a request sets to {@code done}, if it does: {@code PUT /nodes/{id}} with the root node {@code done},
     * or {@code PUT}/{@code PATCH /node/{id}} with {@code state: done}.
     */
    /**
     * The requests that set each job node to {@code done}: attempts (a first request of a call) counted per node,
     * and apart the nodes finished by a transport retry (a request an injected fault answered, or a retry the client
     * sent after giving up on one, {@code Pullab-Attempt} above 1: a slow machine's retry, not a second finish).
     */
    record FinishRequests(Map<String, Integer> attempts, Set<String> byRetry) {

        static FinishRequests of(List<KernelCiApiDouble.RecordedRequest> requests, Set<String> jobNodes) {
            Map<String, Integer> attempts = new HashMap<>();
            Set<String> byRetry = new HashSet<>();
            for (KernelCiApiDouble.RecordedRequest request : requests) {
                finishedNode(request).filter(jobNodes::contains).ifPresent(id -> {
                    if (request.injectedFault() || request.attempt() > 1) {
                        byRetry.add(id);
                    } else {
                        attempts.merge(id, 1, Integer::sum);
                    }
                });
            }
            return new FinishRequests(Map.copyOf(attempts), Set.copyOf(byRetry));
        }

        /** Attempts beyond the first per node: nodes finished twice. */
        int beyondFirst() {
            return attempts.values().stream().mapToInt(n -> n - 1).sum();
        }
    }

    static Optional<String> finishedNode(KernelCiApiDouble.RecordedRequest request) {
        String route = request.route();
        boolean hierarchy = route.startsWith("/nodes/") && request.method().equals("PUT");
        boolean single = route.startsWith("/node/")
                && (request.method().equals("PUT") || request.method().equals("PATCH"));
        if (!hierarchy && !single) {
            return Optional.empty();
        }
        JsonNode body;
        try {
            body = request.bodyJson();
        } catch (IllegalStateException notJson) {
            return Optional.empty();
        }
        JsonNode state = hierarchy ? body.path("node").path("state") : body.path("state");
        return "done".equals(state.asText()) ? Optional.of(route.substring(route.lastIndexOf('/') + 1))
                : Optional.empty();
    }

    private void print(Result r, LocalLab.Outcome outcome) {
        out.printf("flow: %d jobs, %d runs, %d batches/events handed over (%d of them duplicates; %d batches or"
                        + " schedule firings delivered twice at once), %.0f s%n", r.jobs(), r.runs(), r.deliveries(),
                r.duplicateDeliveries(), r.concurrentDeliveries(), r.elapsed().toMillis() / 1000.0);
        long later = r.crashes().stream().filter(c -> c.matches(".* #\\d+$")).count();
        out.printf("crashes injected: %d at distinct step boundaries (%d of them at a later write of the same boundary"
                + " in one invocation, marked #n); invocations killed: %d%n", r.crashes().size(), later,
                r.killedInvocations());
        r.crashes().forEach(c -> out.println("  " + c));
        out.printf("outages: %d KernelCI requests failed or timed out, %d KCIDB requests failed%n", r.apiFaults(),
                r.kcidbFaults());
        out.printf("%-28s %d%n", "jobs lost", r.jobsLost());
        out.printf("%-28s %d%n", "jobs run twice", r.jobsRunTwice());
        out.printf("%-28s %d%n", "VMs launched twice", r.vmsLaunchedTwice());
        out.printf("%-28s %d%n", "KCIDB submissions doubled", r.submissionsDoubled());
        out.printf("%-28s %d (identical rows re-sent after a crash between the POST and its record;"
                + " KCIDB merges rows by id)%n", "KCIDB rows re-sent", r.rowsResent());
        out.printf("%-28s %d (of %d jobs and the BuildComplete run, against the fault-free run)%n",
                "results differing", r.resultsDiffering(), r.jobs());
        out.printf("%-28s %d (requests setting a job node to done, beyond the first per node)%n",
                "nodes finished twice", r.nodesFinishedTwice());
        out.printf("%-28s %d replayed, %d left%n", "dead letters", r.deadLettersReplayed(), r.deadLettersLeft());
        if (!r.clean()) {
            out.println("NOT CLEAN; job nodes:");
            outcome.jobNodes().forEach((id, state) -> out.println("  " + id + " " + state));
            outcome.runs().forEach(run -> out.println("  run " + run.runPrefix() + " " + run.state()
                    + run.jobNodeId().map(id -> " (job " + id + ")").orElse("")));
            r.differences().forEach(d -> out.println("  results of " + d));
        }
    }

    /** The fault plan handed to the lab. */
    static final class Plan implements LabFaults, ExecutionInterceptor {

        /** Both the orchestrator's launch intents and the analyzer's run leases last 5 minutes. */
        private static final Duration PAST_LEASES = Duration.ofMinutes(6);

        private static final ObjectMapper JSON = new ObjectMapper();

        private final boolean crashes;
        private final boolean outages;
        private final int maxDeliveries;
        private final SplittableRandom random;
        private final Mutation mutation;
        private final SteppingClock clock = new SteppingClock();
        /** Boundaries crashed so far, each with its occurrence in one invocation ({@code … #2}: the second write). */
        private final Set<String> boundaries = Collections.synchronizedSet(new LinkedHashSet<>());
        final List<String> crashed = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger killed = new AtomicInteger();
        final AtomicInteger deliveries = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger apiFaults = new AtomicInteger();
        final AtomicInteger kcidbFaults = new AtomicInteger();
        private final AtomicBoolean queuedTwice = new AtomicBoolean();
        /** The function the current thread is invoking, and how often it reached each boundary in this invocation. */
        private final ThreadLocal<String> function = ThreadLocal.withInitial(() -> "lab");
        private final ThreadLocal<Map<String, Integer>> reached = ThreadLocal.withInitial(HashMap::new);

        Plan(boolean crashes, boolean outages, int maxDeliveries, SplittableRandom random, Mutation mutation) {
            this.crashes = crashes;
            this.outages = outages;
            this.maxDeliveries = maxDeliveries;
            this.random = random;
            this.mutation = mutation;
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

        /** Half of the batches and schedule firings delivered more than once (seeded): the first two at once. */
        @Override
        public synchronized boolean concurrently(String queue) {
            boolean together = random.nextBoolean();
            if (together) {
                concurrent.incrementAndGet();
            }
            return together;
        }

        @Override
        public void invoking(String function) {
            this.function.set(function);
            reached.get().clear();
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
            if (round == 1 && mutation == Mutation.FINISH_TWICE) {
                api.staleReadsOfFinishedNodes(true);
            }
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

        /**
         * {@link Mutation#RUN_JOB_TWICE}: the poller's first batch to the jobs queue carries its first job twice, the
         * copy as another event an hour later (its own deduplication id, so SQS keeps both).
         */
        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            if (mutation == Mutation.RUN_JOB_TWICE && context.request() instanceof SendMessageBatchRequest batch
                    && "poller".equals(function.get()) && !batch.entries().isEmpty() && !queuedTwice.getAndSet(true)) {
                SendMessageBatchRequestEntry first = batch.entries().get(0);
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.entries());
                entries.add(first.toBuilder().id(first.id() + "-again")
                        .messageDeduplicationId(first.messageDeduplicationId() + "-again")
                        .messageBody(laterEvent(first.messageBody())).build());
                return batch.toBuilder().entries(entries).build();
            }
            return context.request();
        }

        private static String laterEvent(String ticket) {
            try {
                ObjectNode json = (ObjectNode) JSON.readTree(ticket);
                String at = json.path("event_timestamp").asText();
                json.put("event_timestamp", LocalDateTime.parse(at).plusHours(1).toString());
                json.put("event_id", json.path("event_id").asText() + "-again");
                return json.toString();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the mutation cannot read the job ticket " + ticket, e);
            }
        }

        /**
         * {@link Mutation#DROP_RESULT}: the analyzer's listing of a run's outputs loses the first {@code result.txt}.
         */
        @Override
        public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
            if (mutation == Mutation.DROP_RESULT && context.response() instanceof ListObjectsV2Response listing
                    && "analyzer".equals(function.get())) {
                List<S3Object> kept = new ArrayList<>(listing.contents());
                kept.stream().filter(o -> o.key().endsWith("/result.txt")).findFirst().ifPresent(kept::remove);
                return listing.toBuilder().contents(kept).build();
            }
            return context.response();
        }

        private void maybeCrash(String phase, ExecutionAttributes attributes) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            if (!writes(operation)) {
                return;
            }
            String step = step();
            boolean planted = mutation == Mutation.FINISH_TWICE && phase.equals("before")
                    && step.equals("DynamoDbRunStore.recordNodeFinish");
            if (!crashes && !planted) {
                return;
            }
            String boundary = function.get() + ": " + phase + " " + step + " (" + attributes.getAttribute(
                    SdkExecutionAttribute.SERVICE_NAME) + "." + operation + ")";
            int occurrence = reached.get().merge(boundary, 1, Integer::sum);
            String crash = occurrence == 1 ? boundary : boundary + " #" + occurrence;
            if (boundaries.add(crash)) {
                crashed.add(crash);
                throw new InjectedCrash(crash);
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
