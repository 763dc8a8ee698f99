package dev.pullab.core.config;

import java.util.Map;

/** Reads a deployed stack's outputs (in AWS: CloudFormation {@code DescribeStacks}). */
@FunctionalInterface
public interface StackOutputs {

    /**
     * The stack's outputs, by output key.
     *
     * @throws ConfigurationException naming the stack and region when it does not exist there
     */
    Map<String, String> outputs(String stackName);
}
