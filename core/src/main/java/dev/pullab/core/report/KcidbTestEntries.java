package dev.pullab.core.report;

import dev.pullab.core.kcidb.KcidbNumber;
import dev.pullab.core.kcidb.KcidbStatus;
import dev.pullab.core.kcidb.KcidbTestEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The KCIDB tests of one report, in the order they are added, keeping only the first test of each id (a later one is
 * dropped as a {@link VmProblem.Kind#DUPLICATE_TEST} problem). Builds the per-VM tests (see {@link RunReporting}):
 * one per valid {@code results.json} entry, the ERROR or MISS test of a VM, and the MISS test of a {@link MissingVm}.
 * One instance per report.
 */
final class KcidbTestEntries {

    private final List<KcidbTestEntry> all = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private final List<VmProblem> problems;
    private int unlaunched;

    /**
     * @param problems where a dropped duplicate is reported
     */
    KcidbTestEntries(List<VmProblem> problems) {
        this.problems = problems;
    }

    /** Adds the test unless one with its id is there already. */
    void add(KcidbTestEntry test) {
        if (ids.add(test.idSuffix())) {
            all.add(test);
        } else {
            problems.add(new VmProblem(test.path(), test.idDiscriminator(), VmProblem.Kind.DUPLICATE_TEST,
                    "a second KCIDB test " + test.idSuffix() + " was dropped: ids must be unique"));
        }
    }

    /** Adds the tests of a reported VM: its valid results, then its MISS or ERROR test, if any. */
    void addVm(ReadVm vm) {
        vm.validResults().forEach((path, result) -> {
            KcidbTestEntry test = vmTest(vm, KcidbTestEntry.of(path, result.status().kcidbStatus()));
            if (result.durationSeconds().isPresent()) {
                test = test.withDurationSeconds(result.durationSeconds().getAsDouble());
            }
            if (result.measurement().isPresent()) {
                LabResult.Measurement m = result.measurement().get();
                test = test.withNumber(KcidbNumber.of(m.value(), m.unit().orElse(null)));
            }
            add(test);
        });
        if (vm.result().status() == VmResult.Status.MISSING) {
            List<String> comment = new ArrayList<>(List.of(RunReporting.MISSING_COMMENT));
            comment.addAll(vm.errors());
            add(vmTest(vm, KcidbTestEntry.of(vm.outputs().test(), KcidbStatus.MISS)
                    .withComment(String.join("; ", comment))));
        } else if (!vm.errors().isEmpty()) {
            add(vmTest(vm, KcidbTestEntry.of(vm.outputs().test(), KcidbStatus.ERROR)
                    .withComment(String.join("; ", vm.errors()))));
        }
    }

    /** Adds the MISS test of a VM that did not report; a never launched one is told apart by {@code missing-<n>}. */
    void addMissing(MissingVm vm) {
        addMissing(vm, ArtifactManifest.VmLinks.NONE);
    }

    /** Adds the MISS test of a VM that did not report, with the links of what it left (e.g. its console). */
    void addMissing(MissingVm vm, ArtifactManifest.VmLinks links) {
        KcidbTestEntry miss = KcidbTestEntry.of(vm.test(), KcidbStatus.MISS).withComment(vm.comment())
                .withIdDiscriminator(vm.instanceId().orElse("missing-" + ++unlaunched));
        KcidbTestEntry linked = links.logUrl().map(miss::withLogUrl).orElse(miss).withOutputFiles(links.outputFiles());
        add(vm.instanceId().map(id -> linked.withMisc("instance_id", id)).orElse(linked));
    }

    /** Adds the ERROR test of a test whose benchmarks could not be analysed. */
    void addAnalysisError(String test, String reason) {
        add(KcidbTestEntry.of(test, KcidbStatus.ERROR).withComment(reason));
    }

    List<KcidbTestEntry> all() {
        return all;
    }

    /** The test with each entry of misc added to its {@code misc}, in order. */
    static KcidbTestEntry withMisc(KcidbTestEntry test, Map<String, Object> misc) {
        KcidbTestEntry with = test;
        for (Map.Entry<String, Object> entry : misc.entrySet()) {
            with = with.withMisc(entry.getKey(), entry.getValue());
        }
        return with;
    }

    private static KcidbTestEntry vmTest(ReadVm vm, KcidbTestEntry test) {
        KcidbTestEntry withVm = withMisc(test.withIdDiscriminator(vm.outputs().instanceId()), vm.misc());
        return vm.logUrl().map(withVm::withLogUrl).orElse(withVm).withOutputFiles(vm.outputFiles());
    }
}
