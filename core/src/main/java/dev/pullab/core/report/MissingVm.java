package dev.pullab.core.report;

import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A VM of a run that did not report (no {@code result.txt}) before the deadline.
 *
 * @param test       the test it was to run
 * @param instanceId its instance id (or task ARN); empty for a VM that was expected but never launched
 * @param why        why it did not report, read from its serial console (e.g. {@code kernel panic on the serial
 *                   console: "..."}, {@code the client never started; console ends: "..."}); empty when unknown
 */
public record MissingVm(String test, Optional<String> instanceId, Optional<String> why) {

    /**
     * The test name {@link #forRun} gives a missing VM of a run with several tests: which test an unreported VM ran
     * is not recorded.
     */
    public static final String UNKNOWN_TEST = "vm";

    public MissingVm {
        Objects.requireNonNull(test, "test");
        if (test.isBlank()) {
            throw new IllegalArgumentException("a missing VM needs a test name");
        }
        instanceId = Objects.requireNonNull(instanceId, "instanceId").filter(id -> !id.isBlank());
        why = Objects.requireNonNull(why, "why").map(String::strip).filter(w -> !w.isEmpty());
    }

    /** A missing VM, why unknown. */
    public MissingVm(String test, Optional<String> instanceId) {
        this(test, instanceId, Optional.empty());
    }

    /** This VM with why it did not report. */
    public MissingVm because(String reason) {
        return new MissingVm(test, instanceId, Optional.of(reason));
    }

    /** What its MISS test and problem say: {@value RunReporting#MISSING_COMMENT}, then why in parentheses. */
    public String comment() {
        return RunReporting.MISSING_COMMENT + why.map(w -> " (" + w + ")").orElse("");
    }

    /** A launched VM that did not report. */
    public static MissingVm of(String test, String instanceId) {
        return new MissingVm(test, Optional.of(instanceId));
    }

    /** A VM that was expected but never launched, so has no instance id. */
    public static MissingVm unlaunched(String test) {
        return new MissingVm(test, Optional.empty());
    }

    /**
     * The run's missing VMs: every launched instance ({@link RunRecord#launched()}, named by the test it was launched
     * for) that is not among the reported ones, then one {@link #unlaunched} VM for each expected VM that was neither
     * launched nor reported. Unlaunched VMs (and VMs of runs recorded before tests were kept per VM) get the run's test
     * when it has exactly one, {@value #UNKNOWN_TEST} otherwise.
     *
     * @param reported the VMs that reported (their instance ids are matched against the launched ones)
     */
    public static List<MissingVm> forRun(RunRecord run, Collection<VmOutputs> reported) {
        return forRun(run, reported, Map.of());
    }

    /**
     * Like {@link #forRun(RunRecord, Collection)}, counting as launched also the VMs found by their launch tags
     * (the sweeper's view: a VM an attempt started whose record that attempt did not write).
     *
     * @param tagged instance id → the test it was launched for, from the instances' tags
     */
    public static List<MissingVm> forRun(RunRecord run, Collection<VmOutputs> reported, Map<String, String> tagged) {
        String test = run.tests().size() == 1 ? run.tests().get(0) : UNKNOWN_TEST;
        Set<String> accounted = new LinkedHashSet<>();
        reported.forEach(vm -> accounted.add(vm.instanceId()));
        List<MissingVm> missing = new ArrayList<>();
        for (LaunchedVm vm : run.launched()) {
            if (accounted.add(vm.instanceId())) {
                missing.add(of(vm.test().or(() -> Optional.ofNullable(tagged.get(vm.instanceId()))).orElse(test),
                        vm.instanceId()));
            }
        }
        tagged.forEach((id, taggedTest) -> {
            if (accounted.add(id)) {
                missing.add(of(taggedTest, id));
            }
        });
        for (int i = accounted.size(); i < run.expectedVms(); i++) {
            missing.add(unlaunched(test));
        }
        return missing;
    }
}
