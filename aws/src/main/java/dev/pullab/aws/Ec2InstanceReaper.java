package dev.pullab.aws;

import dev.pullab.core.launch.VmReaper;
import dev.pullab.core.launch.VmTags;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/** {@link VmReaper} on EC2: finds a run's VMs by their {@code pullab:run} tag, terminates the ones still alive. */
public final class Ec2InstanceReaper implements VmReaper {

    private final Supplier<Ec2Client> ec2;

    public Ec2InstanceReaper(Ec2Client ec2) {
        this.ec2 = () -> ec2;
    }

    /**
     * With the client built on the first run to reap: most sweeps find no overdue run, and building the EC2 client is
     * one of the dearest steps of a cold start.
     */
    public Ec2InstanceReaper(Supplier<Ec2Client> ec2) {
        this.ec2 = Lazy.of(ec2);
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
                alive.add(vm.instanceId());
            }
        }
        if (!alive.isEmpty()) {
            ec2.get().terminateInstances(b -> b.instanceIds(alive));
        }
        return tests;
    }
}
