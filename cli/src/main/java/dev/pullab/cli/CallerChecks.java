package dev.pullab.cli;

import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.validate.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * {@code pullab validate}'s checks of the caller: who it is (STS GetCallerIdentity), and, where IAM lets it simulate
 * its own policies, whether it may do what the operator commands do.
 */
final class CallerChecks {

    /** An action an operator command needs, on a resource of the lab. */
    record Need(String action, Optional<LabNames.Resource> on, String command) {
    }

    /** What {@code upload-rpms}, {@code run}, {@code runs}, {@code cleanup} and {@code replay-dlq} do. */
    static final List<Need> NEEDS = List.of(
            new Need("s3:PutObject", Optional.of(LabNames.STORAGE_BUCKET), "upload-rpms, upload-tests"),
            new Need("s3:ListBucket", Optional.of(LabNames.STORAGE_BUCKET), "upload-rpms, validate"),
            new Need("s3:GetObject", Optional.of(LabNames.RESULTS_BUCKET), "run --results-dir, analyze"),
            new Need("dynamodb:Scan", Optional.of(LabNames.RUNS_TABLE), "runs"),
            new Need("dynamodb:GetItem", Optional.of(LabNames.RUNS_TABLE), "runs show, run --wait"),
            new Need("lambda:InvokeFunction", Optional.of(LabNames.TRIGGER_FUNCTION), "run"),
            new Need("sqs:SendMessage", Optional.of(LabNames.JOBS_QUEUE), "replay-dlq"),
            new Need("ec2:DescribeInstances", Optional.empty(), "cleanup, runs show"),
            new Need("ec2:TerminateInstances", Optional.empty(), "cleanup --delete"));

    private final LabOptions.Lab lab;
    private final LabResourceChecks resources;

    CallerChecks(LabOptions.Lab lab, LabResourceChecks resources) {
        this.lab = lab;
        this.resources = resources;
    }

    List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        GetCallerIdentityResponse identity;
        try (StsClient sts = lab.client(StsClient.builder(), "AWS_ENDPOINT_URL_STS", "aws.endpointUrlSts")) {
            identity = sts.getCallerIdentity();
        } catch (SdkException e) {
            checks.add(Check.problem("aws caller", "STS GetCallerIdentity failed: " + CliErrors.describe(e),
                    "set AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the lab's "
                            + "account"));
            checks.add(Check.skipped("aws permissions", "who the caller is is not known"));
            return checks;
        }
        checks.add(Check.ok("aws caller", identity.arn() + " (account " + identity.account() + ")"));
        checks.add(permissions(identity));
        return checks;
    }

    private Check permissions(GetCallerIdentityResponse identity) {
        String principal = principalArn(identity.arn());
        if (resources.onEmulator()) {
            return Check.skipped("aws permissions", "a lab on an emulator has no IAM policies to simulate");
        }
        String region = lab.region().orElseGet(() -> Optional.ofNullable(System.getenv("AWS_REGION")).orElse("*"));
        List<String> denied = new ArrayList<>();
        int simulated = 0;
        try {
            IamClient iam = resources.iam();
            for (Need need : NEEDS) {
                Optional<String> arn = need.on().isEmpty() ? Optional.of("*")
                        : need.on().flatMap(r -> lab.names().find(r)).map(name -> arn(need.on().get(), name,
                                region, identity.account()));
                if (arn.isEmpty()) {
                    continue;
                }
                String resource = need.action().equals("s3:ListBucket") ? arn.get().replace("/*", "") : arn.get();
                List<EvaluationResult> results = iam.simulatePrincipalPolicy(b -> b.policySourceArn(principal)
                        .actionNames(need.action()).resourceArns(resource)).evaluationResults();
                simulated++;
                boolean allowed = !results.isEmpty() && results.stream()
                        .allMatch(r -> r.evalDecision() == PolicyEvaluationDecisionType.ALLOWED);
                if (!allowed) {
                    denied.add(need.action() + " on " + resource + " (" + need.command() + ")");
                }
            }
        } catch (SdkException e) {
            return Check.skipped("aws permissions", "IAM SimulatePrincipalPolicy is not available to "
                    + principal + ": " + CliErrors.describe(e));
        }
        if (!denied.isEmpty()) {
            return Check.problem("aws permissions", principal + " may not: " + String.join("; ", denied),
                    "grant these actions to " + principal + " (or use the lab's operator role)");
        }
        return Check.ok("aws permissions", principal + " may do the " + simulated + " actions the operator "
                + "commands need (IAM policy simulation)");
    }

    /** An assumed role's session ARN as the role's ARN (what IAM simulates). */
    static String principalArn(String callerArn) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("arn:(aws[a-z-]*):sts::(\\d{12}):assumed-role/([^/]+)/.*").matcher(callerArn);
        return m.matches() ? "arn:" + m.group(1) + ":iam::" + m.group(2) + ":role/" + m.group(3) : callerArn;
    }

    private static String arn(LabNames.Resource resource, String name, String region, String account) {
        if (resource == LabNames.STORAGE_BUCKET || resource == LabNames.RESULTS_BUCKET) {
            return "arn:aws:s3:::" + name + "/*";
        }
        if (resource == LabNames.RUNS_TABLE) {
            return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
        }
        if (resource == LabNames.TRIGGER_FUNCTION) {
            return name.startsWith("arn:") ? name : "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
        }
        if (resource == LabNames.JOBS_QUEUE) {
            String queue = name.substring(name.lastIndexOf('/') + 1);
            return "arn:aws:sqs:" + region + ":" + account + ":" + queue;
        }
        return "*";
    }
}
