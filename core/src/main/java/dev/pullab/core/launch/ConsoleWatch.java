package dev.pullab.core.launch;

import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.core.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweeper's watch over running VMs: on each sweep, for every open run (not DONE, deadline not past), reads each
 * live VM's serial console and judges it with {@link VmWatch}. A VM that failed (a kernel panic, oops or BUG on its
 * console, or silent past the hang threshold) is terminated at once and gets a {@code result.txt}
 * ({@code FAILED: <reason>}) unless it wrote one, so the normal S3 notification path counts it: the reason reaches the
 * report, KCIDB and the job node.
 *
 * <p><b>When the console last changed</b>, without a table of its own: each sweep stores the scrubbed console as
 * {@value ConsoleCapture#FILE_NAME} in the VM's output prefix, recording the SHA-256 of the raw console with it; when
 * the console is unchanged (same SHA-256) it is not written again, so the object's last-modified time is when the
 * sweeper first saw the console as it is now. Stage outputs are the VM's other objects under its output prefix.
 *
 * <p>Work per sweep is bounded: at most {@code maxVms} VMs are read; the rest are logged as skipped, and which VMs
 * come first turns from sweep to sweep, so every VM is read in turn. Nothing here throws for one VM: a VM that cannot
 * be read is logged and left to the next sweep (and to its deadline).
 */
public final class ConsoleWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleWatch.class);
    /** The console's raw SHA-256 is recorded with it; the file name of the result a failed VM gets. */
    static final String RESULT = "result.txt";

    private final RunStore runs;
    private final LiveVms vms;
    private final ConsoleReader console;
    private final java.util.function.Supplier<LogScrubber> scrubber;
    private final ObjectStore store;
    private final String bucket;
    private final VmWatch rule;
    private final int maxVms;

    /**
     * @param maxVms at most this many VMs are read per sweep (at least 1)
     */
    public ConsoleWatch(RunStore runs, LiveVms vms, ConsoleReader console, LogScrubber scrubber, ObjectStore store,
            String bucket, VmWatch rule, int maxVms) {
        this(runs, vms, console, () -> scrubber, store, bucket, rule, maxVms);
    }

    /**
     * With the scrubber built on the first console to keep (it holds the lab's secrets, read from Secrets Manager:
     * a sweep that finds no live VM never reads them).
     */
    public ConsoleWatch(RunStore runs, LiveVms vms, ConsoleReader console,
            java.util.function.Supplier<LogScrubber> scrubber, ObjectStore store, String bucket, VmWatch rule,
            int maxVms) {
        if (maxVms < 1) {
            throw new IllegalArgumentException("the sweeper must read at least one VM per sweep, got " + maxVms);
        }
        this.runs = runs;
        this.vms = vms;
        this.console = console;
        this.scrubber = scrubber;
        this.store = store;
        this.bucket = bucket;
        this.rule = rule;
        this.maxVms = maxVms;
    }

    /**
     * What one sweep did.
     *
     * @param watched VMs whose console was read and judged
     * @param failed  one line per VM failed and terminated, {@code <run> <test>/<instance>: <reason>}
     * @param skipped VMs not read this sweep (over the per-sweep bound)
     */
    public record Sweep(int watched, List<String> failed, int skipped) {
    }

    private record Candidate(RunRecord run, LiveVms.LiveVm vm) {
    }

    /** One sweep at {@code now}. */
    public Sweep sweep(Instant now) {
        List<Candidate> candidates = new ArrayList<>();
        for (RunRecord run : runs.open(now.getEpochSecond())) {
            try {
                vms.alive(run.runPrefix()).forEach(vm -> candidates.add(new Candidate(run, vm)));
            } catch (RuntimeException e) {
                LOG.warn("watch: cannot list the VMs of run {} ({}); next sweep", run.runPrefix(), e.toString());
            }
        }
        int skipped = Math.max(0, candidates.size() - maxVms);
        int start = skipped == 0 ? 0
                : (int) Math.floorMod(now.getEpochSecond() / Math.max(1, rule.sweepInterval().toSeconds()),
                        candidates.size());
        List<String> failed = new ArrayList<>();
        int watched = 0;
        for (int i = 0; i < Math.min(maxVms, candidates.size()); i++) {
            Candidate c = candidates.get((start + i) % candidates.size());
            try {
                watch(c.run(), c.vm(), now).ifPresent(failed::add);
                watched++;
            } catch (IOException | RuntimeException e) {
                LOG.warn("watch: run {}: {} not judged this sweep ({})", c.run().runPrefix(), c.vm().instanceId(),
                        e.toString());
            }
        }
        if (skipped > 0) {
            List<String> left = new ArrayList<>();
            for (int i = maxVms; i < candidates.size(); i++) {
                left.add(candidates.get((start + i) % candidates.size()).vm().instanceId());
            }
            LOG.warn("watch: {} VMs not read this sweep (at most {} per sweep; PULLAB_WATCH_MAX_VMS): {}", skipped,
                    maxVms, left);
        }
        return new Sweep(watched, failed, skipped);
    }

    /** Judges one VM; the failure line when it was failed. */
    private Optional<String> watch(RunRecord run, LiveVms.LiveVm vm, Instant now) throws IOException {
        if (!ConsoleCapture.ours(vm.test(), vm.instanceId()) || !run.tests().contains(vm.test())) {
            LOG.warn("watch: run {}: {} (test tag {}) left alone: not a VM launched for one of the run's tests {}",
                    run.runPrefix(), vm.instanceId(), vm.test(), run.tests());
            return Optional.empty();
        }
        String prefix = run.runPrefix() + "/test_" + vm.test() + "/output/" + vm.instanceId() + "/";
        String consoleKey = prefix + ConsoleCapture.FILE_NAME;
        List<ObjectStore.WrittenObject> outputs = store.listWritten(bucket, prefix);
        if (outputs.stream().anyMatch(o -> o.key().equals(prefix + RESULT))) {
            return Optional.empty(); // it reported: it powers itself off, the closer takes it from here
        }
        Optional<Instant> consoleWritten = outputs.stream().filter(o -> o.key().equals(consoleKey))
                .map(ObjectStore.WrittenObject::lastModified).findFirst();
        Optional<Instant> stageOutput = outputs.stream().filter(o -> !o.key().equals(consoleKey))
                .map(ObjectStore.WrittenObject::lastModified).max(Instant::compareTo);

        byte[] raw = console.latest(vm.instanceId());
        byte[] scrubbed = scrub(raw);
        Optional<Instant> consoleChange = consoleWritten;
        if (raw.length > 0) {
            String sha = sha256(raw);
            boolean same = consoleWritten.isPresent()
                    && store.recordedSha256(bucket, consoleKey).map(sha::equals).orElse(false);
            if (!same) {
                store.put(bucket, consoleKey, scrubbed, "text/plain; charset=utf-8", sha);
                consoleChange = Optional.of(now);
            }
        }
        // judged on the scrubbed text: what it quotes is published
        KernelConsole.Reading reading = KernelConsole.read(scrubbed);
        VmWatch.Verdict verdict = rule.judge(new VmWatch.Activity(vm.launchedAt(), consoleChange, stageOutput,
                reading), Instant.ofEpochSecond(run.deadline()), now);
        reading.hangSign().ifPresent(sign -> LOG.info("watch: run {}: {} shows a {}: \"{}\"", run.runPrefix(),
                vm.instanceId(), sign.kind().wording(), sign.line()));
        if (!(verdict instanceof VmWatch.Failed failed)) {
            return Optional.empty();
        }
        vms.terminate(run.runPrefix(), vm.instanceId());
        String line = failed.resultLine();
        if (store.list(bucket, prefix + RESULT).isEmpty()) {
            store.put(bucket, prefix + RESULT, (line + "\n").getBytes(StandardCharsets.UTF_8),
                    "text/plain; charset=utf-8");
        } else {
            LOG.info("watch: run {}: {} wrote its own result.txt meanwhile; left as it is", run.runPrefix(),
                    vm.instanceId());
        }
        String outcome = run.runPrefix() + " " + vm.test() + "/" + vm.instanceId() + ": " + failed.reason();
        LOG.warn("watch: terminated {}", outcome);
        return Optional.of(outcome);
    }

    private byte[] scrub(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        scrubber.get().scrub(new ByteArrayInputStream(raw), out);
        return out.toByteArray();
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
