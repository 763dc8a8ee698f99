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

    /**
     * Run by {@code cdk synth}/{@code cdk deploy} through {@code cdk-app.sh}, from this module's directory. Refuses
     * (exit status 1, every problem on stderr) when the build in this checkout is missing or stale, or when a context
     * value is refused (one line naming the key and what it accepts).
     */
    public static void main(String[] args) {
        App app = new App();
        List<String> problems = checkBuild(app, Path.of(".."));
        if (!problems.isEmpty()) {
            problems.forEach(problem -> System.err.println("pullab: " + problem));
            System.exit(1);
        }
        try {
            configure(app);
        } catch (IllegalArgumentException badContext) {
            // a context value or config file the stack refuses: its message names the key and the accepted values
            System.err.println("pullab: " + badContext.getMessage());
            System.exit(1);
        }
        app.synth();
    }

    /** The build problems of the checkout at {@code root}, less the jars the operator supplied by context. */
    static List<String> checkBuild(App app, Path root) {
        List<String> supplied = BuildCheck.JAR_CONTEXT_KEYS.entrySet().stream()
                .filter(entry -> app.getNode().tryGetContext(entry.getKey()) != null)
                .map(java.util.Map.Entry::getValue)
                .toList();
        return new BuildCheck(root).problems(supplied);
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
