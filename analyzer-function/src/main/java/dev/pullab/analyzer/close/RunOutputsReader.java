package dev.pullab.analyzer.close;

import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the outputs every VM of a run uploaded (one listing of the run, then the small files), within
 * {@link ReadLimits}: a file over the per-file limit (by its listed size, or found so while streaming it), or one
 * that would take its VM or the run over their limits, is not read; it is recorded in {@link VmFiles#notRead()}
 * with the limit it broke. {@code result.txt} is one status line: only its first {@value #RESULT_TXT_MAX_BYTES}
 * bytes are read, whatever its size, outside the budget. Files are read in key order, so which file a limit refuses
 * does not depend on timing.
 */
public final class RunOutputsReader {

    /** {@code result.txt} holds {@code SUCCESS} or one {@code FAILED: ...} line. */
    static final int RESULT_TXT_MAX_BYTES = 4096;

    /**
     * How much of the end of {@code console-output.log} is read for a VM without {@code result.txt}, outside the
     * budget: 64 KiB, the last few hundred lines, where a panic or the last boot message is.
     */
    public static final int CONSOLE_TAIL_BYTES = 64 * 1024;
    private static final String CONSOLE = "console-output.log";

    private static final Pattern OUTPUT = Pattern.compile("^test_([^/]+)/output/([^/]+)/([^/]+)$");
    private static final Pattern LOG = Pattern.compile("^run-(\\d+)-output\\.log$");

    private final ObjectStore objects;
    private final ReadLimits limits;

    public RunOutputsReader(ObjectStore objects) {
        this(objects, ReadLimits.DEFAULTS);
    }

    public RunOutputsReader(ObjectStore objects, ReadLimits limits) {
        this.objects = objects;
        this.limits = limits;
    }

    public List<VmFiles> read(String bucket, String runPrefix) {
        Map<String, Map<String, byte[]>> contents = new TreeMap<>();
        Map<String, Map<String, String>> notRead = new TreeMap<>();
        Map<String, List<String>> logs = new LinkedHashMap<>();
        Map<String, List<ObjectStore.StoredObject>> listed = new TreeMap<>();
        Map<String, String> consoles = new TreeMap<>();
        ReadLimits.Budget budget = limits.budget();
        String root = runPrefix + "/";
        for (ObjectStore.StoredObject object : objects.list(bucket, root)) {
            Matcher m = OUTPUT.matcher(object.key().substring(root.length()));
            if (!m.matches()) {
                continue;
            }
            String vm = m.group(1) + "/" + m.group(2);
            String name = m.group(3);
            contents.computeIfAbsent(vm, k -> new TreeMap<>());
            listed.computeIfAbsent(vm, k -> new ArrayList<>()).add(object);
            if (name.equals(CONSOLE)) {
                consoles.put(vm, object.key());
            } else if (LOG.matcher(name).matches()) {
                logs.computeIfAbsent(vm, k -> new ArrayList<>()).add(object.key());
            } else if (name.equals("result.txt")) {
                byte[] head = read(bucket, object.key(), RESULT_TXT_MAX_BYTES);
                contents.get(vm).put(name, head.length > RESULT_TXT_MAX_BYTES
                        ? java.util.Arrays.copyOf(head, RESULT_TXT_MAX_BYTES) : head);
            } else if (wanted(name)) {
                Optional<String> refused = budget.admit(vm, object.size());
                if (refused.isPresent()) {
                    notRead.computeIfAbsent(vm, k -> new TreeMap<>()).put(name, refused.get());
                    continue;
                }
                byte[] content = read(bucket, object.key(), budget.perFileBytes());
                if (content.length > budget.perFileBytes()) { // rewritten larger since it was listed
                    notRead.computeIfAbsent(vm, k -> new TreeMap<>()).put(name, budget.grewBeyondLimit());
                } else {
                    contents.get(vm).put(name, content);
                }
            }
        }
        List<VmFiles> vms = new ArrayList<>();
        contents.forEach((vm, files) -> {
            List<String> logKeys = new ArrayList<>(logs.getOrDefault(vm, List.of()));
            logKeys.sort(Comparator.comparingInt(RunOutputsReader::stage));
            Optional<byte[]> console = files.containsKey("result.txt") || !consoles.containsKey(vm) ? Optional.empty()
                    : consoleTail(bucket, consoles.get(vm));
            vms.add(new VmFiles(vm.substring(0, vm.indexOf('/')), vm.substring(vm.indexOf('/') + 1), files, logKeys,
                    notRead.getOrDefault(vm, Map.of()), listed.getOrDefault(vm, List.of()), console));
        });
        return vms;
    }

    private byte[] read(String bucket, String key, long limit) {
        try {
            return objects.readAtMost(bucket, key, limit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    /** The end of a console; empty when it cannot be read (it only explains a VM that did not report). */
    private Optional<byte[]> consoleTail(String bucket, String key) {
        try {
            return Optional.of(objects.readTail(bucket, key, CONSOLE_TAIL_BYTES));
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RunOutputsReader.class).warn("cannot read the end of s3://{}/{}: {}",
                    bucket, key, e.toString());
            return Optional.empty();
        }
    }

    private static boolean wanted(String name) {
        return name.equals("stats.json") || name.equals("results.json")
                || name.startsWith("benchmark-") && name.endsWith(".csv");
    }

    private static int stage(String key) {
        Matcher m = LOG.matcher(key.substring(key.lastIndexOf('/') + 1));
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }
}
