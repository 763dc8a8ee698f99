package dev.pullab.aws;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.StackOutputs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/** {@link StackOutputs} from CloudFormation: one {@code DescribeStacks} of the stack's name. */
public final class CloudFormationStackOutputs implements StackOutputs {

    private final Supplier<CloudFormationClient> cloudFormation;

    public CloudFormationStackOutputs(Supplier<CloudFormationClient> cloudFormation) {
        this.cloudFormation = Lazy.of(cloudFormation);
    }

    @Override
    public Map<String, String> outputs(String stackName) {
        Stack stack;
        try {
            stack = cloudFormation.get().describeStacks(b -> b.stackName(stackName)).stacks().stream().findFirst()
                    .orElseThrow(() -> missing(stackName, "no such stack"));
        } catch (CloudFormationException e) {
            if (e.statusCode() == 400 && String.valueOf(e.getMessage()).contains("does not exist")) {
                throw missing(stackName, e.awsErrorDetails() == null ? e.getMessage()
                        : e.awsErrorDetails().errorMessage());
            }
            throw e;
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Output output : stack.outputs()) {
            outputs.put(output.outputKey(), output.outputValue());
        }
        return outputs;
    }

    private static ConfigurationException missing(String stackName, String detail) {
        return new ConfigurationException("stack " + stackName + " is not deployed in this account and region ("
                + detail + "): check --stack and --region (or AWS_REGION), or deploy it with npx aws-cdk@2 deploy");
    }
}
