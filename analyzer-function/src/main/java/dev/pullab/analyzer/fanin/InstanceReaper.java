package dev.pullab.analyzer.fanin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/** Finds a run's VMs by their {@code pullab:run} tag and terminates the ones still alive (for the sweeper). */
public final class InstanceReaper {

    static final String TAG_RUN = "pullab:run";
    static final String TAG_TEST = "pullab:test";

    private final Supplier<Ec2Client> ec2;

    public InstanceReaper(Ec2Client ec2) {
        this.ec2 = () -> ec2;
    }

    /**
     * With the client built on the first run to reap: most sweeps find no overdue run, and building the EC2 client is
     * one of the dearest steps of a cold start.
     */
    public InstanceReaper(Supplier<Ec2Client> ec2) {
        this.ec2 = new Supplier<>() {
            private Ec2Client client;

            @Override
            public synchronized Ec2Client get() {
                if (client == null) {
                    client = ec2.get();
                }
                return client;
            }
        };
    }

    /**
     * Terminates the run's VMs that are not terminated yet.
     *
     * @return every VM of the run (terminated now or before) with the test it ran, by instance id
     */
    public Map<String, String> terminate(String runPrefix) {
        Map<String, String> tests = new LinkedHashMap<>();
        List<String> alive = new java.util.ArrayList<>();
        for (Instance vm : ec2.get().describeInstances(b -> b.filters(Filter.builder().name("tag:" + TAG_RUN)
                .values(runPrefix).build())).reservations().stream().flatMap(r -> r.instances().stream()).toList()) {
            String test = vm.tags().stream().filter(t -> t.key().equals(TAG_TEST)).map(t -> t.value()).findFirst()
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
