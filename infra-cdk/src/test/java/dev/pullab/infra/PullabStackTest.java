package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.LabResources;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The synthesized template: resources and properties that matter, and the cdk-nag verdict. */
class PullabStackTest {

    private static PullabStack stack;
    private static Template template;
    private static AwsSolutionsChecks nag;

    @BeforeAll
    static void synth() {
        App app = new App(AppProps.builder()
                .context(Map.of(
                        "placeholderCode", "true",
                        "runtimeName", "pullab-test",
                        "apiBaseUri", "https://staging.kernelci.org:9000/latest",
                        "platforms", "qemu-x86_64,x86_64-ec2",
                        "kcidbSubmitUrl", "https://db.kernelci.org/submit",
                        "kcidbOrigin", "pullab",
                        "vpcId", "vpc-0123456789abcdef0",
                        "subnetIds", "subnet-1,subnet-2",
                        "alarmEmail", "lab-oncall@example.org"))
                .build());
        stack = new PullabStack(app, "pullab", StackProps.builder()
                .env(Environment.builder().account("123456789012").region("eu-west-2").build()).build());
        nag = new AwsSolutionsChecks(app);
        template = Template.fromStack(stack);
    }

    @Test
    void tablesAreOnDemandWithPointInTimeRecoveryAndTtl() {
        template.resourceCountIs("AWS::DynamoDB::Table", LabResources.TABLES.size());
        assertThat(LabResources.TABLES).hasSize(4);
        for (LabResources.Table table : LabResources.TABLES) {
            Map<String, Object> props = new java.util.HashMap<>(Map.of(
                    "BillingMode", "PAY_PER_REQUEST",
                    "KeySchema", List.of(Map.of("AttributeName", table.partitionKey(), "KeyType", "HASH")),
                    "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true)));
            table.ttlAttribute().ifPresent(ttl -> props.put("TimeToLiveSpecification",
                    Map.of("AttributeName", ttl, "Enabled", true)));
            template.hasResourceProperties("AWS::DynamoDB::Table", props);
        }
        template.hasResource("AWS::DynamoDB::Table", Map.of("DeletionPolicy", "Retain"));
    }

    @Test
    void queuesHaveDeadLetterQueuesAndEnforceTls() {
        template.resourceCountIs("AWS::SQS::Queue", 5);
        template.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "FifoQueue", true,
                "VisibilityTimeout", 900,
                "RedrivePolicy", Map.of("maxReceiveCount", 5, "deadLetterTargetArn", Match.anyValue())));
        template.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "FifoQueue", Match.absent(),
                "VisibilityTimeout", 900,
                "RedrivePolicy", Map.of("maxReceiveCount", 5, "deadLetterTargetArn", Match.anyValue())));
        Map<String, Map<String, Object>> policies = template.findResources("AWS::SQS::QueuePolicy");
        assertThat(policies.toString()).contains("aws:SecureTransport");
        // visibility of every queue outlasts the slowest consumer (the analyzer, 10 minutes)
        template.findResources("AWS::SQS::Queue").values().stream()
                .map(r -> (Map<?, ?>) r.get("Properties"))
                .filter(p -> p.containsKey("RedrivePolicy"))
                .forEach(p -> assertThat(((Number) p.get("VisibilityTimeout")).intValue()).isGreaterThanOrEqualTo(600));
    }

    @Test
    void bucketsBlockPublicAccessAreEncryptedAndExpireOldRuns() {
        template.resourceCountIs("AWS::S3::Bucket", 2);
        assertThat(template.findResources("AWS::S3::Bucket", Map.of("Properties", Map.of(
                "PublicAccessBlockConfiguration", Map.of(
                        "BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256"))))))))
                .hasSize(2);
        template.hasResourceProperties("AWS::S3::Bucket", Map.of("LifecycleConfiguration", Map.of(
                "Rules", Match.arrayWith(List.of(Map.of("Id", "expire-old-runs", "Prefix", "run_",
                        "ExpirationInDays", 180, "Status", "Enabled"))))));
        Map<String, Map<String, Object>> policies = template.findResources("AWS::S3::BucketPolicy");
        assertThat(policies).hasSize(2);
        assertThat(policies.toString()).contains("aws:SecureTransport");
    }

    @Test
    void resultsBucketNotifiesTheResultsQueueOfResultFiles() {
        template.hasResourceProperties("Custom::S3BucketNotifications", Map.of(
                "NotificationConfiguration", Map.of("QueueConfigurations", List.of(Map.of(
                        "Events", List.of("s3:ObjectCreated:*"),
                        "Filter", Map.of("Key", Map.of("FilterRules", List.of(
                                Map.of("Name", "suffix", "Value", LabResources.RESULT_SUFFIX)))),
                        "QueueArn", Match.anyValue())))));
    }

    @Test
    void functionsRunOnJava21WithTheirEnvironment() {
        Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function",
                Map.of("Properties", Map.of("Runtime", "java21")));
        assertThat(functions).hasSize(6);
        functions.values().forEach(f -> assertThat(((Map<?, ?>) f.get("Properties")).get("MemorySize"))
                .isEqualTo(1024));

        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", PullabStack.POLLER_HANDLER,
                "Timeout", 300,
                "ReservedConcurrentExecutions", 1,
                "Environment", Map.of("Variables", Map.of(
                        "KERNELCI_API_BASE_URI", "https://staging.kernelci.org:9000/latest",
                        "KERNELCI_API_TOKEN_SECRET_ARN", Match.anyValue(),
                        "KERNELCI_RUNTIME_NAME", "pullab-test",
                        "KERNELCI_PLATFORMS", "qemu-x86_64,x86_64-ec2",
                        "PULLAB_CURSOR_TABLE", Match.anyValue(),
                        "PULLAB_JOBS_TABLE", Match.anyValue(),
                        "PULLAB_JOBS_QUEUE_URL", Match.anyValue()))));
        for (String handler : List.of(PullabStack.JOBS_HANDLER, PullabStack.TRIGGER_HANDLER)) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", handler,
                    "Timeout", 300,
                    "Environment", Map.of("Variables", Map.of(
                            "PULLAB_RESULTS_BUCKET", Match.anyValue(),
                            "PULLAB_STORAGE_BUCKET", Match.anyValue(),
                            "PULLAB_RUNS_TABLE", Match.anyValue(),
                            "PULLAB_LAUNCHES_TABLE", Match.anyValue(),
                            "PULLAB_INSTANCE_PROFILE", Match.anyValue(),
                            "PULLAB_SUBNET_IDS", "subnet-1,subnet-2",
                            "PULLAB_SECURITY_GROUP_IDS", Match.anyValue(),
                            "KERNELCI_API_BASE_URI", "https://staging.kernelci.org:9000/latest",
                            "KERNELCI_API_TOKEN_SECRET_ARN", Match.anyValue()))));
        }
        for (String handler : List.of(PullabStack.RESULTS_HANDLER, PullabStack.SWEEP_HANDLER)) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", handler,
                    "Timeout", 600,
                    "Environment", Map.of("Variables", Map.of(
                            "PULLAB_RUNS_TABLE", Match.anyValue(),
                            "PULLAB_RESULTS_BUCKET", Match.anyValue(),
                            "KCIDB_SUBMIT_URL", "https://db.kernelci.org/submit",
                            "KCIDB_JWT_SECRET_ARN", Match.anyValue(),
                            "KCIDB_ORIGIN", "pullab",
                            "KERNELCI_API_BASE_URI", "https://staging.kernelci.org:9000/latest",
                            "KERNELCI_API_TOKEN_SECRET_ARN", Match.anyValue()))));
        }
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", PullabStack.ANALYZE_HANDLER, "Timeout", 600));
    }

    @Test
    void noSecretValueIsInAnyEnvironment() {
        String env = template.findResources("AWS::Lambda::Function").values().stream()
                .map(f -> String.valueOf(((Map<?, ?>) f.get("Properties")).get("Environment")))
                .collect(Collectors.joining("\n"));
        assertThat(env).doesNotContain("KERNELCI_API_TOKEN=", "KCIDB_JWT=", "UNIFIED_TOKEN");
    }

    @Test
    void sqsEventSourcesReportBatchItemFailures() {
        Map<String, Map<String, Object>> mappings = template.findResources("AWS::Lambda::EventSourceMapping");
        assertThat(mappings).hasSize(2);
        mappings.values().forEach(m -> assertThat(((Map<?, ?>) m.get("Properties")).get("FunctionResponseTypes"))
                .isEqualTo(List.of("ReportBatchItemFailures")));
    }

    @Test
    void schedulerInvokesThePollerEveryMinuteAndTheSweeperEvery15() {
        template.resourceCountIs("AWS::Scheduler::Schedule", 2);
        template.hasResourceProperties("AWS::Scheduler::Schedule", Map.of(
                "ScheduleExpression", "rate(1 minute)",
                "State", "ENABLED",
                "Target", Map.of("Arn", Map.of("Fn::GetAtt", List.of(logicalId("Poller"), "Arn")))));
        template.hasResourceProperties("AWS::Scheduler::Schedule", Map.of(
                "ScheduleExpression", "rate(15 minutes)",
                "Target", Map.of("Arn", Map.of("Fn::GetAtt", List.of(logicalId("Sweeper"), "Arn")))));
    }

    @Test
    void buildCompleteRuleAndDailyCronTriggerTheOrchestrator() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Map.of("source", List.of("custom.kernel-build"), "detail-type",
                        List.of("BuildComplete")),
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(logicalId("TriggerOrchestrator"), "Arn")))))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "cron(0 2 * * ? *)",
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(logicalId("TriggerOrchestrator"), "Arn")),
                        "Input", Match.anyValue())))));
        // an event the trigger failed 3 times is kept in a dead-letter queue, for both rules
        Map<String, Object> triggerDlq = Map.of("Arn", Map.of("Fn::GetAtt", List.of(logicalId("TriggerDeadLetterQueue"),
                "Arn")));
        assertThat(template.findResources("AWS::Events::Rule", Map.of("Properties", Map.of("Targets", List.of(
                Match.objectLike(Map.of("DeadLetterConfig", triggerDlq, "RetryPolicy", Map.of(
                        "MaximumRetryAttempts", 2, "MaximumEventAgeInSeconds", 3600)))))))).hasSize(2);
        String daily = template.findResources("AWS::Events::Rule", Map.of("Properties",
                Map.of("ScheduleExpression", "cron(0 2 * * ? *)"))).toString();
        assertThat(daily).contains("config_s3_uri", "/configs/config.json", "region", "AWS::Region");
        template.hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "cron(0 2 * * ? *)",
                "State", "DISABLED"));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("the sweeper and the results function (consoles kept at a run's close) may read"
            + " the serial console of lab-tagged VMs only")
    void sweeperAndResultsFunctionReadOnlyLabVmConsoles() {
        Map<String, Map<String, Object>> policies = template.findResources("AWS::IAM::Policy", Map.of("Properties",
                Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "ReadLabVmConsoles",
                        "Action", "ec2:GetConsoleOutput",
                        "Condition", Map.of("StringEquals", Map.of("ec2:ResourceTag/pullab", "true"))))))))));

        assertThat(policies).hasSize(2);
        assertThat(policies.toString()).contains("ResultsAnalyzer", "Sweeper");
    }

    @Test
    void orchestratorLaunchesOnlyTaggedVmsAndPassesOnlyTheVmRole() {
        String policies = template.findResources("AWS::IAM::Policy").toString();
        assertThat(policies).contains("aws:RequestTag/pullab", "ec2:ResourceTag/pullab", "ec2:CreateAction",
                "ami-amazon-linux-latest", "iam:PassRole", "ec2:DescribeImages");
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Map.of(
                        "Sid", "TerminateLabVms",
                        "Effect", "Allow",
                        "Action", "ec2:TerminateInstances",
                        "Resource", Match.anyValue(),
                        "Condition", Map.of("StringEquals", Map.of("ec2:ResourceTag/pullab", "true"))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Map.of(
                        "Sid", "ReadLabVmConsoles",
                        "Effect", "Allow",
                        "Action", "ec2:GetConsoleOutput",
                        "Resource", Match.anyValue(),
                        "Condition", Map.of("StringEquals", Map.of("ec2:ResourceTag/pullab", "true"))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Map.of(
                        "Effect", "Allow",
                        "Action", "iam:PassRole",
                        "Resource", Map.of("Fn::GetAtt", List.of(logicalId("VmRole"), "Arn"))))))));
        assertThat(policies).doesNotContain("Action=*,", "Action=[*]");
        template.resourceCountIs("AWS::IAM::InstanceProfile", 1);
        String vmPolicy = template.findResources("AWS::IAM::Policy", Map.of("Properties", Map.of("Roles",
                java.util.List.of(Map.of("Ref", logicalId("VmRole")))))).toString();
        assertThat(vmPolicy).contains("/run_*/test_*/output/*", "s3:PutObject").doesNotContain("s3:DeleteObject");
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of(
                "SecurityGroupIngress", Match.absent(),
                "SecurityGroupEgress", List.of(Match.objectLike(Map.of("IpProtocol", "-1")))));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("a test VM may write only outputs and resume state of the run layout, and read"
            + " only the run's client, its test's input, the run's shared files and its resume state")
    void vmRoleIsConfinedToTheRunLayout() {
        Map<String, List<String>> byAction = s3Grants(logicalId("VmRole"));

        assertThat(byAction.get("s3:PutObject")).isNotEmpty().allSatisfy(resource -> assertThat(resource)
                .matches(".*/run_\\*/test_\\*/(output|state)/\\*"));
        assertThat(byAction.get("s3:GetObject")).isNotEmpty().allSatisfy(resource -> assertThat(resource)
                .matches(".*/run_\\*/((test_\\*/(input|state)|shared)/\\*|test-vm-client\\.sh)"));
        assertThat(byAction.get("s3:GetObject*")).isNotEmpty().allSatisfy(resource -> assertThat(resource)
                .contains("StorageBucket"));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "ListResults",
                        "Action", "s3:ListBucket",
                        "Condition", Match.absent())))))));
        assertThat(byAction.keySet()).doesNotContain("s3:DeleteObject", "s3:DeleteObject*");
    }

    /** The S3 actions granted to a role, each with the object resources it is granted on (joined ARNs). */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> s3Grants(String roleLogicalId) {
        Map<String, List<String>> grants = new java.util.TreeMap<>();
        template.findResources("AWS::IAM::Policy", Map.of("Properties", Map.of("Roles",
                List.of(Map.of("Ref", roleLogicalId))))).values().forEach(policy -> {
            Map<String, Object> properties = (Map<String, Object>) policy.get("Properties");
            List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) properties
                    .get("PolicyDocument")).get("Statement");
            for (Map<String, Object> statement : statements) {
                Object actions = statement.get("Action");
                Object resources = statement.get("Resource");
                for (Object action : actions instanceof List<?> l ? l : List.of(actions)) {
                    for (Object resource : resources instanceof List<?> r ? r : List.of(resources)) {
                        String arn = joined(resource);
                        if (action.toString().startsWith("s3:") && arn.contains("/")) {
                            grants.computeIfAbsent(action.toString(), k -> new java.util.ArrayList<>()).add(arn);
                        }
                    }
                }
            }
        });
        return grants;
    }

    /** An ARN as text: {@code Fn::Join} parts concatenated, references as their map's text. */
    @SuppressWarnings("unchecked")
    static String joined(Object resource) {
        if (resource instanceof Map<?, ?> map && map.containsKey("Fn::Join")) {
            List<Object> join = (List<Object>) map.get("Fn::Join");
            return ((List<Object>) join.get(1)).stream().map(PullabStackTest::joined)
                    .collect(Collectors.joining(join.get(0).toString()));
        }
        return resource.toString();
    }

    @Test
    void secretsAreCreatedAndAlarmsWatchDeadLetterQueuesAndErrors() {
        template.resourceCountIs("AWS::SecretsManager::Secret", 2);
        template.resourceCountIs("AWS::CloudWatch::Alarm", 3 + 6);
    }

    @Test
    void everyAlarmNotifiesTheAlarmTopicWhenItFiresAndClears() {
        Map<String, Object> topic = Map.of("Ref", logicalId("AlarmTopic"));
        assertThat(template.findResources("AWS::CloudWatch::Alarm", Map.of("Properties", Map.of(
                "AlarmActions", List.of(topic), "OKActions", List.of(topic))))).hasSize(3 + 6);
        template.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "email", "Endpoint", "lab-oncall@example.org", "TopicArn", topic));
        assertThat(template.findResources("AWS::SNS::TopicPolicy").toString()).contains("aws:SecureTransport");
        template.hasOutput("AlarmTopicArn", Map.of("Value", topic));
    }

    @Test
    void qemuJobsRunAsFargateTasksOfTheRunnerInTheLabsCluster() {
        template.resourceCountIs("AWS::ECS::Cluster", 1);
        template.hasResourceProperties("AWS::ECS::Cluster", Map.of("ClusterSettings",
                List.of(Map.of("Name", "containerInsights", "Value", "enabled"))));
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "NetworkMode", "awsvpc",
                "Cpu", "2048",
                "Memory", "4096",
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "Name", PullabStack.QEMU_CONTAINER,
                        "Essential", true,
                        "Environment", Match.absent(),
                        "LogConfiguration", Match.objectLike(Map.of("LogDriver", "awslogs")))))));
        // the image is the latest push to the stack's repository unless context qemuRunnerImage names one
        template.hasResourceProperties("AWS::ECR::Repository", Map.of("ImageScanningConfiguration",
                Map.of("ScanOnPush", true)));
        assertThat(template.findResources("AWS::ECS::TaskDefinition").toString())
                .contains(logicalId("QemuRunnerRepository"), ":latest");

        Map<String, Object> clusterName = Map.of("Ref", logicalId("QemuCluster"));
        for (String handler : List.of(PullabStack.JOBS_HANDLER, PullabStack.TRIGGER_HANDLER)) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", handler,
                    "Environment", Map.of("Variables", Match.objectLike(Map.of(
                            "PULLAB_ECS_CLUSTER", clusterName,
                            "PULLAB_QEMU_TASK_DEFINITION", Map.of("Ref", logicalId("QemuRunnerTask")))))));
        }
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(
                        Map.of("Effect", "Allow", "Action", "iam:PassRole",
                                "Condition", Map.of("StringLike", Map.of("iam:PassedToService",
                                        "ecs-tasks.amazonaws.com")),
                                "Resource", List.of(
                                        Map.of("Fn::GetAtt", List.of(taskRoleLogicalId(), "Arn")),
                                        Map.of("Fn::GetAtt", List.of(executionRoleLogicalId(), "Arn")))),
                        Map.of("Effect", "Allow", "Action", "ecs:RunTask",
                                "Resource", Map.of("Ref", logicalId("QemuRunnerTask"))),
                        Map.of("Sid", "FindQemuTasks", "Effect", "Allow", "Action", "ecs:ListTasks",
                                "Resource", "*",
                                "Condition", Map.of("ArnEquals", Map.of("ecs:cluster",
                                        Map.of("Fn::GetAtt", List.of(logicalId("QemuCluster"), "Arn"))))))))));
        String taskRolePolicy = template.findResources("AWS::IAM::Policy", Map.of("Properties", Map.of("Roles",
                List.of(Map.of("Ref", taskRoleLogicalId()))))).toString();
        assertThat(taskRolePolicy).contains("/run_*/test_*/output/*", "s3:PutObject")
                .doesNotContain("s3:DeleteObject");
    }

    @Test
    void givenARunnerImage_whenSynthesized_thenTheTaskUsesItAndNoRepositoryIsCreated() {
        App app = new App(AppProps.builder().context(Map.of("placeholderCode", "true",
                "qemuRunnerImage", "123456789012.dkr.ecr.eu-west-2.amazonaws.com/qemu-runner:2026.11")).build());
        Template other = Template.fromStack(new PullabStack(app, "pullab", StackProps.builder()
                .env(Environment.builder().account("123456789012").region("eu-west-2").build()).build()));
        other.resourceCountIs("AWS::ECR::Repository", 0);
        other.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Image",
                        "123456789012.dkr.ecr.eu-west-2.amazonaws.com/qemu-runner:2026.11")))));
        other.resourceCountIs("AWS::SNS::Subscription", 0);
    }

    @Test
    void cdkNagAwsSolutionsFindsNothingUnacknowledged() {
        PolicyValidationPluginReport report = nag.validateScope(stack);
        List<String> findings = report.getViolations().stream()
                .flatMap(v -> v.getViolatingResources().stream()
                        .map(r -> v.getRuleName() + " " + r.getConstructPath() + " " + r.getLocations()))
                .collect(Collectors.toList());
        findings.forEach(System.out::println);
        assertThat(findings).isEmpty();
        assertThat(report.getSuccess()).isTrue();
    }

    private static String taskRoleLogicalId() {
        return qemuTaskChildLogicalId("TaskRole");
    }

    private static String executionRoleLogicalId() {
        return qemuTaskChildLogicalId("ExecutionRole");
    }

    private static String qemuTaskChildLogicalId(String child) {
        return stack.getLogicalId((software.amazon.awscdk.CfnElement) stack.getNode().findChild("QemuRunnerTask")
                .getNode().findChild(child).getNode().getDefaultChild());
    }

    private static String logicalId(String constructId) {
        software.constructs.IConstruct construct = stack.getNode().findChild(constructId);
        return stack.getLogicalId((software.amazon.awscdk.CfnElement) (construct instanceof software.amazon.awscdk.CfnElement
                ? construct : construct.getNode().getDefaultChild()));
    }
}
