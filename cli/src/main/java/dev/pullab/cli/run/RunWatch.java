package dev.pullab.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.report.VmCounts;
import dev.pullab.core.report.VmResult;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Follows one run from the runs table (its state and launched VMs) and the results bucket (each VM's stage logs
 * {@code run-N-output.log}, {@code stats.json} and {@code result.txt} as they appear), saying what changed and, when
 * nothing did, that it is still waiting; until the run is closed ({@code DONE}), the time is up or the caller stops.
 * Reads only the runs table and the results bucket: stopping the watch leaves the run alone.
 */
public final class RunWatch {

    /** At most this many keys of a run are listed per look (a run has a few per VM). */
    static final int MAX_KEYS = 20_000;
    /** {@code result.txt} is one line; {@code report.txt} a few pages. */
    static final int MAX_RESULT_BYTES = 4 * 1024;
    static final int MAX_REPORT_BYTES = 1 << 20;
    private static final Pattern OUTPUT = Pattern.compile("test_([^/]{1,200})/output/([^/]{1,200})/([^/]{1,255})");
    private static final Pattern STAGE_LOG = Pattern.compile("run-(\\d{1,4})-output\\.log");

    private final S3Client s3;
    private final RunStore runs;
    private final String bucket;
    private final String runPrefix;
    private final Consumer<String> progress;
    private final Duration poll;
    private final Duration heartbeat;

    /**
     * @param progress  gets one line per change, and a line every {@code heartbeat} when nothing changed
     * @param poll      how often to look
     */
    public RunWatch(S3Client s3, RunStore runs, String bucket, String runPrefix, Consumer<String> progress,
            Duration poll, Duration heartbeat) {
        this.s3 = s3;
        this.runs = runs;
        this.bucket = bucket;
        this.runPrefix = runPrefix;
        this.progress = progress;
        this.poll = poll;
        this.heartbeat = heartbeat;
    }

    /** How the watch ended. */
    public sealed interface Outcome permits Closed, StillOpen {
    }

    /**
     * The run closed.
     *
     * @param run         its record
     * @param vms         how its VMs ended (the pipeline's summary line: {@link VmCounts#summary()})
     * @param failures    {@code <instance> (<test>): FAILED: …} of each failed VM
     * @param report      the regression report ({@code analysis/report.txt}), when the run has one
     * @param regressions tests with a regression ({@code analysis/report.json}), 0 without a report
     */
    public record Closed(RunRecord run, VmCounts vms, List<String> failures, Optional<String> report, int regressions)
            implements Outcome {
        public Closed {
            failures = List.copyOf(failures);
        }

        /** Every VM expected reported SUCCESS, and no test regressed. */
        public boolean passed() {
            return vms.successful() == vms.expected() && vms.failed() == 0 && vms.missing() == 0 && regressions == 0;
        }
    }

    /**
     * The watch stopped before the run closed.
     *
     * @param state the run's state when last seen; empty when it was never in the runs table
     * @param why   {@code timeout} or {@code stopped}
     */
    public record StillOpen(Optional<RunRecord.RunState> state, String why) implements Outcome {
    }

    /** What one VM left so far. */
    private record VmSeen(TreeSet<Integer> stages, boolean stats, Optional<String> result) {
    }

    /**
     * Watches until the run is closed, {@code until} passes or {@code stopped} says so.
     *
     * @param until the end of the watch; empty for the run's own deadline and 15 minutes of grace (the sweeper
     *              closes an overdue run on its next schedule)
     */
    public Outcome follow(Optional<Instant> until, BooleanSupplier stopped) throws InterruptedException {
        Instant start = Instant.now();
        Instant lastLine = start;
        Optional<RunRecord.RunState> state = Optional.empty();
        int launched = 0;
        Map<String, VmSeen> seen = new LinkedHashMap<>();
        while (!stopped.getAsBoolean()) {
            Optional<RunRecord> record = runs.find(runPrefix);
            Instant end = until.or(() -> record.map(r -> Instant.ofEpochSecond(r.deadline()).plus(
                    Duration.ofMinutes(15)))).orElse(start.plus(Duration.ofHours(1)));
            boolean said = false;
            if (record.isPresent()) {
                RunRecord run = record.get();
                boolean changed = state.isEmpty() || state.get() != run.state();
                boolean closing = run.state() == RunRecord.RunState.DONE;
                if (changed && !closing) {
                    said |= sayState(run);
                }
                for (int i = launched; i < run.launched().size(); i++) {
                    LaunchedVm vm = run.launched().get(i);
                    progress.accept("VM launched: " + vm.instanceId() + vm.test().map(t -> " (" + t + ")").orElse("")
                            + " [" + (i + 1) + "/" + run.expectedVms() + "]");
                    said = true;
                }
                launched = run.launched().size();
                said |= lookAtOutputs(seen);
                state = Optional.of(run.state());
                if (closing) {
                    sayState(run);
                    return closed(run, seen);
                }
            }
            Instant now = Instant.now();
            if (said) {
                lastLine = now;
            } else if (Duration.between(lastLine, now).compareTo(heartbeat) >= 0) {
                long reported = seen.values().stream().filter(v -> v.result().isPresent()).count();
                progress.accept(String.format(Locale.ROOT, "waiting: %s, %d/%s VM(s) launched, %d reported (%d s)",
                        state.map(Enum::name).orElse("not in the runs table yet"), launched,
                        record.map(r -> Integer.toString(r.expectedVms())).orElse("?"), reported,
                        Duration.between(start, now).toSeconds()));
                lastLine = now;
            }
            if (!now.isBefore(end)) {
                return new StillOpen(state, "timeout");
            }
            Thread.sleep(poll.toMillis());
        }
        return new StillOpen(state, "stopped");
    }

    private boolean sayState(RunRecord run) {
        progress.accept("run " + runPrefix + ": " + run.state() + " (" + run.expectedVms() + " VM(s) expected: "
                + String.join(", ", run.tests()) + ")");
        return true;
    }

    /** Lists the run's outputs and says what is new; true when it said something. */
    private boolean lookAtOutputs(Map<String, VmSeen> seen) {
        boolean said = false;
        int listed = 0;
        String start = runPrefix + "/";
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(start + "test_")).contents()) {
            if (++listed > MAX_KEYS) {
                break;
            }
            Matcher m = OUTPUT.matcher(object.key().substring(start.length()));
            if (!m.matches()) {
                continue;
            }
            String vm = RunDownload.printable(m.group(2)) + " (" + RunDownload.printable(m.group(1)) + ")";
            VmSeen before = seen.computeIfAbsent(vm, k -> new VmSeen(new TreeSet<>(), false, Optional.empty()));
            String file = m.group(3);
            Matcher stage = STAGE_LOG.matcher(file);
            if (stage.matches() && before.stages().add(Integer.parseInt(stage.group(1)))) {
                progress.accept(vm + ": stage " + stage.group(1) + " done (" + file + ")");
                said = true;
            } else if (file.equals("stats.json") && !before.stats()) {
                seen.put(vm, new VmSeen(before.stages(), true, before.result()));
                progress.accept(vm + ": stats.json written");
                said = true;
            } else if (file.equals("result.txt") && before.result().isEmpty()) {
                VmResult parsed = VmResult.parse(read(object.key(), MAX_RESULT_BYTES));
                String result = parsed.line().orElse(parsed.status().name());
                seen.put(vm, new VmSeen(before.stages(), seen.get(vm).stats(), Optional.of(result)));
                progress.accept(vm + ": result " + RunDownload.printable(result));
                said = true;
            }
        }
        return said;
    }

    private Closed closed(RunRecord run, Map<String, VmSeen> seen) {
        int successful = 0;
        int failed = 0;
        List<String> failures = new java.util.ArrayList<>();
        for (LaunchedVm vm : run.launched()) {
            if (vm.test().isEmpty()) {
                continue;
            }
            String key = runPrefix + "/test_" + vm.test().get() + "/output/" + vm.instanceId() + "/result.txt";
            VmResult result = VmResult.parse(exists(key) ? read(key, MAX_RESULT_BYTES) : Optional.empty());
            switch (result.status()) {
                case SUCCESS -> successful++;
                case FAILED -> {
                    failed++;
                    failures.add(vm.instanceId() + " (" + vm.test().get() + "): "
                            + RunDownload.printable(result.line().orElse("FAILED")));
                }
                case MISSING -> { }
            }
        }
        int missing = Math.max(0, run.expectedVms() - successful - failed);
        Optional<String> report = exists(runPrefix + "/analysis/report.txt")
                ? read(runPrefix + "/analysis/report.txt", MAX_REPORT_BYTES) : Optional.empty();
        int regressions = 0;
        if (exists(runPrefix + "/analysis/report.json")) {
            Optional<String> json = read(runPrefix + "/analysis/report.json", 16 * MAX_REPORT_BYTES);
            regressions = json.map(RunWatch::regressions).orElse(0);
        }
        return new Closed(run, new VmCounts(run.expectedVms(), successful, failed, missing), failures, report,
                regressions);
    }

    private static int regressions(String reportJson) {
        try {
            JsonNode json = new ObjectMapper().readTree(reportJson);
            return json.path("tests_with_regression").asInt(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private boolean exists(String key) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(key).maxKeys(1)).contents().stream()
                .anyMatch(o -> o.key().equals(key));
    }

    /** The first {@code limit} bytes of an object, as text. */
    private Optional<String> read(String key, int limit) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            byte[] bytes = readAtMost(in, limit);
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            progress.accept("cannot read s3://" + bucket + "/" + RunDownload.printable(key) + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        return in.readNBytes(limit);
    }
}
