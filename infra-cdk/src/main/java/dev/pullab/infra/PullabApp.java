package dev.pullab.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;

/**
 * The CDK app: one {@link PullabStack} named {@code <prefix>} (context {@code prefix}, default {@code pullab}), in the
 * account and region of the CLI's credentials, checked by cdk-nag's AWS Solutions rule pack. cdk-nag 3 is a CDK
 * policy-validation plugin: an unacknowledged finding fails {@code cdk synth} and is written to
 * {@code cdk.out/validation-report.json}. Context {@code config=<pullab_cloud config.json>} supplies defaults for the
 * context keys (see {@link PullabCloudConfig}).
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
        Object config = app.getNode().tryGetContext("config");
        List<String> ignored = List.of();
        if (config != null && !config.toString().isBlank()) {
            PullabCloudConfig file = PullabCloudConfig.read(Path.of(config.toString()));
            file.context().forEach((key, value) -> {
                if (app.getNode().tryGetContext(key) == null) {
                    app.getNode().setContext(key, value);
                }
            });
            ignored = file.ignored();
        }
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
        for (String key : ignored) {
            Annotations.of(stack).addWarningV2("pullab:secretInConfig", key + " in " + config + " is not deployed"
                    + " (it would be stored in the template): put it into the stack's secret instead");
        }
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        return stack;
    }
}
