package dev.pullab.aws;

import dev.pullab.core.launch.LiveVms;
import dev.pullab.core.launch.VmReaper;
import dev.pullab.core.launch.VmReaper.BeforeTermination;
import dev.pullab.core.launch.VmTags;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * {@link VmReaper} on EC2: finds a run's VMs by their {@code pullab:run} tag, terminates the ones still alive (after
 * handing each to its {@link BeforeTermination}, which keeps their console); as {@link LiveVms}, lists the ones
 * pending or running and terminates one of them (the sweeper's panic and hang detection).
 */
public final class Ec2InstanceReaper implements VmReaper, LiveVms {

    private static final Logger LOG = LoggerFactory.getLogger(Ec2InstanceReaper.class);

    private final Supplier<Ec2Client> ec2;
    private final BeforeTermination before;

    public Ec2InstanceReaper(Ec2Client ec2) {
        this(ec2, BeforeTermination.NOTHING);
    }

    /** Calling {@code before} (e.g. a console capture) for each VM still alive just before terminating it. */
    public Ec2InstanceReaper(Ec2Client ec2, BeforeTermination before) {
        this.ec2 = () -> ec2;
        this.before = before;
    }

    /**
     * With the client built on the first run to reap: most sweeps find no overdue run, and building the EC2 client is
     * one of the dearest steps of a cold start.
     */
    public Ec2InstanceReaper(Supplier<Ec2Client> ec2) {
        this(ec2, BeforeTermination.NOTHING);
    }

    /** Lazily built, calling {@code before} for each VM still alive just before terminating it. */
    public Ec2InstanceReaper(Supplier<Ec2Client> ec2, BeforeTermination before) {
        this.ec2 = Lazy.of(ec2);
        this.before = before;
    }

    @Override
    public Map<String, String> terminate(String runPrefix) {
        Map<String, String> tests = new LinkedHashMap<>();
        List<String> alive = new java.util.ArrayList<>();
        for (Instance vm : ec2.get().describeInstances(b -> b.filters(Filter.builder().name("tag:" + VmTags.RUN)
                .values(runPrefix).build())).reservations().stream().flatMap(r -> r.instances().stream()).toList()) {
            String test = vm.tags().stream().filter(t -> t.key().equals(VmTags.TEST)).map(t -> t.value()).findFirst()
                    .orElse("unknown");
            tests.put(vm.instanceId(), test);
            String state = vm.state() == null ? "" : vm.state().nameAsString();
            if (!state.equals("terminated") && !state.equals("shutting-down")) {
                keepWhatItLeft(runPrefix, test, vm.instanceId());
                alive.add(vm.instanceId());
            }
        }
        if (!alive.isEmpty()) {
            ec2.get().terminateInstances(b -> b.instanceIds(alive));
        }
        return tests;
    }

    @Override
    public List<LiveVm> alive(String runPrefix) {
        return runInstances(runPrefix, "pending", "running").stream()
                .map(vm -> new LiveVm(vm.instanceId(), test(vm), vm.launchTime() == null ? java.time.Instant.EPOCH
                        : vm.launchTime()))
                .toList();
    }

    @Override
    public void terminate(String runPrefix, String instanceId) {
        boolean ofRun = ec2.get().describeInstances(b -> b.instanceIds(instanceId).filters(Filter.builder()
                .name("tag:" + VmTags.RUN).values(runPrefix).build())).reservations().stream()
                .anyMatch(r -> !r.instances().isEmpty());
        if (!ofRun) {
            LOG.warn("run {}: {} not terminated: it is not a VM of the run (no such instance with the run's tag)",
                    runPrefix, instanceId);
            return;
        }
        ec2.get().terminateInstances(b -> b.instanceIds(instanceId));
    }

    private List<Instance> runInstances(String runPrefix, String... states) {
        return ec2.get().describeInstances(b -> b.filters(
                Filter.builder().name("tag:" + VmTags.RUN).values(runPrefix).build(),
                Filter.builder().name("instance-state-name").values(states).build())).reservations().stream()
                .flatMap(r -> r.instances().stream()).toList();
    }

    private static String test(Instance vm) {
        return vm.tags().stream().filter(t -> t.key().equals(VmTags.TEST)).map(t -> t.value()).findFirst()
                .orElse("unknown");
    }

    /** The hook, guarded: whatever it fails on, the VM is still terminated. */
    private void keepWhatItLeft(String runPrefix, String test, String instanceId) {
        try {
            before.beforeTerminate(runPrefix, test, instanceId);
        } catch (RuntimeException e) {
            LOG.warn("run {}: before terminating {}: {}; terminating it anyway", runPrefix, instanceId, e.toString());
        }
    }
}
