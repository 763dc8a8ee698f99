package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.aws.LabResources;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

@DisplayName("pullab validate: a lab's pre-flight on the emulator, as a user runs it")
class ValidateCommandIT {

    static final String RUNTIME = "pull-labs-demo";
    static final String ORIGIN = "pull_labs_demo";
    static final String KCIDB_SECRET = "kcidb-receiver-secret";
    static final String TOKEN = "maestro-token-validate-0123456789";

    @TempDir
    Path dir;

    private final AwsEmulator aws = AwsEmulator.get();
    private final KernelCiApiDouble kernelci = KernelCiApiDouble.start(TOKEN);
    private final KcidbReceiverDouble kcidb = KcidbReceiverDouble.start(KCIDB_SECRET, KcidbValidator::validate);
    private LabResources.Created lab;
    private Path labFile;

    @BeforeEach
    void createLab() throws IOException {
        kernelci.setUserGroups(List.of("runtime:" + RUNTIME + ":node-editor"));
        String prefix = "validate-" + UUID.randomUUID().toString().substring(0, 8);
        try (DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
                SqsClient sqs = aws.client(SqsClient.builder())) {
            lab = LabResources.create(prefix, dynamo, sqs, aws.s3());
        }
        labFile = writeLabFile(lab);
    }

    @AfterEach
    void stop() {
        kernelci.close();
        kcidb.close();
    }

    @Test
    @DisplayName("a good lab with its kernels uploaded: every check ok or skipped with why, exit 0")
    void givenGoodLab_whenValidated_thenExitZero() throws Exception {
        uploadKernels("x86_64", 2);

        JarRun run = validate(goodSettings(), "--lab", labFile.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains(
                "ok       table PULLAB_RUNS_TABLE: table " + lab.tables().get("runs") + " exists",
                "ok       queue PULLAB_JOBS_DLQ_URL: queue " + lab.dlqUrls().get("jobs") + " exists",
                "ok       bucket PULLAB_STORAGE_BUCKET: bucket " + lab.buckets().get("storage")
                        + " exists and is reachable",
                "skipped  function PULLAB_TRIGGER_FUNCTION: a lab on an emulator (local-run) has no functions",
                "ok       aws caller: ",
                "ok       kernelci token: accepted by " + kernelci.baseUri() + "/whoami: user pullab",
                "ok       kernelci node editor: user pullab may edit nodes of runtime " + RUNTIME,
                "ok       kcidb jwt: HS256, origin " + ORIGIN,
                "ok       kernel rpms x86_64: 2 kernel RPMs in s3://" + lab.buckets().get("storage")
                        + "/kernel-rpms/binary/x86_64/",
                " 0 problems, ")
                .doesNotContain(TOKEN).doesNotContain(goodSettings().get("KCIDB_JWT"));
    }

    @Test
    @DisplayName("a deleted queue, a refused token, an expired JWT and no kernels: each named with its fix, exit 1")
    void givenBrokenLab_whenValidated_thenEachBrokenThingNamedExitOne() throws Exception {
        try (SqsClient sqs = aws.client(SqsClient.builder())) {
            sqs.deleteQueue(b -> b.queueUrl(lab.queueUrls().get("results")));
        }
        Map<String, String> settings = brokenSettings();

        JarRun run = validate(settings, "--lab", labFile.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains(
                "problem  queue PULLAB_RESULTS_QUEUE_URL: results queue " + lab.queueUrls().get("results")
                        + " does not exist",
                "problem  kernelci token: the token is refused by " + kernelci.baseUri() + "/whoami (HTTP 401)",
                "         fix: set KERNELCI_API_TOKEN to a valid token",
                "problem  kcidb jwt: the KCIDB JWT expired at ",
                "problem  kernel rpms x86_64: 0 kernel RPMs in s3://" + lab.buckets().get("storage"),
                "         fix: pullab upload-rpms DIR",
                "ok       queue PULLAB_JOBS_QUEUE_URL:",
                "4 problems")
                .doesNotContain("not-the-lab-token").doesNotContain(settings.get("KCIDB_JWT"));
    }

    @Test
    @DisplayName("--json says the same of the broken lab: one object per check with name, status, detail, fix")
    void givenBrokenLab_whenValidatedAsJson_thenSameProblems() throws Exception {
        try (SqsClient sqs = aws.client(SqsClient.builder())) {
            sqs.deleteQueue(b -> b.queueUrl(lab.queueUrls().get("results")));
        }

        JarRun run = validate(brokenSettings(), "--lab", labFile.toString(), "--json");

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode checks = new ObjectMapper().readTree(run.out());
        Map<String, JsonNode> problems = new HashMap<>();
        checks.forEach(c -> {
            assertThat(c.fieldNames()).toIterable().containsExactly("name", "status", "detail", "fix");
            if (c.get("status").asText().equals("problem")) {
                problems.put(c.get("name").asText(), c);
            }
        });
        assertThat(problems).containsOnlyKeys("queue PULLAB_RESULTS_QUEUE_URL", "kernelci token", "kcidb jwt",
                "kernel rpms x86_64");
        assertThat(problems.get("kcidb jwt").get("detail").asText()).startsWith("the KCIDB JWT expired at ");
        assertThat(problems.get("kernelci token").get("fix").asText()).contains("KERNELCI_API_TOKEN");
    }

    @Test
    @DisplayName("a user outside the runtime's node-editor group is a problem naming the group to ask for")
    void givenUserWithoutGroup_whenValidated_thenProblemNamingTheGroup() throws Exception {
        kernelci.setUserGroups(List.of("runtime:other-lab:node-editor"));
        uploadKernels("x86_64", 2);

        JarRun run = validate(goodSettings(), "--lab", labFile.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("problem  kernelci node editor: user pullab may not edit nodes of runtime "
                + RUNTIME + " (groups: runtime:other-lab:node-editor)",
                "fix: ask the KernelCI admins to add pullab to group runtime:" + RUNTIME + ":node-editor");
    }

    @Test
    @DisplayName("a KernelCI URL nobody answers is a problem within the timeout")
    void givenDeadKernelCiUrl_whenValidated_thenProblem() throws Exception {
        Map<String, String> settings = new HashMap<>(goodSettings());
        settings.put("KERNELCI_API_BASE_URI", "http://127.0.0.1:9/latest");

        JarRun run = validate(settings, "--lab", labFile.toString(), "--timeout", "2");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("problem  kernelci api: http://127.0.0.1:9/latest does not answer within 2 s");
    }

    @Test
    @DisplayName("--arch aarch64 checks that arch's kernels; an unknown arch is bad usage, exit 2")
    void givenArch_whenValidated_thenThatArchChecked() throws Exception {
        uploadKernels("x86_64", 2);
        uploadKernels("aarch64", 1);

        JarRun run = validate(goodSettings(), "--lab", labFile.toString(), "--arch", "x86_64", "--arch", "aarch64");
        JarRun bad = validate(goodSettings(), "--lab", labFile.toString(), "--arch", "riscv64");

        assertThat(run.out()).contains("ok       kernel rpms x86_64", "problem  kernel rpms aarch64: 1 kernel RPM in");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("error: --arch riscv64 is not an arch of the kernel-rpms layout");
    }

    @Test
    @DisplayName("tokens from the lab's secrets: each secret exists, the tokens read from them pass, none printed")
    void givenTokensInSecrets_whenValidated_thenReadFromSecretsAndNeverPrinted() throws Exception {
        uploadKernels("x86_64", 2);
        String jwt = KcidbReceiverDouble.jwt(KCIDB_SECRET, ORIGIN);
        String tokenArn;
        String jwtArn;
        try (SecretsManagerClient secrets = aws.client(SecretsManagerClient.builder())) {
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            tokenArn = secrets.createSecret(b -> b.name("validate-kernelci-" + suffix).secretString(TOKEN)).arn();
            jwtArn = secrets.createSecret(b -> b.name("validate-kcidb-" + suffix).secretString(jwt)).arn();
        }
        Files.writeString(labFile, "KERNELCI_API_TOKEN_SECRET_ARN=" + tokenArn + "\nKCIDB_JWT_SECRET_ARN=" + jwtArn
                + "\n", java.nio.file.StandardOpenOption.APPEND);
        Map<String, String> settings = new HashMap<>(goodSettings());
        settings.remove("KERNELCI_API_TOKEN");
        settings.remove("KCIDB_JWT");

        JarRun run = validate(settings, "--lab", labFile.toString());

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("ok       secret KERNELCI_API_TOKEN_SECRET_ARN: secret " + tokenArn
                        + " exists (value not read)",
                "ok       secret KCIDB_JWT_SECRET_ARN: secret " + jwtArn + " exists",
                "ok       kernelci token: accepted by", "ok       kcidb jwt: HS256, origin " + ORIGIN)
                .doesNotContain(TOKEN).doesNotContain(jwt);
    }

    private Map<String, String> goodSettings() {
        Map<String, String> env = new HashMap<>();
        env.put("KERNELCI_API_BASE_URI", kernelci.baseUri().toString());
        env.put("KERNELCI_API_TOKEN", TOKEN);
        env.put("KERNELCI_RUNTIME_NAME", RUNTIME);
        env.put("KCIDB_SUBMIT_URL", kcidb.submitUrl().toString());
        env.put("KCIDB_JWT", KcidbReceiverDouble.jwt(KCIDB_SECRET, ORIGIN));
        env.put("KCIDB_ORIGIN", ORIGIN);
        return env;
    }

    private Map<String, String> brokenSettings() {
        Map<String, String> env = new HashMap<>(goodSettings());
        env.put("KERNELCI_API_TOKEN", "not-the-lab-token");
        env.put("KCIDB_JWT", KcidbReceiverDouble.jwt(KCIDB_SECRET, Map.of("origin", ORIGIN, "exp",
                Instant.now().getEpochSecond() - 7200)));
        return env;
    }

    private JarRun validate(Map<String, String> settings, String... args) throws Exception {
        List<String> env = new ArrayList<>();
        aws.environment().forEach((k, v) -> {
            if (!k.equals(AwsEmulator.ENDPOINT_VARIABLE)) {
                env.add(k + "=" + v);
            }
        });
        settings.forEach((k, v) -> env.add(k + "=" + v));
        List<String> command = new ArrayList<>(List.of("validate"));
        command.addAll(List.of(args));
        return JarRun.run(dir, env, command.toArray(String[]::new));
    }

    private void uploadKernels(String arch, int count) {
        S3Client s3 = aws.s3();
        for (int i = 0; i < count; i++) {
            String key = "kernel-rpms/binary/" + arch + "/kernel-6.1" + i + ".0-1." + arch + ".rpm";
            s3.putObject(b -> b.bucket(lab.buckets().get("storage")).key(key), RequestBody.fromString("rpm " + i));
        }
    }

    /** The lab file local-run writes: the functions' variables, the region and the emulator's endpoint. */
    private Path writeLabFile(LabResources.Created created) throws IOException {
        String text = "# pullab lab file\n"
                + "AWS_REGION=" + aws.region().id() + "\n"
                + "AWS_ENDPOINT_URL=" + aws.endpoint() + "\n"
                + "PULLAB_RUNS_TABLE=" + created.tables().get("runs") + "\n"
                + "PULLAB_JOBS_TABLE=" + created.tables().get("jobs") + "\n"
                + "PULLAB_CURSOR_TABLE=" + created.tables().get("cursor") + "\n"
                + "PULLAB_LAUNCHES_TABLE=" + created.tables().get("launches") + "\n"
                + "PULLAB_RESULTS_BUCKET=" + created.buckets().get("results") + "\n"
                + "PULLAB_STORAGE_BUCKET=" + created.buckets().get("storage") + "\n"
                + "PULLAB_JOBS_QUEUE_URL=" + created.queueUrls().get("jobs") + "\n"
                + "PULLAB_RESULTS_QUEUE_URL=" + created.queueUrls().get("results") + "\n"
                + "PULLAB_JOBS_DLQ_URL=" + created.dlqUrls().get("jobs") + "\n"
                + "PULLAB_RESULTS_DLQ_URL=" + created.dlqUrls().get("results") + "\n";
        return Files.writeString(dir.resolve("lab.env"), text);
    }
}
