package dev.pullab.analyzer.close;

import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.store.ObjectStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At a run's close, keeps the serial console of each VM the run launched that has no {@code console-output.log} yet
 * (the sweeper keeps those of the VMs it watched or terminated), scrubbed, beside its other outputs, so it is read and
 * published with them. EC2 runs only (a Fargate task has no serial console). Best effort: a console that cannot be
 * read is logged and skipped; at most {@code maxVms} consoles are read per close.
 */
public final class ClosingConsoles implements RunCloser.BeforeClose {

    private static final Logger LOG = LoggerFactory.getLogger(ClosingConsoles.class);

    private final ObjectStore store;
    private final ConsoleCapture capture;
    private final int maxVms;

    public ClosingConsoles(ObjectStore store, ConsoleCapture capture, int maxVms) {
        this.store = store;
        this.capture = capture;
        this.maxVms = maxVms;
    }

    @Override
    public void beforeClose(String bucket, RunRecord run, Map<String, String> vmTests) {
        if (run.executor() != Executor.EC2) {
            return;
        }
        try {
            Set<String> kept = store.list(bucket, run.runPrefix() + "/").stream().map(ObjectStore.StoredObject::key)
                    .filter(key -> key.endsWith("/" + ConsoleCapture.FILE_NAME)).collect(Collectors.toSet());
            Map<String, String> vms = new LinkedHashMap<>();
            for (LaunchedVm vm : run.launched()) {
                String test = vm.test().or(() -> java.util.Optional.ofNullable(vmTests.get(vm.instanceId())))
                        .orElse(run.tests().size() == 1 ? run.tests().get(0) : "");
                vms.put(vm.instanceId(), test);
            }
            vmTests.forEach(vms::putIfAbsent);
            int read = 0;
            for (Map.Entry<String, String> vm : vms.entrySet()) {
                if (vm.getValue().isEmpty()
                        || kept.contains(ConsoleCapture.key(run.runPrefix(), vm.getValue(), vm.getKey()))) {
                    continue;
                }
                if (read++ >= maxVms) {
                    LOG.warn("run {}: the consoles of the remaining VMs not kept (at most {} per close)",
                            run.runPrefix(), maxVms);
                    break;
                }
                capture.beforeTerminate(run.runPrefix(), vm.getValue(), vm.getKey());
            }
        } catch (RuntimeException e) {
            LOG.warn("run {}: consoles not kept at close ({})", run.runPrefix(), e.toString());
        }
    }
}
