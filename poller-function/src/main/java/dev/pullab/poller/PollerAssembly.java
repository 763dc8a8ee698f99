package dev.pullab.poller;

import dev.pullab.aws.DynamoDbCursorStore;
import dev.pullab.aws.DynamoDbJobLedger;
import dev.pullab.aws.SqsJobQueue;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.poll.CursorStore;
import dev.pullab.core.poll.InMemoryCursorStore;
import dev.pullab.core.poll.JobLedger;
import dev.pullab.core.poll.JobQueue;
import dev.pullab.core.poll.JobRecord;
import dev.pullab.core.poll.JobState;
import dev.pullab.core.poll.PollCycle;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Puts a {@link PollCycle} together from settings: the KernelCI client, the DynamoDB cursor and jobs tables, the
 * SQS jobs queue. Shared by the poller function and {@code pullab poll}.
 */
public final class PollerAssembly {

    private PollerAssembly() {
    }

    /**
     * A cycle that records, claims and queues.
     *
     * @throws dev.pullab.core.config.ConfigurationException when the token, a table or the queue is not configured
     */
    public static PollCycle live(PollerSettings settings, DynamoDbClient dynamo, SqsClient sqs, RetryPolicy retries) {
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build();
        Clock clock = Clock.systemUTC();
        CursorStore cursors = new DynamoDbCursorStore(enhanced,
                settings.require(settings.cursorTable(), "PULLAB_CURSOR_TABLE"), clock);
        JobLedger ledger = new DynamoDbJobLedger(enhanced, settings.require(settings.jobsTable(), "PULLAB_JOBS_TABLE"),
                clock);
        JobQueue queue = new SqsJobQueue(sqs, settings.require(settings.jobsQueueUrl(), "PULLAB_JOBS_QUEUE_URL"));
        KernelCiClient kernelci = new KernelCiClient(settings.apiBaseUri(), Optional.of(settings.requireApiToken()),
                new RetryingHttp("KernelCI API", retries));
        return new PollCycle(cycleSettings(settings, false), kernelci, cursors, ledger, queue,
                () -> UUID.randomUUID().toString());
    }

    /**
     * A cycle that only reads: the cursor from DynamoDB when a cursor table is configured (else from the start of
     * the feed), the feed from KernelCI; it claims, records and sends nothing.
     */
    public static PollCycle dryRun(PollerSettings settings, Optional<DynamoDbClient> dynamo, RetryPolicy retries) {
        CursorStore cursors = settings.cursorTable().<CursorStore>flatMap(table -> dynamo.map(client ->
                new DynamoDbCursorStore(DynamoDbEnhancedClient.builder().dynamoDbClient(client).build(), table,
                        Clock.systemUTC()))).orElseGet(InMemoryCursorStore::new);
        KernelCiClient kernelci = new KernelCiClient(settings.apiBaseUri(), settings.apiToken(),
                new RetryingHttp("KernelCI API", retries));
        return new PollCycle(cycleSettings(settings, true), kernelci, cursors, READ_ONLY_LEDGER, READ_ONLY_QUEUE,
                () -> "dry-run");
    }

    private static PollCycle.Settings cycleSettings(PollerSettings settings, boolean dryRun) {
        return new PollCycle.Settings(settings.runtimeName(), settings.platforms(), settings.pageSize(), dryRun,
                settings.parallelism());
    }

    private static final JobLedger READ_ONLY_LEDGER = new JobLedger() {
        @Override
        public JobRecord recordIfAbsent(JobRecord record) {
            throw new IllegalStateException("a dry run records nothing");
        }

        @Override
        public boolean transition(String nodeId, JobState from,
                JobState to, String reason) {
            throw new IllegalStateException("a dry run records nothing");
        }
    };

    private static final JobQueue READ_ONLY_QUEUE = tickets -> {
        throw new IllegalStateException("a dry run sends nothing");
    };
}
