package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.LabResources;
import dev.pullab.testkit.AwsEmulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

@DisplayName("pullab validate --stack: the lab's names from a deployed stack's outputs (CloudFormation on the emulator)")
class ValidateStackIT {

    @TempDir
    Path dir;

    private final AwsEmulator aws = AwsEmulator.get();
    private String stack;
    private LabResources.Created lab;

    @BeforeEach
    void deployStack() {
        String prefix = "vstack-" + UUID.randomUUID().toString().substring(0, 8);
        try (DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
                SqsClient sqs = aws.client(SqsClient.builder());
                CloudFormationClient cfn = aws.client(CloudFormationClient.builder())) {
            lab = LabResources.create(prefix, dynamo, sqs, aws.s3());
            stack = prefix;
            String template = """
                    {"Resources": {"Marker": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "%s-marker"}}},
                     "Outputs": {"RunsTableName": {"Value": "%s"}, "JobsTableName": {"Value": "%s"},
                                 "StorageBucketName": {"Value": "%s"}, "JobsQueueUrl": {"Value": "%s"},
                                 "TriggerFunctionName": {"Value": "%s-trigger"}}}
                    """.formatted(prefix, lab.tables().get("runs"), lab.tables().get("jobs"),
                    lab.buckets().get("storage"), lab.queueUrls().get("jobs"), prefix);
            cfn.createStack(b -> b.stackName(stack).templateBody(template));
        }
    }

    @Test
    @DisplayName("the resources the outputs name are checked; one they do not name is a problem naming the output")
    void givenStack_whenValidated_thenOutputsCheckedAndMissingOnesNamed() throws Exception {
        JarRun run = validate("--stack", stack, "--region", aws.region().id());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).contains(
                "ok       lab: 5 resources named by stack " + stack + " (" + aws.region().id() + ")",
                "ok       table PULLAB_RUNS_TABLE: table " + lab.tables().get("runs") + " exists",
                "ok       queue PULLAB_JOBS_QUEUE_URL: queue " + lab.queueUrls().get("jobs") + " exists",
                "problem  function PULLAB_TRIGGER_FUNCTION: trigger function (BuildComplete events) " + stack
                        + "-trigger does not exist",
                "problem  table PULLAB_CURSOR_TABLE: the lab's cursor table is not named by stack " + stack,
                "fix: deploy the stack (it has output CursorTableName) and pass --stack NAME, or set "
                        + "PULLAB_CURSOR_TABLE");
    }

    @Test
    @DisplayName("PULLAB_STACK names the stack when --stack is not given")
    void givenStackVariable_whenValidated_thenThatStack() throws Exception {
        JarRun run = validate(List.of("PULLAB_STACK=" + stack), "--region", aws.region().id());

        assertThat(run.out()).contains("ok       lab: 5 resources named by stack " + stack);
    }

    @Test
    @DisplayName("a stack that is not deployed is a problem telling to check --stack and --region, exit 1")
    void givenNoSuchStack_whenValidated_thenProblem() throws Exception {
        JarRun run = validate("--stack", "no-such-lab", "--region", aws.region().id());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("problem  lab: stack no-such-lab is not deployed in this account and region");
    }

    private JarRun validate(String... args) throws Exception {
        return validate(List.of(), args);
    }

    private JarRun validate(List<String> extra, String... args) throws Exception {
        List<String> env = new ArrayList<>(extra);
        aws.environment().forEach((k, v) -> env.add(k + "=" + v));
        List<String> command = new ArrayList<>(List.of("validate", "--timeout", "2"));
        command.addAll(List.of(args));
        return JarRun.run(dir, env, command.toArray(String[]::new));
    }
}
