package dev.pullab.core.poll;

import dev.pullab.core.job.JobTicket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** In-memory ledger and queue for unit tests of the cycle. */
final class InMemoryJobs implements JobLedger, JobQueue {

    final Map<String, JobRecord> records = new LinkedHashMap<>();
    final List<JobTicket> sent = new ArrayList<>();

    @Override
    public synchronized JobRecord recordIfAbsent(JobRecord record) {
        return records.computeIfAbsent(record.nodeId(), k -> record);
    }

    @Override
    public synchronized boolean transition(String nodeId, JobState from, JobState to, String reason) {
        JobRecord stored = records.get(nodeId);
        if (stored == null || stored.state() != from) {
            return false;
        }
        records.put(nodeId, new JobRecord(stored.ticket(), to, reason.isEmpty() ? Optional.empty()
                : Optional.of(reason)));
        return true;
    }

    @Override
    public synchronized void send(List<JobTicket> tickets) {
        sent.addAll(tickets);
    }
}
