package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.job.JobTicket;
import dev.pullab.core.poll.JobRecord;
import dev.pullab.core.poll.JobState;
import dev.pullab.testkit.AwsEmulator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The jobs table's grouped QUEUED marks on the emulator. */
class DynamoDbJobLedgerIT {

    private final PollerTables aws = PollerTables.create(AwsEmulator.get().client(DynamoDbClient.builder()),
            AwsEmulator.get().client(SqsClient.builder()));
    private final DynamoDbJobLedger ledger = aws.ledger();

    private static JobRecord recorded(int n) {
        return new JobRecord(new JobTicket("node-" + n, "job-" + n, "pull-labs-aws-ec2", "qemu-x86_64", "x86_64",
                "{\"n\": " + n + "}", "kbuild-" + n, "pull-labs-aws-ec2:marker-" + n, "e" + n,
                "2026-12-05T10:00:00.000"), JobState.RECORDED, Optional.empty());
    }

    @Test
    @DisplayName("25 sent jobs are marked QUEUED in one call, each record kept whole (ticket, marker)")
    void givenRecordedJobs_whenMarkedQueued_thenQueuedAndKept() {
        List<JobRecord> records = IntStream.range(0, 25).mapToObj(DynamoDbJobLedgerIT::recorded).toList();
        records.forEach(ledger::recordIfAbsent);

        List<Boolean> marked = ledger.markQueued(records);

        assertThat(marked).hasSize(25).containsOnly(true);
        assertThat(records).allSatisfy(r -> assertThat(ledger.find(r.nodeId())).hasValueSatisfying(stored -> {
            assertThat(stored.state()).isEqualTo(JobState.QUEUED);
            assertThat(stored.ticket()).isEqualTo(r.ticket());
        }));
    }

    @Test
    @DisplayName("a record an earlier version left CLAIMED is marked QUEUED too")
    void givenClaimedRecord_whenMarkedQueued_thenQueued() {
        JobRecord claimed = recorded(1);
        ledger.recordIfAbsent(claimed);
        ledger.transition(claimed.nodeId(), JobState.RECORDED, JobState.CLAIMED, "");

        ledger.markQueued(List.of(new JobRecord(claimed.ticket(), JobState.CLAIMED, Optional.empty())));

        assertThat(ledger.find(claimed.nodeId()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    @DisplayName("more than BatchWriteItem's 25 writes in one call is refused before any request")
    void givenTooMany_whenMarked_thenRefused() {
        List<JobRecord> records = IntStream.range(0, 26).mapToObj(DynamoDbJobLedgerIT::recorded).toList();

        assertThatThrownBy(() -> ledger.markQueued(records)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 25");
    }
}
