package dev.pullab.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.kernelci.Node;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.benchmark.BenchmarkFile;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.RunFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/** Runs, VM outputs and benchmark CSVs built in memory for the report tests. */
final class ReportFixtures {

    static final String RUN_PREFIX = "run_unixbench_20260520T101500";
    static final String JOB_NODE_ID = "6825f9c0b4e0b1c9d2a7e0a1";
    static final String KBUILD_NODE_ID = "6825f3a1b4e0b1c9d2a7e001";
    static final String ORIGIN = "pullab_test";
    static final String BASE_KERNEL = "6.1.141-165.249.amzn2023.x86_64";
    static final String TIP_KERNEL = "6.1.150-170.1.amzn2023.x86_64";
    static final String CSV_HEADER = "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch";
    static final String LOG_BASE = "https://results.example.org/";

    /** Log keys become {@code https://results.example.org/<key>}. */
    static final Function<String, URI> LOG_URLS = key -> URI.create(LOG_BASE + key);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportFixtures() {
    }

    /** A scheduled benchmark run (no job node) of one test on {@code vms} VMs. */
    static RunRecord benchmarkRun(String test, int vms, List<String> instanceIds) {
        return new RunRecord(RUN_PREFIX, "unixbench", Optional.empty(), Executor.EC2, List.of(test), List.of(), vms,
                instanceIds.stream().map(id -> LaunchedVm.of(test, id)).toList(), RunRecord.RunState.ANALYSING, 1_747_735_000L, 1_747_745_000L);
    }

    /** A run of the fixture's KernelCI job node. */
    static RunRecord jobRun(String test, int vms, List<String> instanceIds) {
        return new RunRecord("run_kernelci_" + JOB_NODE_ID, "kernelci", Optional.of(JOB_NODE_ID), Executor.EC2,
                List.of(test), List.of("https://files.kernelci.org/bzImage"), vms,
                instanceIds.stream().map(id -> LaunchedVm.of(test, id)).toList(),
                RunRecord.RunState.ANALYSING, 1_747_735_000L, 1_747_745_000L);
    }

    /** The fixture job node {@code node_pull_labs_job_available.json}. */
    static Node jobNode() {
        return Node.of(resource("/kernelci/node_pull_labs_job_available.json"));
    }

    /** The kbuild parent of the fixture job node. */
    static Node kbuildNode() {
        return Node.of(JSON.createObjectNode().put("id", KBUILD_NODE_ID).put("kind", "kbuild")
                .put("name", "kbuild-gcc-15-x86").put("state", "done").put("result", "pass"));
    }

    /** A VM that succeeded after {@code stages} stages, with stats.json and one log per stage. */
    static VmOutputs succeeded(String test, String instanceId, String arch, int stages) {
        VmOutputs vm = VmOutputs.of(test, instanceId).withResultText("SUCCESS\n")
                .withStatsJson(stats(instanceId, arch));
        for (int n = 1; n <= stages; n++) {
            vm = vm.withLogKey(logKey(test, instanceId, n));
        }
        return vm;
    }

    static String logKey(String test, String instanceId, int stage) {
        return RUN_PREFIX + "/test_" + test + "/output/" + instanceId + "/run-" + stage + "-output.log";
    }

    /** stats.json as the VM client writes it: its own keys and pullab_cloud's (exit_code ... completed_runs). */
    static byte[] stats(String instanceId, String arch) {
        return ("{\"instance_id\": \"" + instanceId + "\", \"instance_type\": \"m7g.large\", \"arch\": \"" + arch
                + "\", \"result\": \"SUCCESS\", \"stages_total\": 2, \"stages\": [], \"exit_code\": 0,"
                + " \"runtime_seconds\": 912, \"last_run_runtime_seconds\": 450, \"start_time\": 1764892800,"
                + " \"end_time\": 1764893900, \"success\": true, \"total_runs\": 2, \"completed_runs\": 2}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A benchmark CSV in the seed's columns: {@code rows} are {@code metric,unit,value,more_is_better}. */
    static RunFile csv(String test, String instanceId, KernelRole role, String... rows) {
        String kernel = role == KernelRole.BASE ? BASE_KERNEL : TIP_KERNEL;
        StringBuilder text = new StringBuilder(CSV_HEADER).append('\n');
        for (String row : rows) {
            text.append(row).append(',').append(kernel).append(',').append(instanceId).append(",m5.large,x86_64\n");
        }
        return rawCsv(test, instanceId, role, text.toString());
    }

    /** A benchmark CSV with exactly this content. */
    static RunFile rawCsv(String test, String instanceId, KernelRole role, String content) {
        String path = "test_" + test + "/output/" + instanceId + "/benchmark-" + role.label() + "-1.csv";
        BenchmarkFile file = BenchmarkFile.fromRunPath(path, "s3://results/" + RUN_PREFIX + "/" + path).orElseThrow();
        return new RunFile(file, bytes(content));
    }

    /** Every value of a JSON tree, the root included. */
    static List<JsonNode> allValues(JsonNode root) {
        List<JsonNode> all = new ArrayList<>();
        all.add(root);
        StreamSupport.stream(root.spliterator(), false).forEach(child -> all.addAll(allValues(child)));
        return all;
    }

    private static JsonNode resource(String name) {
        try (InputStream in = ReportFixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
