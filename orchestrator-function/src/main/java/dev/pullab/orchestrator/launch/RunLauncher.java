package dev.pullab.orchestrator.launch;

import dev.pullab.core.launch.LaunchBusyException;
import dev.pullab.core.launch.LaunchIntents;
import dev.pullab.core.launch.Launcher;
import dev.pullab.core.launch.VmLaunch;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.url.UrlRedaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches every VM (or task) of a run exactly once, whatever is delivered twice or crashes: records the run, claims
 * each VM's launch intent, launches (or adopts a VM an earlier attempt started), and records the instances.
 */
public final class RunLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(RunLauncher.class);
    /** Time after the VMs' max runtime before missing VMs count as missing (boot, upload, clock skew). */
    public static final Duration DEADLINE_GRACE = Duration.ofMinutes(30);

    private final LaunchIntents intents;
    private final Launcher ec2;
    private final Launcher fargate;
    private final RunStore runs;
    private final Clock clock;

    public RunLauncher(LaunchIntents intents, Launcher ec2, Launcher fargate, RunStore runs, Clock clock) {
        this.intents = intents;
        this.ec2 = ec2;
        this.fargate = fargate;
        this.runs = runs;
        this.clock = clock;
    }

    /**
     * @return the instance ids (or task ARNs) of the run, in VM order
     * @throws LaunchBusyException when another invocation is launching one of the VMs right now
     */
    public List<String> launch(RunPlan plan) {
        Instant now = clock.instant();
        long deadline = now.plusSeconds(plan.maxRuntimeS()).plus(DEADLINE_GRACE).getEpochSecond();
        runs.createIfAbsent(new RunRecord(plan.runPrefix(), plan.testId(), plan.jobNodeId(), plan.executor(),
                plan.groups().stream().map(g -> g.test().name()).distinct().toList(), kernels(plan),
                plan.expectedVms(), List.of(),
                RunRecord.RunState.LAUNCHING, now.getEpochSecond(), deadline));
        Launcher launcher = plan.executor() == Executor.EC2 ? ec2 : fargate;
        long intentExpiry = now.plus(Duration.ofDays(30)).getEpochSecond();
        List<LaunchedVm> vms = new ArrayList<>();
        int index = 0;
        for (VmGroup group : plan.groups()) {
            for (int i = 0; i < group.count(); i++) {
                vms.add(LaunchedVm.of(group.test().name(),
                        launchOne(launcher, new VmLaunch(plan, group, index++), now, intentExpiry)));
            }
        }
        runs.addInstances(plan.runPrefix(), vms);
        List<String> ids = vms.stream().map(LaunchedVm::instanceId).toList();
        runs.transition(plan.runPrefix(), RunRecord.RunState.LAUNCHING, RunRecord.RunState.RUNNING);
        LOG.info("run {}: {} {} launched ({})", plan.runPrefix(), ids.size(),
                plan.executor() == Executor.EC2 ? "VMs" : "tasks", String.join(", ", ids));
        return ids;
    }

    /**
     * The job's kernel artifacts (params.env's PULLAB_KERNEL_URL of every test) as the runs table keeps them: without
     * user info ({@link UrlRedaction}), which the artifact URL policy refuses anyway; the table and reports built from
     * it are read by people who must not see a credential.
     */
    static List<String> kernels(RunPlan plan) {
        return plan.groups().stream().map(g -> g.test().params().getOrDefault("PULLAB_KERNEL_URL", ""))
                .filter(url -> !url.isEmpty()).map(UrlRedaction::shown).distinct().toList();
    }

    private String launchOne(Launcher launcher, VmLaunch launch, Instant now, long intentExpiry) {
        LaunchIntents.Claim claim = intents.claim(launch.launchId(), now, intentExpiry);
        if (claim instanceof LaunchIntents.Claim.Launched launched) {
            return launched.instanceId();
        }
        if (claim instanceof LaunchIntents.Claim.Busy) {
            throw new LaunchBusyException(launch.launchId());
        }
        Optional<String> adopted = ((LaunchIntents.Claim.Owned) claim).takenOver() ? launcher.find(launch)
                : Optional.empty();
        String id = adopted.orElseGet(() -> launcher.launch(launch));
        adopted.ifPresent(a -> LOG.info("adopted {} started for {} by an earlier attempt", a, launch.launchId()));
        intents.launched(launch.launchId(), id);
        return id;
    }
}
