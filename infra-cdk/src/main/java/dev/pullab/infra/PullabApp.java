package dev.pullab.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;

/**
 * The CDK app: one {@link PullabStack} named {@code <prefix>} (context {@code prefix}, default {@code pullab}), in the
 * account and region of the CLI's credentials, checked by cdk-nag's AWS Solutions rule pack.
 */
public final class PullabApp {

    private PullabApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Object prefix = app.getNode().tryGetContext("prefix");
        String stackName = prefix == null ? "pullab" : prefix.toString();
        new PullabStack(app, stackName, StackProps.builder()
                .stackName(stackName)
                .description("pullab: a KernelCI pull lab on AWS Lambda")
                .env(Environment.builder()
                        .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                        .region(System.getenv("CDK_DEFAULT_REGION"))
                        .build())
                .build());
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
    }
}
