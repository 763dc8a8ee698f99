package dev.pullab.core.report;

import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.kernelci.JobOutcome;
import dev.pullab.core.kernelci.NodeResult;
import dev.pullab.core.kernelci.NodeTestResult;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The KernelCI job outcome of a run, from what its VMs found: the child nodes of the valid {@code results.json}
 * paths, their roll-up, the {@code test_log} artifact (see {@link RunReporting}). An overdue run's outcome is
 * {@link RunReporting#reportOverdue}'s.
 */
final class JobReporting {

    private JobReporting() {
    }

    static JobOutcome jobOutcome(String nodeId, List<ReadVm> vms, List<MissingVm> missing, VmCounts counts) {
        return jobOutcome(nodeId, vms, missing, counts, Optional.empty());
    }

    /**
     * @param missingLog the log of a VM that did not report (its console), linked as {@code test_log} when no
     *                   reported VM has a log
     */
    static JobOutcome jobOutcome(String nodeId, List<ReadVm> vms, List<MissingVm> missing, VmCounts counts,
            Optional<URI> missingLog) {
        JobTree tree = new JobTree();
        vms.forEach(vm -> vm.validResults().forEach((path, result) -> tree.add(path, result.status().nodeResult())));
        Map<String, String> artifacts = vms.stream().flatMap(vm -> vm.logUrl().stream()).findFirst()
                .or(() -> missingLog).map(url -> Map.of(RunReporting.TEST_LOG_ARTIFACT, url.toString())).orElse(Map.of());
        if (tree.isEmpty()) {
            return new JobOutcome(nodeId, NodeResult.INCOMPLETE, Optional.of(ErrorCode.INFRASTRUCTURE),
                    Optional.of(RunCounts.noResultsMessage(vms, missing, counts)), artifacts, List.of());
        }
        List<NodeTestResult> children = tree.nodes();
        Optional<NodeResult> rolledUp = NodeResult.rollUp(children.stream()
                .flatMap(child -> child.effectiveResult().stream()).toList());
        if (rolledUp.isEmpty()) {
            return new JobOutcome(nodeId, NodeResult.INCOMPLETE, Optional.of(ErrorCode.TEST),
                    Optional.of("no test passed, failed or was skipped: every result was an error"), artifacts,
                    children);
        }
        return new JobOutcome(nodeId, rolledUp.get(), Optional.empty(), Optional.empty(), artifacts, children);
    }
}
