package dev.pullab.poller;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.pullab.aws.AwsClients;
import dev.pullab.aws.Lazy;
import dev.pullab.aws.SnapStartHooks;
import dev.pullab.poller.PollerAssembly;
import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.poll.PollCycle;
import dev.pullab.core.poll.PollReport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Lambda entry point, invoked by an EventBridge Scheduler schedule: one poll cycle per invocation (the input is
 * ignored). Settings come from the function's environment (see {@link PollerSettings}); the KernelCI token from
 * Secrets Manager ({@code KERNELCI_API_TOKEN_SECRET_ARN}). A failure is thrown, so the invocation fails, the
 * schedule's retry policy applies, and the cursor stays before the job that failed.
 */
public final class PollHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    static {
        // LOG_LEVEL (ERROR, WARN, INFO, DEBUG), before the first logger is made
        dev.pullab.core.config.LogLevel.configureFunction();
    }

    private static final Logger LOG = LoggerFactory.getLogger(PollHandler.class);
    /** Stop starting new pages when less than this is left: a page plus its claims must fit in it. */
    static final Duration SAFETY_MARGIN = Duration.ofSeconds(20);

    private final String runtime;
    private final Supplier<PollCycle> cycle;

    /**
     * Used by Lambda: settings, clients and the cycle built once per execution environment (again after a SnapStart
     * restore: {@link Environment#HOOKS}).
     */
    public PollHandler() {
        // the first use of Environment initializes all its fields, HOOKS (registered with org.crac) included
        this(Environment.SETTINGS.get().runtimeName(), Environment.CYCLE);
    }

    /**
     * For in-process runs (pullab local-run) and tests: settings and clients given. The cycle (KernelCI client,
     * tables, queue) is put together here, once; each invocation only runs it.
     */
    public PollHandler(PollerSettings settings, DynamoDbClient dynamo, SqsClient sqs, RetryPolicy retries) {
        PollCycle built = PollerAssembly.live(settings, dynamo, sqs, retries);
        this.runtime = settings.runtimeName();
        this.cycle = () -> built;
    }

    private PollHandler(String runtime, Supplier<PollCycle> cycle) {
        this.runtime = runtime;
        this.cycle = cycle;
        cycle.get(); // built in the init phase, as before
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        PollReport report = cycle.get().run(timeLeft(context));
        if (report.hasRefusals()) {
            // fails the invocation, so the function's error alarm fires; the jobs stay claimable, the cursor before them
            throw new IllegalStateException("the KernelCI API rejected " + report.refused().size() + " claim(s) as"
                    + " malformed, a defect of this lab (the jobs stay claimable and are claimed again next poll): "
                    + report.refused());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runtime", runtime);
        result.put("events", report.events());
        result.put("jobs_found", report.found().size());
        result.put("jobs_queued", report.queued().stream().map(t -> t.nodeId()).toList());
        result.put("duplicates", report.duplicates());
        result.put("skipped", report.skipped());
        result.put("malformed_events", report.malformed());
        result.put("caught_up", report.caughtUp());
        result.put("cursor", report.after().from().map(t -> t.text()).orElse(""));
        return result;
    }

    private static BooleanSupplier timeLeft(Context context) {
        if (context == null) {
            return () -> true;
        }
        return () -> context.getRemainingTimeInMillis() > SAFETY_MARGIN.toMillis();
    }

    /** The execution environment's settings and clients, each built on first use (Lambda's init phase), once. */
    private static final class Environment {
        static final Lazy<PollerSettings> SETTINGS = Lazy.of(() -> {
            PollerSettings settings = PollerSettings.resolve(ConfigSource.ofEnvironmentOnly(System.getenv()),
                    AwsClients.secrets(AwsClients.secretsManager(Optional.empty())));
            LOG.info("poller configured: {}", settings);
            return settings;
        });
        static final Lazy<DynamoDbClient> DYNAMO = Lazy.of(() -> AwsClients.dynamoDb(Optional.empty()));
        static final Lazy<SqsClient> SQS = Lazy.of(() -> AwsClients.sqs(Optional.empty()));
        /** The cycle (its KernelCI client's JDK HTTP client, the tables, the queue) on these clients. */
        static final Lazy<PollCycle> CYCLE = Lazy.of(() -> PollerAssembly.live(SETTINGS.get(), DYNAMO.get(), SQS.get(),
                RetryPolicy.defaults()));
        /**
         * SnapStart: primes with the cycle built and a {@code DescribeTable} of the cursor table (read-only); after a
         * restore the cycle and the clients are rebuilt on the next poll. The settings (with the token) are kept.
         */
        static final SnapStartHooks HOOKS = SnapStartHooks.register("poller", () -> {
            CYCLE.get();
            DYNAMO.get().describeTable(b -> b.tableName(SETTINGS.get().require(SETTINGS.get().cursorTable(),
                    "PULLAB_CURSOR_TABLE")));
        }, List.of(CYCLE, DYNAMO, SQS));
    }
}
