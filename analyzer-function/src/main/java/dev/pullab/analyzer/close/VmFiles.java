package dev.pullab.analyzer.close;

import dev.pullab.core.report.RunArtifacts;
import dev.pullab.core.store.ObjectStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one VM left under {@code <run>/test_<test>/output/<instance>/} in S3.
 *
 * @param test       the test it ran
 * @param instanceId the VM
 * @param contents   small files read whole, by name: {@code result.txt}, {@code stats.json}, {@code results.json},
 *                   {@code benchmark-*.csv}
 * @param logKeys    S3 keys of its {@code run-N-output.log} files, in stage order
 * @param notRead    files left unread because they are over a read limit, by name, and why (naming the limit)
 * @param objects    every object in its folder as listed (key and size), in key order: what its manifest lists
 * @param consoleTail the last {@value RunOutputsReader#CONSOLE_TAIL_BYTES} bytes of its {@code console-output.log},
 *                   read only for a VM without {@code result.txt} (to say why it did not report)
 */
public record VmFiles(String test, String instanceId, Map<String, byte[]> contents, List<String> logKeys,
        Map<String, String> notRead, List<ObjectStore.StoredObject> objects, Optional<byte[]> consoleTail) {

    public VmFiles {
        contents = Map.copyOf(contents);
        logKeys = List.copyOf(logKeys);
        notRead = Map.copyOf(notRead);
        objects = List.copyOf(objects);
        java.util.Objects.requireNonNull(consoleTail, "consoleTail");
    }

    /** A VM whose listing is not kept and whose console is not read. */
    public VmFiles(String test, String instanceId, Map<String, byte[]> contents, List<String> logKeys,
            Map<String, String> notRead) {
        this(test, instanceId, contents, logKeys, notRead, List.of(), Optional.empty());
    }

    /** What its manifest is made from: its listed objects, the files read and those left unread. */
    public RunArtifacts.VmObjects artifacts() {
        return new RunArtifacts.VmObjects(test, instanceId, objects, contents, notRead);
    }

    /** A VM whose files were all read. */
    public VmFiles(String test, String instanceId, Map<String, byte[]> contents, List<String> logKeys) {
        this(test, instanceId, contents, logKeys, Map.of());
    }
}
