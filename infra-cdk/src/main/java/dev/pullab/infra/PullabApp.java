package dev.pullab.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;

/**
 * The CDK app: one {@link PullabStack} named {@code <prefix>} (context {@code prefix}, default {@code pullab}), in the
 * account and region of the CLI's credentials, checked by cdk-nag's AWS Solutions rule pack. cdk-nag 3 is a CDK
 * policy-validation plugin: an unacknowledged finding fails {@code cdk synth} and is written to
 * {@code cdk.out/validation-report.json}.
 */
public final class PullabApp {

    private PullabApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        configure(app);
        app.synth();
    }

    /** Adds the stack and the cdk-nag plugin to an app. */
    static PullabStack configure(App app) {
        Object prefix = app.getNode().tryGetContext("prefix");
        String stackName = prefix == null || prefix.toString().isBlank() ? "pullab" : prefix.toString();
        PullabStack stack = new PullabStack(app, stackName, StackProps.builder()
                .stackName(stackName)
                .description("pullab: a KernelCI pull lab on AWS Lambda")
                .env(Environment.builder()
                        .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                        .region(System.getenv("CDK_DEFAULT_REGION"))
                        .build())
                .build());
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        return stack;
    }
}
