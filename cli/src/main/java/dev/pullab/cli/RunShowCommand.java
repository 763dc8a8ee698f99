package dev.pullab.cli;

import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.report.ArtifactManifest;
import dev.pullab.core.report.html.RunsIndex;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunProgress;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStatus;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.text.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pullab runs show RUN}: one run's record, its VMs with their results, where its logs are, its verdict. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Prints one run: its record, its VMs with their results, and where their logs are.",
            "",
            // one line each, within 80 columns: picocli breaks longer ones anywhere, even in a file name
            "The record in the runs table: trigger, state, deadline, KCIDB submission,",
            "job node finish, verdict. Each VM it launched, with the first line of its",
            "result.txt, how many stages left a log (run-N-output.log) and whether it",
            "wrote stats.json. Where the logs are: the public links of the run's",
            "artifacts.json (written at its close) when it has one, else the s3:// URIs",
            "of the raw, private outputs.",
            ""
        },
        footer = {
            "",
            "Exit status: 0 shown, 1 no such run in the lab's runs table or an AWS call failed, 2 bad usage.",
            "",
            "Examples:",
            "  pullab runs show --stack pullab \\",
            "      run_pulllab-6930a1b2c3d4e5f6a7b8c9d0-1a2b3c4d_20261205_071500",
            "  pullab runs show --json run_nightly-bench-0a1b2c3d_20261205_020000 \\",
            "      | jq '.vms[].result'"
        })
final class RunShowCommand implements Callable<Integer> {

    static final int EXIT_NO_RUN = 1;
    /** A run id: what the orchestrator writes ({@code run_<test id>_<stamp>}), bounded. */
    private static final Pattern RUN_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$");
    private static final Pattern OUTPUT = Pattern.compile("^test_([^/]+)/output/([^/]+)/([^/]+)$");
    private static final Pattern STAGE_LOG = Pattern.compile("^run-(\\d+)-output\\.log$");
    /** Enough of result.txt for its first line. */
    private static final int RESULT_HEAD_BYTES = 4096;
    /** An artifacts.json of a very large run is well under this. */
    private static final int MANIFEST_MAX_BYTES = 8 << 20;

    @Spec
    CommandSpec spec;

    @Mixin
    LabOptions lab;

    @Parameters(index = "0", paramLabel = "RUN", description = "The run id (its prefix in the results bucket), as "
            + "'pullab runs' lists it.")
    String runId;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    private final Clock clock = Clock.systemUTC();

    /** One VM as its outputs show it. */
    record VmView(String test, String instanceId, boolean launched, Optional<String> result, int stages,
            Optional<Long> statsBytes, List<String> keys) {
    }

    /** One link to a log: public when the manifest has one, else the raw object. */
    record LogLink(String test, String instanceId, String kind, String where, boolean published) {
    }

    @Override
    public Integer call() throws Exception {
        String stripped = runId.strip();
        String run = stripped.endsWith("/") ? stripped.substring(0, stripped.length() - 1) : stripped;
        if (!RUN_ID.matcher(run).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "RUN '" + Printable.escape(runId)
                    + "' is not a run id (letters, digits, '.', '_', '-'; 'pullab runs' lists them)");
        }
        LabOptions.Lab resolved = lab.resolve();
        var runs = RunsCommand.runStore(resolved);
        Optional<RunRecord> record = runs.find(run);
        if (record.isEmpty()) {
            spec.commandLine().getErr().println("error: no run " + run + " in the lab's runs table ("
                    + runs.tableName() + "): 'pullab runs --since 30d' lists the known runs");
            return EXIT_NO_RUN;
        }
        RunStatus status = new RunStatus(record.get(), runs.progress(run).orElseThrow());
        String bucket = resolved.names().require(LabNames.RESULTS_BUCKET);
        ObjectStore objects = RunsCommand.objectStore(resolved);
        List<ObjectStore.StoredObject> listed = objects.list(bucket, run + "/");
        List<VmView> vms = vms(status.run(), listed, objects, bucket);
        Optional<ArtifactManifest> manifest = manifest(objects, bucket, run, listed);
        List<LogLink> logs = logs(vms, manifest, bucket, run);
        boolean report = listed.stream().anyMatch(o -> o.key().equals(run + "/analysis/report.json"));
        boolean html = listed.stream().anyMatch(o -> o.key().equals(run + "/" + RunsIndex.REPORT));
        Instant now = clock.instant();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RunsCommand.JSON.writeValueAsString(document(status, vms, manifest, logs, bucket, report,
                    html, now)));
        } else {
            print(out, status, vms, manifest, logs, bucket, report, html, now);
        }
        out.flush();
        return 0;
    }

    private static List<VmView> vms(RunRecord run, List<ObjectStore.StoredObject> listed, ObjectStore objects,
            String bucket) {
        String root = run.runPrefix() + "/";
        Map<String, List<ObjectStore.StoredObject>> byVm = new TreeMap<>();
        for (ObjectStore.StoredObject object : listed) {
            Matcher m = OUTPUT.matcher(object.key().substring(root.length()));
            if (m.matches()) {
                byVm.computeIfAbsent(m.group(1) + "/" + m.group(2), k -> new ArrayList<>()).add(object);
            }
        }
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (LaunchedVm vm : run.launched()) {
            names.put(vm.test().orElse("?") + "/" + vm.instanceId(), true);
        }
        byVm.keySet().forEach(vm -> names.putIfAbsent(vm, run.launched().stream()
                .anyMatch(l -> l.is(vm.substring(0, vm.indexOf('/')), vm.substring(vm.indexOf('/') + 1)))));
        List<VmView> views = new ArrayList<>();
        names.forEach((vm, launched) -> {
            String test = vm.substring(0, vm.indexOf('/'));
            String instance = vm.substring(vm.indexOf('/') + 1);
            List<ObjectStore.StoredObject> files = byVm.getOrDefault(vm, List.of());
            Optional<String> result = Optional.empty();
            int stages = 0;
            Optional<Long> stats = Optional.empty();
            for (ObjectStore.StoredObject file : files) {
                String name = file.key().substring(file.key().lastIndexOf('/') + 1);
                if (name.equals("result.txt")) {
                    result = firstLine(objects, bucket, file.key());
                } else if (STAGE_LOG.matcher(name).matches()) {
                    stages++;
                } else if (name.equals("stats.json")) {
                    stats = Optional.of(file.size());
                }
            }
            views.add(new VmView(test, instance, launched, result, stages, stats,
                    files.stream().map(ObjectStore.StoredObject::key).toList()));
        });
        return views;
    }

    private static Optional<String> firstLine(ObjectStore objects, String bucket, String key) {
        try {
            byte[] head = objects.readAtMost(bucket, key, RESULT_HEAD_BYTES);
            String text = new String(head, 0, Math.min(head.length, RESULT_HEAD_BYTES), StandardCharsets.UTF_8);
            String line = text.lines().findFirst().orElse("").strip();
            return Optional.of(line.length() > 120 ? line.substring(0, 120) + "…" : line);
        } catch (IOException e) {
            return Optional.of("(unreadable: " + CliErrors.describe(e) + ")");
        }
    }

    private Optional<ArtifactManifest> manifest(ObjectStore objects, String bucket, String run,
            List<ObjectStore.StoredObject> listed) {
        String key = ArtifactManifest.key(run);
        if (listed.stream().noneMatch(o -> o.key().equals(key))) {
            return Optional.empty();
        }
        try {
            byte[] json = objects.readAtMost(bucket, key, MANIFEST_MAX_BYTES);
            if (json.length > MANIFEST_MAX_BYTES) {
                spec.commandLine().getErr().println("warning: s3://" + bucket + "/" + key + " is over "
                        + MANIFEST_MAX_BYTES + " bytes: not read; showing the raw outputs");
                return Optional.empty();
            }
            return Optional.of(ArtifactManifest.parse(json));
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("warning: s3://" + bucket + "/" + key + " not read ("
                    + Printable.escape(CliErrors.describe(e)) + "); showing the raw outputs");
            return Optional.empty();
        }
    }

    private static List<LogLink> logs(List<VmView> vms, Optional<ArtifactManifest> manifest, String bucket,
            String run) {
        List<LogLink> links = new ArrayList<>();
        if (manifest.isPresent()) {
            for (ArtifactManifest.Artifact a : manifest.get().artifacts()) {
                if (a.status() == ArtifactManifest.Status.MISSING) {
                    links.add(new LogLink(a.test(), a.instanceId(), a.kind(), "missing", false));
                } else {
                    links.add(new LogLink(a.test(), a.instanceId(), a.kind(),
                            a.logUrl().map(Object::toString).orElse(a.s3Uri()), a.logUrl().isPresent()));
                }
            }
            return links;
        }
        for (VmView vm : vms) {
            for (String key : vm.keys()) {
                String name = key.substring(key.lastIndexOf('/') + 1);
                if (name.endsWith(".log") || name.equals("result.txt")) {
                    links.add(new LogLink(vm.test(), vm.instanceId(), name, "s3://" + bucket + "/" + key, false));
                }
            }
        }
        return links;
    }

    private static Map<String, Object> document(RunStatus status, List<VmView> vms,
            Optional<ArtifactManifest> manifest, List<LogLink> logs, String bucket, boolean report, boolean html,
            Instant now) {
        RunRecord run = status.run();
        RunProgress progress = status.progress();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", run.runPrefix());
        doc.put("trigger", status.trigger().name().toLowerCase(Locale.ROOT));
        doc.put("job_node", run.jobNodeId().orElse(null));
        doc.put("test_id", run.testId());
        doc.put("executor", run.executor().name());
        doc.put("tests", run.tests());
        doc.put("kernels", run.kernels());
        doc.put("state", run.state().name());
        doc.put("created_at", Instant.ofEpochSecond(run.createdAt()).toString());
        doc.put("deadline", Instant.ofEpochSecond(run.deadline()).toString());
        doc.put("vms_reported", progress.reported().size());
        doc.put("vms_expected", run.expectedVms());
        doc.put("verdict", RunsCommand.verdict(status, now));
        doc.put("verdict_line", progress.verdict().orElse(null));
        doc.put("kcidb_submission_id", progress.kcidbSubmissionId().orElse(null));
        doc.put("node_finish", progress.nodeFinish().orElse(null));
        doc.put("results", "s3://" + bucket + "/" + run.runPrefix() + "/");
        doc.put("report", report ? "s3://" + bucket + "/" + run.runPrefix() + "/analysis/report.txt" : null);
        doc.put("report_html", html ? "s3://" + bucket + "/" + run.runPrefix() + "/" + RunsIndex.REPORT : null);
        doc.put("artifacts", manifest.isPresent() ? "s3://" + bucket + "/" + ArtifactManifest.key(run.runPrefix())
                : null);
        List<Map<String, Object>> vmRows = new ArrayList<>();
        for (VmView vm : vms) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("test", vm.test());
            row.put("instance_id", vm.instanceId());
            row.put("launched_by_run", vm.launched());
            row.put("result", vm.result().orElse(null));
            row.put("stages", vm.stages());
            row.put("stats_bytes", vm.statsBytes().orElse(null));
            row.put("logs", logs.stream().filter(l -> l.test().equals(vm.test())
                    && l.instanceId().equals(vm.instanceId())).map(l -> Map.of("kind", l.kind(), "where", l.where(),
                            "published", l.published())).toList());
            vmRows.add(row);
        }
        doc.put("vms", vmRows);
        return doc;
    }

    private static void print(PrintWriter out, RunStatus status, List<VmView> vms,
            Optional<ArtifactManifest> manifest, List<LogLink> logs, String bucket, boolean report, boolean html,
            Instant now) {
        RunRecord run = status.run();
        RunProgress progress = status.progress();
        List<String[]> head = new ArrayList<>();
        head.add(new String[] {"run", run.runPrefix()});
        head.add(new String[] {"trigger", status.trigger() == RunStatus.Trigger.JOB
                ? "job node " + run.jobNodeId().orElseThrow()
                : "event (BuildComplete or daily schedule), config test_id " + run.testId()});
        head.add(new String[] {"test id", run.testId()});
        head.add(new String[] {"executor", run.executor().name()});
        head.add(new String[] {"tests", String.join(", ", run.tests())});
        if (!run.kernels().isEmpty()) {
            head.add(new String[] {"kernels", String.join(" ", run.kernels())});
        }
        head.add(new String[] {"state", run.state().name()});
        head.add(new String[] {"created", Instant.ofEpochSecond(run.createdAt()) + " ("
                + RunsCommand.age(run.createdAt(), now) + " ago)"});
        head.add(new String[] {"deadline", Instant.ofEpochSecond(run.deadline()).toString()
                + (run.deadline() < now.getEpochSecond() ? " (past)" : "")});
        head.add(new String[] {"VMs", progress.reported().size() + "/" + run.expectedVms() + " reported, "
                + run.launched().size() + " launched"});
        head.add(new String[] {"verdict", progress.verdict().orElse(RunsCommand.verdict(status, now))});
        head.add(new String[] {"KCIDB", progress.kcidbSubmissionId().map(id -> "submission " + id)
                .orElse("not submitted")});
        if (run.jobNodeId().isPresent()) {
            head.add(new String[] {"job node", progress.nodeFinish().map(f -> "finish: " + f).orElse("not finished")});
        }
        head.add(new String[] {"results", "s3://" + bucket + "/" + run.runPrefix() + "/"});
        if (report) {
            head.add(new String[] {"report", "s3://" + bucket + "/" + run.runPrefix() + "/analysis/report.txt"});
        }
        if (html) {
            head.add(new String[] {"html report", "s3://" + bucket + "/" + run.runPrefix() + "/" + RunsIndex.REPORT});
        }
        RunsCommand.Table.print(out, head);
        out.println();
        if (vms.isEmpty()) {
            out.println("no VMs launched or reporting yet");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TEST", "VM", "RESULT", "STAGES", "STATS"});
            for (VmView vm : vms) {
                rows.add(new String[] {vm.test(), vm.instanceId() + (vm.launched() ? "" : " (not launched by this "
                        + "run: ignored)"), vm.result().orElse(vm.keys().isEmpty() ? "(no outputs)"
                                : "(no result.txt)"), Integer.toString(vm.stages()),
                    vm.statsBytes().map(b -> "stats.json " + b + " B").orElse("-")});
            }
            RunsCommand.Table.print(out, rows);
        }
        out.println();
        if (manifest.isPresent()) {
            out.println("logs (from s3://" + bucket + "/" + ArtifactManifest.key(run.runPrefix()) + "):");
        } else {
            out.println("logs (no artifacts.json yet, written at the close: the raw outputs, private):");
        }
        if (logs.isEmpty()) {
            out.println("  none");
        } else {
            List<String[]> rows = new ArrayList<>();
            for (LogLink link : logs) {
                rows.add(new String[] {"  " + link.test() + "/" + link.instanceId(), link.kind(), link.where()});
            }
            RunsCommand.Table.print(out, rows);
        }
    }
}
