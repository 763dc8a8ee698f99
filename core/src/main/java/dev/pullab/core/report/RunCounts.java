package dev.pullab.core.report;

import dev.pullab.core.run.RunRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts how the VMs of a run ended: the {@link VmCounts} of the pipeline summary, and the message of a job that got
 * no result, naming how many VMs failed, did not report, wrote a malformed {@code results.json} or none.
 */
final class RunCounts {

    private RunCounts() {
    }

    static VmCounts counts(RunRecord run, List<ReadVm> vms, List<MissingVm> missing) {
        int successful = 0;
        int failed = 0;
        int notReported = missing.size();
        for (ReadVm vm : vms) {
            switch (vm.result().status()) {
                case SUCCESS -> successful++;
                case FAILED -> failed++;
                case MISSING -> notReported++;
            }
        }
        return new VmCounts(run.expectedVms(), successful, failed, notReported);
    }

    /** Why no VM gave a result, e.g. {@code 1 of 2 VMs did not report before the deadline; 1 of 2 VMs failed (…)}. */
    static String noResultsMessage(List<ReadVm> vms, List<MissingVm> missingVms, VmCounts counts) {
        int total = Math.max(counts.expected(), vms.size() + missingVms.size());
        int missing = missingVms.size();
        List<String> failures = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        int withoutResults = 0;
        for (ReadVm vm : vms) {
            if (vm.result().status() == VmResult.Status.MISSING) {
                missing++;
            } else if (vm.result().status() == VmResult.Status.FAILED) {
                failures.add(vm.result().line().orElseThrow());
            } else if (vm.labResults().flatMap(LabResults::error).isPresent()) {
                malformed.add(vm.labResults().flatMap(LabResults::error).orElseThrow());
            } else if (vm.outputs().notRead().containsKey("results.json")) {
                malformed.add("results.json " + vm.outputs().notRead().get("results.json"));
            } else {
                withoutResults++;
            }
        }
        List<String> parts = new ArrayList<>();
        if (missing > 0) {
            parts.add(missing + " of " + total + " VMs did not report before the deadline" + firstWhy(missingVms));
        }
        if (!failures.isEmpty()) {
            parts.add(failures.size() + " of " + total + " VMs failed (" + failures.get(0) + ")");
        }
        if (!malformed.isEmpty()) {
            parts.add(malformed.size() + " of " + total + " VMs wrote a malformed results.json (" + malformed.get(0)
                    + ")");
        }
        if (withoutResults > 0) {
            parts.add(withoutResults + " of " + total + " VMs wrote no results");
        }
        return parts.isEmpty() ? "no VM reported a result" : String.join("; ", parts);
    }

    /** {@code " (<instance>: <why>)"} of the first missing VM whose console says why; empty text when none does. */
    static String firstWhy(List<MissingVm> missing) {
        return missing.stream().filter(vm -> vm.why().isPresent()).findFirst()
                .map(vm -> " (" + vm.instanceId().map(id -> id + ": ").orElse("") + vm.why().orElseThrow() + ")")
                .orElse("");
    }
}
