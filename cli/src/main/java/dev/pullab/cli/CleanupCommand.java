package dev.pullab.cli;

import dev.pullab.aws.DynamoDbLaunchIntents;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.launch.LaunchIntents;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStatus;
import dev.pullab.core.run.RunStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ecs.EcsClient;

/** {@code pullab cleanup}: what a lab can leak (VMs, QEMU tasks, launch intents), and with --delete, removes it. */
@Command(
        name = "cleanup",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Lists what the lab can leak, and with --delete removes it.",
            "",
            "Instances: EC2 instances tagged " + VmTags.LAB + "=true (pending, running, stopping or stopped) whose "
                    + VmTags.RUN + " tag names a run of THIS lab's runs table that is closed (DONE) or past its "
                    + "deadline; --delete terminates them.",
            "Tasks: QEMU runner tasks (Fargate) in the lab's own ECS cluster whose id a closed or overdue run of "
                    + "this lab recorded; --delete stops them. Skipped, with the reason, when the lab names no "
                    + "cluster.",
            "Intents: launch intents (launches table) of runs closed or no longer in the runs table, whose lease "
                    + "is over, that never completed (the launch died: a VM may have started untracked, listed "
                    + "above if it has the tags) or are past their expiry (the table's TTL lags); --delete deletes "
                    + "them. A completed intent of a closed run is kept: it stops a redelivered job from launching "
                    + "again, and its TTL (30 days) removes it.",
            "",
            "Several labs may share an account: an instance whose " + VmTags.RUN + " tag names a run this lab's "
                    + "table does not know (or that has no such tag) is listed as 'not this lab's' and never "
                    + "touched; neither is anything without the " + VmTags.LAB + "=true tag, nor a VM or task of "
                    + "an open run (listed as 'in use'). Progress goes to stderr, the listing to stdout.",
            ""
        },
        footer = {
            "",
            "Exit status: 0 nothing leaked is left (none found, or every one deleted),",
            "             1 leaked resources are left: listed without --delete (so a cron",
            "               job can alert), or a deletion failed; or an AWS call failed,",
            "             2 bad usage.",
            "",
            "Examples:",
            "  pullab cleanup --stack pullab              # list only",
            "  pullab cleanup --stack pullab --delete     # remove what leaked",
            "  pullab cleanup --lab lab.env --json | jq '.resources[] | select(.leaked)'"
        })
final class CleanupCommand implements Callable<Integer> {

    static final int EXIT_LEFT = 1;
    /** Most launch intents read (a lab's table holds a few per run, for at most a few days). */
    static final int MAX_INTENTS = 20_000;

    @Spec
    CommandSpec spec;

    @Mixin
    LabOptions lab;

    @Option(names = "--delete", description = "Terminate the leaked instances, stop the leaked tasks, delete the "
            + "leftover intents (default: list only).")
    boolean delete;

    @Option(names = "--json", description = "Print JSON ({\"resources\": [...], \"notes\": [...]}).")
    boolean json;

    private final Clock clock = Clock.systemUTC();

    /** What a found resource is to this lab. */
    enum Status {
        /** Of a closed or overdue run of this lab (or a leftover intent): cleanup removes it. */
        LEAKED,
        /** Of an open run of this lab: left alone. */
        IN_USE,
        /** Tagged pullab, but of no run this lab knows: another lab's, left alone. */
        NOT_THIS_LABS
    }

    /**
     * One resource found.
     *
     * @param kind   instance, task or intent
     * @param id     its id
     * @param run    the run it belongs to, when known
     * @param state  its state (EC2 state, task status, intent state)
     * @param ageS   seconds since it was launched (or, for intents, since its lease ended)
     * @param why    why it has this status
     * @param action what cleanup did or would do
     */
    record Found(String kind, String id, Optional<String> run, String state, long ageS, Status status, String why,
            String action) {
        Found withAction(String done) {
            return new Found(kind, id, run, state, ageS, status, why, done);
        }
    }

    @Override
    public Integer call() throws Exception {
        LabOptions.Lab resolved = lab.resolve();
        Instant now = clock.instant();
        DynamoDbRunStore runs = RunsCommand.runStore(resolved);
        Map<String, Optional<RunRecord>> known = new HashMap<>();
        PrintWriter err = spec.commandLine().getErr();
        List<Found> found = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        Ec2Client ec2 = resolved.client(Ec2Client.builder(), "AWS_ENDPOINT_URL_EC2", "aws.endpointUrlEc2");
        err.println("looking for instances tagged " + VmTags.LAB + "=true …");
        for (Instance vm : instances(ec2)) {
            found.add(instance(vm, runs, known, now));
        }
        found.addAll(tasks(resolved, runs, now, skipped, err));
        err.println("reading the launch intents …");
        Optional<String> launchesTable = resolved.names().find(LabNames.LAUNCHES_TABLE);
        DynamoDbLaunchIntents intents = launchesTable.map(t -> new DynamoDbLaunchIntents(resolved.client(
                DynamoDbClient.builder(), "AWS_ENDPOINT_URL_DYNAMODB", "aws.endpointUrlDynamoDb"), t)).orElse(null);
        Map<String, Long> leases = new HashMap<>();
        int[] keptIntents = {0};
        if (intents == null) {
            skipped.add("launch intents: the lab names no launches table (" + LabNames.LAUNCHES_TABLE.variable()
                    + ", stack output " + LabNames.LAUNCHES_TABLE.stackOutput() + ")");
        } else {
            LaunchIntents.Listed listed = intents.list(MAX_INTENTS);
            if (listed.truncated()) {
                skipped.add("launch intents: read the first " + MAX_INTENTS + " only");
            }
            for (LaunchIntents.Intent intent : listed.intents()) {
                Optional<Found> leftover = intent(intent, runs, known, now, keptIntents);
                leftover.ifPresent(f -> {
                    found.add(f);
                    leases.put(intent.launchId(), intent.leasedUntil());
                });
            }
        }

        boolean left = false;
        List<Found> reported = new ArrayList<>();
        for (Found f : found) {
            if (f.status() != Status.LEAKED) {
                reported.add(f);
                continue;
            }
            if (!delete) {
                reported.add(f);
                left = true;
                continue;
            }
            Found done = remove(f, ec2, resolved, intents, leases);
            left |= !done.action().startsWith("terminat") && !done.action().startsWith("stopp")
                    && !done.action().startsWith("deleted");
            reported.add(done);
        }
        if (keptIntents[0] > 0) {
            skipped.add("launch intents: " + keptIntents[0] + " completed intent(s) of closed runs kept until their "
                    + "TTL: they stop a redelivered job from launching its VMs again");
        }
        print(reported, skipped);
        return left ? EXIT_LEFT : 0;
    }

    private static List<Instance> instances(Ec2Client ec2) {
        List<Instance> vms = new ArrayList<>();
        ec2.describeInstancesPaginator(b -> b.filters(
                        Filter.builder().name("tag:" + VmTags.LAB).values("true").build(),
                        Filter.builder().name("instance-state-name").values("pending", "running", "stopping",
                                "stopped").build()))
                .reservations().forEach(r -> vms.addAll(r.instances()));
        return vms;
    }

    private static Optional<String> tag(Instance vm, String key) {
        return vm.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst();
    }

    private static Optional<RunRecord> run(String runPrefix, RunStore runs, Map<String, Optional<RunRecord>> known) {
        return known.computeIfAbsent(runPrefix, runs::find);
    }

    private static Found instance(Instance vm, RunStore runs, Map<String, Optional<RunRecord>> known, Instant now) {
        String state = vm.state().nameAsString();
        long age = vm.launchTime() == null ? 0 : Math.max(0, now.getEpochSecond() - vm.launchTime().getEpochSecond());
        Optional<String> runTag = tag(vm, VmTags.RUN);
        if (runTag.isEmpty()) {
            return new Found("instance", vm.instanceId(), Optional.empty(), state, age, Status.NOT_THIS_LABS,
                    "no " + VmTags.RUN + " tag", "left alone");
        }
        Optional<RunRecord> run = run(runTag.get(), runs, known);
        return classify("instance", vm.instanceId(), runTag.get(), run, state, age, now, "terminate");
    }

    private static Found classify(String kind, String id, String runPrefix, Optional<RunRecord> run, String state,
            long age, Instant now, String verb) {
        if (run.isEmpty()) {
            return new Found(kind, id, Optional.of(runPrefix), state, age, Status.NOT_THIS_LABS,
                    "run not in this lab's runs table", "left alone");
        }
        if (run.get().state() == RunRecord.RunState.DONE) {
            return new Found(kind, id, Optional.of(runPrefix), state, age, Status.LEAKED, "run closed (DONE)",
                    "would " + verb);
        }
        if (run.get().deadline() < now.getEpochSecond()) {
            return new Found(kind, id, Optional.of(runPrefix), state, age, Status.LEAKED, "run past its deadline "
                    + RunsCommand.age(run.get().deadline(), now) + " ago (" + run.get().state() + ")",
                    "would " + verb);
        }
        return new Found(kind, id, Optional.of(runPrefix), state, age, Status.IN_USE, "run open ("
                + run.get().state() + ", deadline in " + RunsCommand.age(now.getEpochSecond()
                        - (run.get().deadline() - now.getEpochSecond()), now) + ")", "left alone");
    }

    private List<Found> tasks(LabOptions.Lab resolved, DynamoDbRunStore runs, Instant now, List<String> skipped,
            PrintWriter err) {
        Optional<String> cluster = resolved.names().find(LabNames.ECS_CLUSTER);
        if (cluster.isEmpty()) {
            skipped.add("Fargate tasks: the lab names no ECS cluster (" + LabNames.ECS_CLUSTER.variable()
                    + ", stack output " + LabNames.ECS_CLUSTER.stackOutput() + "): a lab without QEMU platforms "
                    + "has none");
            return List.of();
        }
        err.println("looking for tasks in ECS cluster " + cluster.get() + " …");
        EcsClient ecs = resolved.client(EcsClient.builder(), "AWS_ENDPOINT_URL_ECS", "aws.endpointUrlEcs");
        List<String> arns = new ArrayList<>();
        ecs.listTasksPaginator(b -> b.cluster(cluster.get())
                .desiredStatus(software.amazon.awssdk.services.ecs.model.DesiredStatus.RUNNING)).taskArns()
                .forEach(arns::add);
        if (arns.isEmpty()) {
            return List.of();
        }
        // tasks carry no tags: a task is this lab's when a run of this lab recorded its id (they are in the lab's
        // own cluster)
        Map<String, RunRecord> runOfTask = new HashMap<>();
        RunStore.Recent all = runs.recent(0, RunsCommand.MAX_SCANNED, RunsCommand.MAX_SCANNED);
        if (all.truncated()) {
            skipped.add("Fargate tasks: read the first " + RunsCommand.MAX_SCANNED + " runs only");
        }
        for (RunStatus status : all.runs()) {
            status.run().instanceIds().forEach(id -> runOfTask.put(id, status.run()));
        }
        List<Found> found = new ArrayList<>();
        for (int i = 0; i < arns.size(); i += 100) {
            List<String> batch = arns.subList(i, Math.min(arns.size(), i + 100));
            ecs.describeTasks(b -> b.cluster(cluster.get()).tasks(batch)).tasks().stream()
                    // a task being stopped is not a leak any more
                    .filter(task -> !"STOPPED".equals(task.desiredStatus()) && !"STOPPED".equals(task.lastStatus()))
                    .forEach(task -> {
                String id = task.taskArn().substring(task.taskArn().lastIndexOf('/') + 1);
                long age = task.createdAt() == null ? 0 : Math.max(0, now.getEpochSecond()
                        - task.createdAt().getEpochSecond());
                RunRecord run = runOfTask.get(id);
                if (run == null) {
                    found.add(new Found("task", id, Optional.empty(), task.lastStatus(), age,
                            Status.NOT_THIS_LABS, "no run of this lab recorded it", "left alone"));
                } else {
                    found.add(classify("task", id, run.runPrefix(), Optional.of(run),
                            task.lastStatus(), age, now, "stop"));
                }
            });
        }
        return found;
    }

    /**
     * A leftover intent: of a run closed (or gone from the runs table), past its lease, and either never completed
     * (PENDING: its launch died, and a VM may have started untracked; the instance listing finds it by tag) or past
     * its own expiry (the table's TTL has not got to it yet). A completed intent of a closed run is not a leftover:
     * it is what stops a redelivered job from launching that VM again, and the TTL removes it (30 days).
     */
    private static Optional<Found> intent(LaunchIntents.Intent intent, RunStore runs,
            Map<String, Optional<RunRecord>> known, Instant now, int[] kept) {
        if (intent.leasedUntil() >= now.getEpochSecond()) {
            return Optional.empty();
        }
        Optional<RunRecord> run = run(intent.runPrefix(), runs, known);
        boolean closed = run.map(r -> r.state() == RunRecord.RunState.DONE).orElse(true);
        if (!closed) {
            return Optional.empty();
        }
        boolean expired = intent.expiresAt() > 0 && intent.expiresAt() < now.getEpochSecond();
        if (intent.launched() && !expired) {
            kept[0]++;
            return Optional.empty();
        }
        long age = now.getEpochSecond() - intent.leasedUntil();
        String state = intent.launched() ? "LAUNCHED " + intent.instanceId().orElse("") : "PENDING";
        String runWhy = run.isEmpty() ? "run no longer in the runs table" : "run closed (DONE)";
        String why = expired ? runWhy + ", past its expiry (TTL lags)" : runWhy + ", launch never completed";
        return Optional.of(new Found("intent", intent.launchId(), Optional.of(intent.runPrefix()), state.strip(),
                age, Status.LEAKED, why, "would delete"));
    }

    private Found remove(Found f, Ec2Client ec2, LabOptions.Lab resolved, DynamoDbLaunchIntents intents,
            Map<String, Long> leases) {
        try {
            switch (f.kind()) {
                case "instance" -> {
                    // re-check the tag on the instance itself right before terminating it
                    boolean tagged = ec2.describeInstances(b -> b.instanceIds(f.id())).reservations().stream()
                            .flatMap(r -> r.instances().stream())
                            .anyMatch(vm -> tag(vm, VmTags.LAB).equals(Optional.of("true"))
                                    && tag(vm, VmTags.RUN).equals(f.run()));
                    if (!tagged) {
                        return f.withAction("not terminated: its tags changed");
                    }
                    ec2.terminateInstances(b -> b.instanceIds(f.id()));
                    return f.withAction("terminated");
                }
                case "task" -> {
                    String cluster = resolved.names().require(LabNames.ECS_CLUSTER);
                    resolved.client(EcsClient.builder(), "AWS_ENDPOINT_URL_ECS", "aws.endpointUrlEcs")
                            .stopTask(b -> b.cluster(cluster).task(f.id()).reason("pullab cleanup: " + f.why()));
                    return f.withAction("stopped");
                }
                default -> {
                    return intents.delete(f.id(), leases.get(f.id())) ? f.withAction("deleted")
                            : f.withAction("not deleted: it changed since it was read");
                }
            }
        } catch (SdkException e) {
            return f.withAction("failed: " + CliErrors.describe(e));
        }
    }

    private void print(List<Found> found, List<String> skipped) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("deleted", delete);
            doc.put("resources", found.stream().map(f -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("kind", f.kind());
                row.put("id", f.id());
                row.put("run", f.run().orElse(null));
                row.put("state", f.state());
                row.put("age_s", f.ageS());
                row.put("status", f.status().name().toLowerCase(Locale.ROOT));
                row.put("leaked", f.status() == Status.LEAKED);
                row.put("why", f.why());
                row.put("action", f.action());
                return row;
            }).toList());
            doc.put("notes", skipped);
            out.println(RunsCommand.JSON.writeValueAsString(doc));
            out.flush();
            return;
        }
        if (found.isEmpty()) {
            out.println("nothing tagged " + VmTags.LAB + "=true and no leftover launch intents");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"KIND", "ID", "RUN", "STATE", "AGE", "STATUS", "WHY", "ACTION"});
            for (Found f : found) {
                rows.add(new String[] {f.kind(), f.id(), f.run().orElse("-"), f.state(),
                    RunsCommand.age(0, Instant.ofEpochSecond(f.ageS())), status(f.status()), f.why(), f.action()});
            }
            RunsCommand.Table.print(out, rows);
        }
        long leaked = found.stream().filter(f -> f.status() == Status.LEAKED).count();
        out.println();
        out.println(leaked + " leaked" + (delete ? "" : leaked > 0 ? " (run again with --delete to remove them)" : "")
                + ", " + found.stream().filter(f -> f.status() == Status.IN_USE).count() + " in use, "
                + found.stream().filter(f -> f.status() == Status.NOT_THIS_LABS).count() + " not this lab's");
        skipped.forEach(s -> out.println("note: " + s));
        out.flush();
    }

    private static String status(Status status) {
        return switch (status) {
            case LEAKED -> "leaked";
            case IN_USE -> "in use";
            case NOT_THIS_LABS -> "not this lab's";
        };
    }
}
