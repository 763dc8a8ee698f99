package dev.pullab.poller;

import dev.pullab.core.testing.AwsEmulator;
import dev.pullab.core.testing.KernelCiApiDouble;
import dev.pullab.core.testing.KernelCiFixtures;
import dev.pullab.core.testing.PollerTables;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Cold-start harness (prints figures; not a test): starts the emulator and the API double with 3 jobs, then runs
 * {@link ColdStartProbe} in fresh JVMs on {@code target/poller-function.jar} with Lambda's JVM flags, and prints the
 * time from JVM start to the handler's first return.
 *
 * <pre>mvn -B -q -pl poller-function -am package -DskipTests &amp;&amp; mvn -B -q -pl poller-function \
 *     exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.pullab.poller.ColdStartHarness</pre>
 */
public final class ColdStartHarness {

    private static final int RUNS = 5;

    private ColdStartHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path probeClasses = Path.of(ColdStartHarness.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = probeClasses.resolveSibling("poller-function.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run mvn package first");
        }
        AwsEmulator aws = AwsEmulator.get();
        long[] millis = new long[RUNS];
        for (int run = 0; run < RUNS; run++) {
            try (KernelCiApiDouble api = KernelCiApiDouble.start("token")) {
                PollerTables tables = PollerTables.create(aws);
                for (int j = 1; j <= 3; j++) {
                    api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(j), "pull-labs-aws-ec2", "qemu-x86_64"),
                            String.format("2026-05-20T10:00:%02d", j));
                }
                millis[run] = probe(jar, probeClasses, api, tables, aws);
            }
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("poller-function.jar %.1f MiB; cold start (JVM start to first handler return, 3 jobs "
                        + "claimed and queued, moto on loopback), %d runs: median %d ms, min %d ms, max %d ms %s%n",
                Files.size(jar) / (1024.0 * 1024.0), RUNS, sorted[RUNS / 2], sorted[0], sorted[RUNS - 1],
                Arrays.toString(millis));
        System.exit(0);
    }

    private static long probe(Path jar, Path probeClasses, KernelCiApiDouble api, PollerTables tables,
            AwsEmulator aws) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", jar + File.pathSeparator + probeClasses, ColdStartProbe.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("KERNELCI_") || k.startsWith("PULLAB_"));
        env.putAll(aws.environment());
        env.put("KERNELCI_API_BASE_URI", api.baseUri().toString());
        env.put("KERNELCI_API_TOKEN", "token");
        env.put("KERNELCI_RUNTIME_NAME", "pull-labs-aws-ec2");
        env.put("PULLAB_CURSOR_TABLE", tables.cursorTable());
        env.put("PULLAB_JOBS_TABLE", tables.jobsTable());
        env.put("PULLAB_JOBS_QUEUE_URL", tables.queueUrl());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains("probe: jvm-start-to-return-ms=")) {
            throw new IllegalStateException("probe failed:\n" + output);
        }
        String line = output.lines().filter(l -> l.startsWith("probe:")).findFirst().orElseThrow();
        System.out.println(line);
        String ms = line.substring(line.indexOf('=') + 1, line.indexOf(' ', line.indexOf('=')));
        return Long.parseLong(ms);
    }
}
