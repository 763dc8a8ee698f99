package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.testkit.AwsEmulator;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

@DisplayName("a deployed stack's outputs, read with CloudFormation DescribeStacks (on the emulator)")
class CloudFormationStackOutputsIT {

    private final AwsEmulator aws = AwsEmulator.get();

    /** A stack with one resource (CloudFormation needs one) and literal outputs, as a deployed lab's. */
    static String template(String queueName, String runsTable, String storageBucket) {
        return """
                {"Resources": {"Marker": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "%s"}}},
                 "Outputs": {"RunsTableName": {"Value": "%s"},
                             "StorageBucketName": {"Value": "%s"},
                             "MarkerQueueUrl": {"Value": {"Ref": "Marker"}}}}
                """.formatted(queueName, runsTable, storageBucket);
    }

    @Test
    @DisplayName("every output of the stack is read by its key, including one CloudFormation resolved")
    void givenStackWithOutputs_whenRead_thenEveryOutputByKey() {
        String stack = "outputs-" + UUID.randomUUID().toString().substring(0, 8);
        try (CloudFormationClient cfn = aws.client(CloudFormationClient.builder())) {
            cfn.createStack(b -> b.stackName(stack).templateBody(template(stack + "-marker", "lab-runs-1A2B",
                    "lab-storage-x")));

            var outputs = new CloudFormationStackOutputs(() -> aws.client(CloudFormationClient.builder()))
                    .outputs(stack);

            assertThat(outputs).containsEntry("RunsTableName", "lab-runs-1A2B")
                    .containsEntry("StorageBucketName", "lab-storage-x")
                    .hasEntrySatisfying("MarkerQueueUrl", url -> assertThat(url).endsWith("/" + stack + "-marker"));
        }
    }

    @Test
    @DisplayName("a stack that is not deployed is a one-line configuration error telling to check --stack/--region")
    void givenNoSuchStack_whenRead_thenConfigurationError() {
        CloudFormationStackOutputs stacks = new CloudFormationStackOutputs(
                () -> aws.client(CloudFormationClient.builder()));

        assertThatThrownBy(() -> stacks.outputs("no-such-lab-stack"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("stack no-such-lab-stack is not deployed in this account and region")
                .hasMessageContaining("check --stack and --region");
    }
}
