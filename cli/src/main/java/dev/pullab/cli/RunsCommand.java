package dev.pullab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStatus;
import dev.pullab.core.run.RunStore;
import dev.pullab.core.text.Printable;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code pullab runs}: the lab's recent runs from its runs table, newest first; {@code runs show RUN}: one run. */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        subcommands = RunShowCommand.class,
        description = {
            "Lists the lab's recent runs from its runs table, newest first, one line each:",
            "RUN (the run id, also its prefix in the results bucket), TRIGGER (job: a KernelCI job node the poller "
                    + "claimed; event: a pipeline config, from a BuildComplete event or the daily schedule, which "
                    + "leave the same record), JOB (the job node, '-' for events), STATE (LAUNCHING, RUNNING, "
                    + "ANALYSING, DONE), VMS (reported/expected), VERDICT, AGE.",
            "",
            "VERDICT is what the run's close recorded: pass, fail (a VM failed or is missing) or regression (tests); "
                    + "'overdue' for a run not closed past its deadline (the sweeper closes it), '-' for a run "
                    + "still open, 'unrecorded' for a run closed before pullab recorded verdicts ('runs show' "
                    + "names its report).",
            ""
        },
        footer = {
            "",
            "Exit status: 0 listed (even none), 1 an AWS call failed, 2 bad usage.",
            "",
            "Examples:",
            "  pullab runs --stack pullab                      # the last 24 hours",
            "  pullab runs --since 7d --state running --state launching",
            "  pullab runs --since 2026-12-01 --limit 200 --json | jq '.runs[].run'",
            "  pullab runs show run_pulllab-6930a1b2c3d4e5f6a7b8c9d0-1a2b3c4d_20261205_071500"
        })
final class RunsCommand implements Callable<Integer> {

    /** Most runs one listing prints. */
    static final int MAX_LIMIT = 1000;
    /** Most records one listing reads from the table (a lab's table holds a few thousand runs over 90 days). */
    static final int MAX_SCANNED = 20_000;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern RELATIVE = Pattern.compile("^(\\d{1,6})([mhd])$");

    @Spec
    CommandSpec spec;

    @Mixin
    LabOptions lab;

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "24h",
            description = "Runs created since then: 30m, 24h, 7d, a date (2026-12-01, UTC) or an "
                    + "instant such as 2026-12-01T08:00:00Z. Default: ${DEFAULT-VALUE}.")
    String since;

    @Option(names = "--state", paramLabel = "STATE", description = "Only runs in this state (launching, running, "
            + "analysing, done); repeatable.")
    List<RunRecord.RunState> states = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "At most N runs, the newest (default: ${DEFAULT-VALUE}, at most " + MAX_LIMIT + ").")
    int limit;

    @Option(names = "--json", description = "Print JSON ({\"runs\": [...]}) instead of the table.")
    boolean json;

    private final Clock clock;

    RunsCommand() {
        this(Clock.systemUTC());
    }

    RunsCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1.." + MAX_LIMIT
                    + ", not " + limit);
        }
        Instant now = clock.instant();
        Instant from = parseSince(since, now).orElseThrow(() -> new CommandLine.ParameterException(
                spec.commandLine(), "--since '" + Printable.escape(since) + "' is not 30m, 24h, 7d, a date "
                        + "(2026-12-01) or an instant (2026-12-01T08:00:00Z)"));
        LabOptions.Lab resolved = lab.resolve();
        RunStore runs = runStore(resolved);
        Set<RunRecord.RunState> wanted = states.isEmpty() ? EnumSet.allOf(RunRecord.RunState.class)
                : EnumSet.copyOf(states);
        // the state filter is applied after the scan: ask for as many as a full page could hold
        RunStore.Recent recent = runs.recent(from.getEpochSecond(), states.isEmpty() ? limit : MAX_SCANNED,
                MAX_SCANNED);
        List<RunStatus> shown = recent.runs().stream().filter(r -> wanted.contains(r.run().state())).limit(limit)
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("since", from.toString());
            doc.put("truncated", recent.truncated());
            doc.put("runs", shown.stream().map(r -> row(r, now)).toList());
            out.println(JSON.writeValueAsString(doc));
        } else {
            print(out, shown, now);
            if (shown.isEmpty()) {
                out.println("no runs since " + from + (states.isEmpty() ? "" : " in state " + states));
            }
        }
        if (recent.truncated()) {
            spec.commandLine().getErr().println("warning: read the first " + MAX_SCANNED + " records of the runs "
                    + "table only; older runs may be left out (narrow --since)");
        }
        out.flush();
        return 0;
    }

    static DynamoDbRunStore runStore(LabOptions.Lab lab) {
        String table = lab.names().require(LabNames.RUNS_TABLE);
        return new DynamoDbRunStore(lab.client(DynamoDbClient.builder(), "AWS_ENDPOINT_URL_DYNAMODB",
                "aws.endpointUrlDynamoDb"), table);
    }

    static S3ObjectStore objectStore(LabOptions.Lab lab) {
        return new S3ObjectStore(lab.client(S3Client.builder(), "AWS_ENDPOINT_URL_S3", "aws.endpointUrlS3"));
    }

    /** {@code 30m}, {@code 24h}, {@code 7d} before now, a UTC date, or an instant; empty when it is none. */
    static java.util.Optional<Instant> parseSince(String text, Instant now) {
        String value = text.strip();
        Matcher m = RELATIVE.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration back = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return java.util.Optional.of(now.minus(back));
        }
        try {
            return java.util.Optional.of(LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException notADate) {
            // an instant, perhaps
        }
        try {
            return java.util.Optional.of(Instant.parse(value));
        } catch (DateTimeParseException notAnInstant) {
            return java.util.Optional.empty();
        }
    }

    /** The verdict column: the recorded verdict's first word(s), or why there is none. */
    static String verdict(RunStatus status, Instant now) {
        RunRecord run = status.run();
        if (run.state() == RunRecord.RunState.DONE) {
            return status.progress().verdict().map(v -> v.contains(";") ? v.substring(0, v.indexOf(';')) : v)
                    .orElse("unrecorded");
        }
        return run.deadline() > 0 && run.deadline() < now.getEpochSecond() ? "overdue" : "-";
    }

    /** {@code 45s}, {@code 12m}, {@code 5h}, {@code 3d}. */
    static String age(long createdAt, Instant now) {
        long s = Math.max(0, now.getEpochSecond() - createdAt);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 2 * 86400) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    static String vms(RunStatus status) {
        return status.progress().reported().size() + "/" + status.run().expectedVms();
    }

    private static Map<String, Object> row(RunStatus status, Instant now) {
        RunRecord run = status.run();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("run", run.runPrefix());
        row.put("trigger", status.trigger().name().toLowerCase(java.util.Locale.ROOT));
        row.put("job_node", run.jobNodeId().orElse(null));
        row.put("test_id", run.testId());
        row.put("state", run.state().name());
        row.put("vms_reported", status.progress().reported().size());
        row.put("vms_expected", run.expectedVms());
        row.put("verdict", verdict(status, now));
        row.put("verdict_line", status.progress().verdict().orElse(null));
        row.put("created_at", Instant.ofEpochSecond(run.createdAt()).toString());
        row.put("deadline", Instant.ofEpochSecond(run.deadline()).toString());
        row.put("age_s", Math.max(0, now.getEpochSecond() - run.createdAt()));
        return row;
    }

    private static void print(PrintWriter out, List<RunStatus> runs, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RUN", "TRIGGER", "JOB", "STATE", "VMS", "VERDICT", "AGE"});
        for (RunStatus r : runs) {
            rows.add(new String[] {r.run().runPrefix(), r.trigger().name().toLowerCase(java.util.Locale.ROOT),
                r.run().jobNodeId().orElse("-"), r.run().state().name(), vms(r), verdict(r, now),
                age(r.run().createdAt(), now)});
        }
        if (runs.isEmpty()) {
            return;
        }
        Table.print(out, rows);
    }

    /** Aligned columns, each cell escaped (table values come from the lab's records: never raw control bytes). */
    static final class Table {
        private Table() {
        }

        static void print(PrintWriter out, List<String[]> rows) {
            int columns = rows.get(0).length;
            int[] widths = new int[columns];
            List<String[]> escaped = new ArrayList<>();
            for (String[] row : rows) {
                String[] cells = new String[columns];
                for (int c = 0; c < columns; c++) {
                    cells[c] = Printable.escape(row[c] == null ? "-" : row[c]);
                    widths[c] = Math.max(widths[c], cells[c].length());
                }
                escaped.add(cells);
            }
            for (String[] cells : escaped) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < columns; c++) {
                    line.append(c == columns - 1 ? cells[c] : String.format("%-" + widths[c] + "s  ", cells[c]));
                }
                out.println(line.toString().stripTrailing());
            }
        }
    }
}
