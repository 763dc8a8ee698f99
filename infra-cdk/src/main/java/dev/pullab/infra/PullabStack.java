package dev.pullab.infra;

import dev.pullab.aws.LabResources;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.LogLevel;
import dev.pullab.core.launch.WatchSettings;
import dev.pullab.core.log.PublishedLogs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.CfnDistribution;
import software.amazon.awscdk.services.cloudfront.HeadersFrameOption;
import software.amazon.awscdk.services.cloudfront.HeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentSecurityPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersFrameOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.S3OriginAccessControl;
import software.amazon.awscdk.services.cloudfront.Signing;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.ec2.CfnSecurityGroup;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.CfnCluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.ecs.RuntimePlatform;
import software.amazon.awscdk.services.events.CronOptions;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.InstanceProfile;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.EventType;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.NotificationKeyFilter;
import software.amazon.awscdk.services.s3.notifications.SqsDestination;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The whole lab as one stack: the resources {@link LabResources} describes (tables, queues with dead-letter queues,
 * buckets, the results bucket's notification), the poller, orchestrator and analyzer functions with their triggers,
 * the test-VM role and instance profile, the QEMU runner's cluster and task definition, the secrets, alarms with their
 * notification topic, and outputs.
 *
 * <p>Context keys (all optional): {@code prefix} (stack name, default {@code pullab}), {@code runtimeName}
 * ({@code KERNELCI_RUNTIME_NAME}, default {@code pullab}), {@code apiBaseUri}, {@code platforms},
 * {@code pollInterval} (minutes, default 1), {@code kcidbSubmitUrl}, {@code kcidbOrigin}, {@code labConfig},
 * {@code subnetIds}, {@code vpcId} (creates an egress-only security group for the VMs), {@code securityGroupIds},
 * {@code qemuRunnerImage} (the QEMU runner's image; default {@code latest} of the ECR repository the stack creates),
 * {@code alarmEmail} (subscribes an address to the alarm topic), {@code regressionConfig} (the daily trigger's {@code config_s3_uri}; the daily rule is disabled without it, default
 * {@code s3://<storage bucket>/configs/config.json}), {@code regressionCron} (hour UTC, default 2),
 * {@code kernelciTokenSecretName} / {@code kcidbJwtSecretName} (import existing secrets by name instead of creating
 * them), {@code runRetentionDays} (default 180; published logs expire with their run), {@code hangMinutes} /
 * {@code watchMaxVms} (the sweeper's panic and hang watch, {@link WatchSettings}), {@code publicLogs}
 * ({@link PublicLogs}: {@code cloudfront}, the default, or {@code off}), {@code logLevel} (every function's
 * {@code LOG_LEVEL}: ERROR, WARN, INFO or DEBUG; the functions log at INFO without it), {@code pollerJar} / {@code orchestratorJar} / {@code analyzerJar}
 * (default {@code ../<module>/target/<module>.zip}, the deployment package), {@code snapStart} ({@link SnapStart}:
 * {@code off}, the default, or {@code on}) and {@code placeholderCode} ({@code true}: a placeholder asset
 * instead of the jars, for template tests).
 */
public final class PullabStack extends Stack {

    static final String POLLER_HANDLER = "dev.pullab.poller.PollHandler::handleRequest";
    static final String JOBS_HANDLER = "dev.pullab.orchestrator.JobsQueueHandler::handleRequest";
    static final String TRIGGER_HANDLER = "dev.pullab.orchestrator.TriggerHandler::handleRequest";
    static final String RESULTS_HANDLER = "dev.pullab.analyzer.close.ResultsQueueHandler::handleRequest";
    static final String SWEEP_HANDLER = "dev.pullab.analyzer.close.SweepHandler::handleRequest";
    static final String ANALYZE_HANDLER = "dev.pullab.analyzer.AnalyzeRunHandler::handleRequest";

    /** The tag every lab VM carries ({@code pullab=true}); EC2 permissions are conditioned on it. */
    static final String VM_TAG = "pullab";

    /** The container of the QEMU runner task; the orchestrator's RunTask overrides its environment. */
    static final String QEMU_CONTAINER = "qemu-runner";

    /**
     * The Content-Security-Policy every published log is served with (beside {@code X-Content-Type-Options: nosniff}):
     * a log is text written by machines we do not trust (a kernel under test, a test script), so a browser must never
     * load, run or submit anything it holds, even when it looks like HTML.
     */
    static final String LOGS_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

    /**
     * Lambda SnapStart, context {@code snapStart}: {@code off} (the default) or {@code on}. On, every triggered function
     * snapshots its initialized JVM when a version is published (ApplyOn PublishedVersions), each gets an alias {@value
     * #LIVE_ALIAS} on its current version, and every trigger (SQS event sources, schedules, EventBridge rules) invokes
     * the alias: SnapStart applies to published versions only, never to {@code $LATEST}. AnalyzeRun, invoked by name
     * on demand ({@code $LATEST}), keeps no snapshot. Before the snapshot the
     * functions prime their hot path and after a restore they rebuild their clients (the {@code org.crac} hooks of each
     * function). Off by default until a restore has been measured on AWS (docs/performance.md, "Cold start").
     */
    enum SnapStart {
        OFF("off"),
        ON("on");

        static final String CONTEXT_KEY = "snapStart";

        private final String value;

        SnapStart(String value) {
            this.value = value;
        }

        String value() {
            return value;
        }

        /** The option a context value names; blank or absent is the default, {@link #OFF}. */
        static SnapStart of(String value) {
            if (value == null || value.isBlank()) {
                return OFF;
            }
            for (SnapStart option : values()) {
                if (option.value.equals(value.trim())) {
                    return option;
                }
            }
            throw new IllegalArgumentException("context " + CONTEXT_KEY + ": '" + value + "' is not one of "
                    + java.util.Arrays.stream(values()).map(SnapStart::value).toList()
                    + " (off: no snapshot, the default; on: SnapStart on published versions, triggers through the '"
                    + LIVE_ALIAS + "' alias); pass -c " + CONTEXT_KEY + "=off or -c " + CONTEXT_KEY + "=on");
        }
    }

    /** The alias every trigger invokes when SnapStart is on. */
    static final String LIVE_ALIAS = "live";

    /**
     * How the published (scrubbed) logs under {@link PublishedLogs#PREFIX} reach dashboard users: context
     * {@code publicLogs}.
     */
    enum PublicLogs {
        /** A CloudFront distribution whose only origin is {@code logs/} of the results bucket, read through OAC. */
        CLOUDFRONT("cloudfront"),
        /** Nothing is public: no distribution, no {@code PULLAB_LOGS_URL}; links stay {@code s3://} URIs. */
        OFF("off");

        static final String CONTEXT_KEY = "publicLogs";

        private final String value;

        PublicLogs(String value) {
            this.value = value;
        }

        String value() {
            return value;
        }

        /** The option a context value names; blank or absent is the default, {@link #CLOUDFRONT}. */
        static PublicLogs of(String value) {
            if (value == null || value.isBlank()) {
                return CLOUDFRONT;
            }
            for (PublicLogs option : values()) {
                if (option.value.equals(value.trim())) {
                    return option;
                }
            }
            throw new IllegalArgumentException("context " + CONTEXT_KEY + ": '" + value + "' is not one of "
                    + java.util.Arrays.stream(values()).map(PublicLogs::value).toList()
                    + " (cloudfront: serve the scrubbed logs/ prefix through CloudFront, the default; off: publish"
                    + " no link); pass -c " + CONTEXT_KEY + "=cloudfront or -c " + CONTEXT_KEY + "=off");
        }
    }

    private final Map<String, Table> tables;
    private final List<Function> functions;
    private final SnapStart snapStart;
    /** With SnapStart on, each function's {@value #LIVE_ALIAS} alias, made on first use. */
    private final Map<Function, Alias> liveAliases = new LinkedHashMap<>();

    /** The stack, part by part, in the order the constructs are created (the template keeps that order). */
    public PullabStack(Construct scope, String id, StackProps props) {
        super(scope, id, props);
        this.snapStart = SnapStart.of(stringContext(SnapStart.CONTEXT_KEY, null));

        // state: tables, queues, buckets, as LabResources describes them
        State state = new State(labTables(), labQueues(), labBuckets());
        notifyResultsQueue(state);
        Optional<LogsSite> logsSite = publicLogs(state.results());
        Secrets secrets = secrets();
        TestVms vms = testVms(state);
        QemuRunner qemu = qemuRunner(state.results());

        Functions fns = new Functions(poller(state, secrets), orchestrators(state, secrets, vms, qemu),
                analyzers(state, secrets, logsSite));
        schedules(fns);
        Queue triggerDlq = triggerRules(fns.orchestrators().trigger(), state.storage());
        Map<String, Queue> deadLetterQueues = state.deadLetterQueuesWith("trigger", triggerDlq);

        alarms(deadLetterQueues, fns.all());
        outputs(state, deadLetterQueues, secrets, vms, fns);
        nagSuppressions(state, triggerDlq, secrets, vms.role(), qemu, fns, logsSite);

        this.tables = state.tables();
        this.functions = fns.all();
    }

    /** The queues of {@link LabResources#QUEUES} and their dead-letter queues, by queue id. */
    private record Queues(Map<String, Queue> queues, Map<String, Queue> deadLetterQueues) {
    }

    /** The lab's state as {@link LabResources} describes it: tables, queues and buckets, by their ids. */
    private record State(Map<String, Table> tables, Queues queueSet, Map<String, Bucket> buckets) {

        Table table(String tableId) {
            return tables.get(tableId);
        }

        Queue queue(String queueId) {
            return queueSet.queues().get(queueId);
        }

        Bucket results() {
            return buckets.get("results");
        }

        Bucket storage() {
            return buckets.get("storage");
        }

        /** The dead-letter queues of the lab's queues, then {@code extra} (a dead-letter queue of no SQS queue). */
        Map<String, Queue> deadLetterQueuesWith(String extraId, Queue extra) {
            Map<String, Queue> all = new LinkedHashMap<>(queueSet.deadLetterQueues());
            all.put(extraId, extra);
            return Collections.unmodifiableMap(all);
        }
    }

    /** The operator-set secrets the functions read at runtime. */
    private record Secrets(ISecret kernelciToken, ISecret kcidbJwt) {

        List<ISecret> all() {
            return List.of(kernelciToken, kcidbJwt);
        }
    }

    /** What the orchestrator launches test VMs with: their role, its instance profile, their security groups. */
    private record TestVms(Role role, InstanceProfile profile, List<String> securityGroupIds) {
    }

    /** The orchestrator's two functions: the jobs queue's consumer and the BuildComplete/daily trigger. */
    private record Orchestrators(Function jobs, Function trigger) {

        List<Function> all() {
            return List.of(jobs, trigger);
        }
    }

    /** The analyzer's three functions: results fan-in, the deadline sweeper and the on-demand analysis. */
    private record Analyzers(Function results, Function sweeper, Function analyzeRun) {

        List<Function> all() {
            return List.of(results, sweeper, analyzeRun);
        }
    }

    /** Every function of the stack. */
    private record Functions(Function poller, Orchestrators orchestrators, Analyzers analyzers) {

        /** In creation order, the poller first. */
        List<Function> all() {
            List<Function> all = new ArrayList<>();
            all.add(poller);
            all.addAll(orchestrators.all());
            all.addAll(analyzers.all());
            return List.copyOf(all);
        }

        /** The functions invoked by an EventBridge Scheduler schedule. */
        List<Function> scheduled() {
            return List.of(poller, analyzers.sweeper());
        }
    }

    // --- state: tables, queues, buckets, as LabResources describes them -----------------------------------------

    private Map<String, Table> labTables() {
        Map<String, Table> tables = new LinkedHashMap<>();
        for (LabResources.Table spec : LabResources.TABLES) {
            Table.Builder table = Table.Builder.create(this, pascal(spec.id()) + "Table")
                    .partitionKey(Attribute.builder().name(spec.partitionKey()).type(AttributeType.STRING).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .encryption(TableEncryption.AWS_MANAGED)
                    .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                            .pointInTimeRecoveryEnabled(true).build())
                    .removalPolicy(RemovalPolicy.RETAIN);
            spec.ttlAttribute().ifPresent(table::timeToLiveAttribute);
            tables.put(spec.id(), table.build());
        }
        return Collections.unmodifiableMap(tables);
    }

    private Queues labQueues() {
        Map<String, Queue> queues = new LinkedHashMap<>();
        Map<String, Queue> deadLetterQueues = new LinkedHashMap<>();
        for (LabResources.Queue spec : LabResources.QUEUES) {
            String name = pascal(spec.id());
            Queue dlq = Queue.Builder.create(this, name + "DeadLetterQueue")
                    .fifo(spec.fifo() ? Boolean.TRUE : null)
                    .retentionPeriod(Duration.days(14))
                    .encryption(QueueEncryption.SQS_MANAGED)
                    .enforceSsl(true)
                    .build();
            Queue queue = Queue.Builder.create(this, name + "Queue")
                    .fifo(spec.fifo() ? Boolean.TRUE : null)
                    .visibilityTimeout(Duration.seconds(spec.visibilityTimeout()))
                    .retentionPeriod(Duration.days(4))
                    .encryption(QueueEncryption.SQS_MANAGED)
                    .enforceSsl(true)
                    .deadLetterQueue(DeadLetterQueue.builder().queue(dlq).maxReceiveCount(spec.maxReceiveCount())
                            .build())
                    .build();
            queues.put(spec.id(), queue);
            deadLetterQueues.put(spec.id(), dlq);
        }
        return new Queues(Collections.unmodifiableMap(queues), Collections.unmodifiableMap(deadLetterQueues));
    }

    private Map<String, Bucket> labBuckets() {
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        int retentionDays = intContext("runRetentionDays", 180);
        for (String bucketId : LabResources.BUCKETS) {
            List<LifecycleRule> lifecycle = new ArrayList<>();
            lifecycle.add(LifecycleRule.builder().id("abort-incomplete-uploads")
                    .abortIncompleteMultipartUploadAfter(Duration.days(7)).build());
            if (bucketId.equals("results")) {
                lifecycle.add(LifecycleRule.builder().id("expire-old-runs").prefix("run_")
                        .expiration(Duration.days(retentionDays)).build());
                // a run's published (scrubbed) logs live exactly as long as the run: its links open until then
                lifecycle.add(LifecycleRule.builder().id("expire-published-logs").prefix(PublishedLogs.PREFIX)
                        .expiration(Duration.days(retentionDays)).build());
            }
            buckets.put(bucketId, Bucket.Builder.create(this, pascal(bucketId) + "Bucket")
                    .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                    .enforceSsl(true)
                    .encryption(BucketEncryption.S3_MANAGED)
                    .lifecycleRules(lifecycle)
                    .removalPolicy(RemovalPolicy.RETAIN)
                    .build());
        }
        return Collections.unmodifiableMap(buckets);
    }

    /** Every new {@code result.txt} in the results bucket is announced on the results queue. */
    private static void notifyResultsQueue(State state) {
        state.results().addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(state.queue("results")),
                NotificationKeyFilter.builder().suffix(LabResources.RESULT_SUFFIX).build());
    }

    // --- public logs: the scrubbed logs/ prefix, served read-only through CloudFront --------------------------------

    /**
     * Where published logs are served: the distribution and the https base URL under which {@code logs/} appears (the
     * link of raw key {@code K} is {@code baseUrl + "/" + K}, see {@link PublishedLogs#BASE_URL_ENV}).
     */
    private record LogsSite(CfnDistribution distribution, String baseUrl) {
    }

    /**
     * Context {@code publicLogs}: with {@code cloudfront} (the default), a CloudFront distribution whose only origin
     * is the results bucket under origin path {@code /logs}, read through Origin Access Control (the bucket keeps
     * Block Public Access on), https only, GET and HEAD only, with headers that keep a browser from running a log; the
     * bucket lets this one distribution get objects under {@code logs/} and nothing else. With {@code off}, nothing.
     */
    private Optional<LogsSite> publicLogs(Bucket results) {
        PublicLogs option = PublicLogs.of(stringContext(PublicLogs.CONTEXT_KEY, null));
        if (option == PublicLogs.OFF) {
            return Optional.empty();
        }
        String prefix = PublishedLogs.PREFIX.substring(0, PublishedLogs.PREFIX.length() - 1); // "logs"
        S3OriginAccessControl access = S3OriginAccessControl.Builder.create(this, "PublicLogsOriginAccess")
                .description("pullab: CloudFront reads the published (scrubbed) logs of the results bucket")
                .signing(Signing.SIGV4_ALWAYS)
                .build();
        ResponseHeadersPolicy headers = ResponseHeadersPolicy.Builder.create(this, "PublicLogsHeaders")
                .comment("pullab published logs: served as text, never sniffed, framed or run by a browser")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .contentSecurityPolicy(ResponseHeadersContentSecurityPolicy.builder()
                                .contentSecurityPolicy(LOGS_CONTENT_SECURITY_POLICY).override(true).build())
                        .frameOptions(ResponseHeadersFrameOptions.builder()
                                .frameOption(HeadersFrameOption.DENY).override(true).build())
                        .referrerPolicy(ResponseHeadersReferrerPolicy.builder()
                                .referrerPolicy(HeadersReferrerPolicy.NO_REFERRER).override(true).build())
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(365)).override(true).build())
                        .build())
                .build();
        String originId = "published-logs";
        CfnDistribution distribution = CfnDistribution.Builder.create(this, "PublicLogsDistribution")
                .distributionConfig(CfnDistribution.DistributionConfigProperty.builder()
                        .enabled(true)
                        .comment("pullab: published (scrubbed) run logs, read-only")
                        .httpVersion("http2and3")
                        .ipv6Enabled(true)
                        .priceClass("PriceClass_100")
                        .origins(List.of(CfnDistribution.OriginProperty.builder()
                                .id(originId)
                                .domainName(results.getBucketRegionalDomainName())
                                .originPath("/" + prefix)
                                .s3OriginConfig(CfnDistribution.S3OriginConfigProperty.builder()
                                        .originAccessIdentity("").build())
                                .originAccessControlId(access.getOriginAccessControlId())
                                .build()))
                        .defaultCacheBehavior(CfnDistribution.DefaultCacheBehaviorProperty.builder()
                                .targetOriginId(originId)
                                .viewerProtocolPolicy("redirect-to-https")
                                .allowedMethods(List.of("GET", "HEAD"))
                                .cachedMethods(List.of("GET", "HEAD"))
                                .cachePolicyId(CachePolicy.CACHING_OPTIMIZED.getCachePolicyId())
                                .responseHeadersPolicyId(headers.getResponseHeadersPolicyId())
                                .compress(true)
                                .build())
                        .build())
                .build();
        String distributionArn = "arn:" + Aws.PARTITION + ":cloudfront::" + Aws.ACCOUNT_ID + ":distribution/"
                + distribution.getRef();
        // the only read the bucket grants outside the stack's roles: this distribution, published logs, GetObject
        results.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("CloudFrontReadsPublishedLogs")
                .effect(Effect.ALLOW)
                .principals(List.of(new ServicePrincipal("cloudfront.amazonaws.com")))
                .actions(List.of("s3:GetObject"))
                .resources(List.of(results.arnForObjects(PublishedLogs.PREFIX + "*")))
                .conditions(Map.of("StringEquals", Map.of("AWS:SourceArn", distributionArn)))
                .build());
        String baseUrl = "https://" + distribution.getAttrDomainName();
        output("PublicLogsUrl", baseUrl);
        output("PublicLogsDistributionId", distribution.getRef());
        return Optional.of(new LogsSite(distribution, baseUrl));
    }

    // --- secrets: values set by the operator, read by the functions at runtime -----------------------------------

    private Secrets secrets() {
        ISecret kernelciToken = secret("KernelciApiToken", "kernelciTokenSecretName",
                "KernelCI API token of the lab's runtime (account in group runtime:<runtime>:node-editor)");
        ISecret kcidbJwt = secret("KcidbJwt", "kcidbJwtSecretName", "JWT for the KCIDB /submit endpoint");
        return new Secrets(kernelciToken, kcidbJwt);
    }

    // --- the test VMs: role, instance profile, egress-only security group ----------------------------------------

    private TestVms testVms(State state) {
        Role vmRole = Role.Builder.create(this, "VmRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .description("pullab test VMs: read their run's payload, write their outputs, read the storage bucket")
                .build();
        // the VM reads its payload, the run's shared files and its resume state, writes its outputs; deletes nothing
        grantVmObjects(state.results(), vmRole);
        state.storage().grantRead(vmRole);
        InstanceProfile vmProfile = InstanceProfile.Builder.create(this, "VmInstanceProfile").role(vmRole).build();

        List<String> securityGroupIds = new ArrayList<>(listContext("securityGroupIds"));
        String vpcId = stringContext("vpcId", null);
        if (vpcId != null) {
            CfnSecurityGroup vmSecurityGroup = CfnSecurityGroup.Builder.create(this, "VmSecurityGroup")
                    .vpcId(vpcId)
                    .groupDescription("pullab test VMs: no inbound traffic, all outbound (downloads, S3, KernelCI)")
                    .securityGroupEgress(List.of(CfnSecurityGroup.EgressProperty.builder()
                            .ipProtocol("-1").cidrIp("0.0.0.0/0").description("all outbound").build()))
                    .build();
            securityGroupIds.add(vmSecurityGroup.getAttrGroupId());
        }
        return new TestVms(vmRole, vmProfile, List.copyOf(securityGroupIds));
    }

    // --- functions ---------------------------------------------------------------------------------------------

    private String apiBaseUri() {
        return stringContext("apiBaseUri", "https://staging.kernelci.org:9000/latest");
    }

    /** The poller: one at a time, every poll interval, claiming KernelCI jobs into the jobs queue. */
    private Function poller(State state, Secrets secrets) {
        Map<String, String> pollerEnv = new LinkedHashMap<>();
        pollerEnv.put("KERNELCI_API_BASE_URI", apiBaseUri());
        pollerEnv.put("KERNELCI_API_TOKEN_SECRET_ARN", secrets.kernelciToken().getSecretArn());
        pollerEnv.put("KERNELCI_RUNTIME_NAME", stringContext("runtimeName", "pullab"));
        putIfSet(pollerEnv, "KERNELCI_PLATFORMS", stringContext("platforms", null));
        putIfSet(pollerEnv, "PULLAB_POLL_PAGE_SIZE", stringContext("pollPageSize", null));
        pollerEnv.put("PULLAB_CURSOR_TABLE", state.table("cursor").getTableName());
        pollerEnv.put("PULLAB_JOBS_TABLE", state.table("jobs").getTableName());
        pollerEnv.put("PULLAB_JOBS_QUEUE_URL", state.queue("jobs").getQueueUrl());
        // one poller at a time: the cursor's conditional update tolerates overlap, but overlap only wastes calls
        Function poller = function("Poller", POLLER_HANDLER, jar("pollerJar", "poller-function"),
                Duration.minutes(5), pollerEnv, "Polls KernelCI for jobs of the lab, claims and queues them");
        // a throttled poll is dropped, not queued (on the alias too, which the schedule invokes when SnapStart is on)
        poller.configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(0).maxEventAge(Duration.minutes(1)).build());
        if (snapStart == SnapStart.ON) {
            invoked(poller).configureAsyncInvoke(EventInvokeConfigOptions.builder()
                    .retryAttempts(0).maxEventAge(Duration.minutes(1)).build());
        }
        state.table("cursor").grantReadWriteData(poller);
        state.table("jobs").grantReadWriteData(poller);
        state.queue("jobs").grantSendMessages(poller);
        secrets.kernelciToken().grantRead(poller);
        return poller;
    }

    /** The orchestrator's functions: runs from the jobs queue, and from BuildComplete events and the daily rule. */
    private Orchestrators orchestrators(State state, Secrets secrets, TestVms vms, QemuRunner qemu) {
        Bucket results = state.results();
        Bucket storage = state.storage();
        Map<String, String> orchestratorEnv = new LinkedHashMap<>();
        orchestratorEnv.put("PULLAB_RESULTS_BUCKET", results.getBucketName());
        orchestratorEnv.put("PULLAB_STORAGE_BUCKET", storage.getBucketName());
        orchestratorEnv.put("PULLAB_RUNS_TABLE", state.table("runs").getTableName());
        orchestratorEnv.put("PULLAB_LAUNCHES_TABLE", state.table("launches").getTableName());
        putIfSet(orchestratorEnv, "PULLAB_LAB_CONFIG", stringContext("labConfig", null));
        orchestratorEnv.put("PULLAB_INSTANCE_PROFILE", vms.profile().getInstanceProfileName());
        putIfSet(orchestratorEnv, "PULLAB_SUBNET_IDS", String.join(",", listContext("subnetIds")));
        putIfSet(orchestratorEnv, "PULLAB_SECURITY_GROUP_IDS", String.join(",", vms.securityGroupIds()));
        putIfSet(orchestratorEnv, "PULLAB_STAGE_TIMEOUT", stringContext("stageTimeout", null));
        orchestratorEnv.put("PULLAB_ECS_CLUSTER", qemu.cluster().getRef());
        orchestratorEnv.put("PULLAB_QEMU_TASK_DEFINITION", qemu.taskDefinition().getTaskDefinitionArn());
        orchestratorEnv.put("KERNELCI_API_BASE_URI", apiBaseUri());
        orchestratorEnv.put("KERNELCI_API_TOKEN_SECRET_ARN", secrets.kernelciToken().getSecretArn());
        Code orchestratorCode = jar("orchestratorJar", "orchestrator-function");
        Function jobsFn = function("JobsQueueOrchestrator", JOBS_HANDLER, orchestratorCode, Duration.minutes(5),
                orchestratorEnv, "Turns claimed KernelCI jobs from the jobs queue into runs");
        Function triggerFn = function("TriggerOrchestrator", TRIGGER_HANDLER, orchestratorCode, Duration.minutes(5),
                orchestratorEnv, "Turns BuildComplete events and the daily schedule into runs");
        for (Function fn : List.of(jobsFn, triggerFn)) {
            results.grantRead(fn);
            // payloads, the client and shared files of run_<test id>_<time>/ only: never published logs/
            results.grantPut(fn, "run_*");
            storage.grantRead(fn);
            state.table("runs").grantReadWriteData(fn);
            state.table("launches").grantReadWriteData(fn);
            secrets.kernelciToken().grantRead(fn);
            vms.role().grantPassRole(fn.getGrantPrincipal());
            grantPassVmRoles(fn);
            grantLaunch(fn);
            grantQemuTasks(fn, qemu);
        }
        invoked(jobsFn).addEventSource(SqsEventSource.Builder.create(state.queue("jobs")).batchSize(10)
                .reportBatchItemFailures(true).build());
        return new Orchestrators(jobsFn, triggerFn);
    }

    /** The analyzer's functions: results fan-in, the deadline sweeper, and one run's analysis on demand. */
    private Analyzers analyzers(State state, Secrets secrets, Optional<LogsSite> logsSite) {
        Bucket results = state.results();
        Map<String, String> analyzerEnv = new LinkedHashMap<>();
        analyzerEnv.put("PULLAB_RUNS_TABLE", state.table("runs").getTableName());
        analyzerEnv.put("PULLAB_RESULTS_BUCKET", results.getBucketName());
        putIfSet(analyzerEnv, "KCIDB_SUBMIT_URL", stringContext("kcidbSubmitUrl", null));
        analyzerEnv.put("KCIDB_JWT_SECRET_ARN", secrets.kcidbJwt().getSecretArn());
        putIfSet(analyzerEnv, "KCIDB_ORIGIN", stringContext("kcidbOrigin", null));
        analyzerEnv.put("KERNELCI_API_BASE_URI", apiBaseUri());
        analyzerEnv.put("KERNELCI_API_TOKEN_SECRET_ARN", secrets.kernelciToken().getSecretArn());
        putIfSet(analyzerEnv, "PULLAB_CORRECTION", stringContext("correction", null));
        putIfSet(analyzerEnv, "PULLAB_ALPHA", stringContext("alpha", null));
        putIfSet(analyzerEnv, "PULLAB_MIN_EFFECT", stringContext("minEffect", null));
        // the functions that close runs scrub and publish their logs, and link them under this base
        logsSite.ifPresent(site -> analyzerEnv.put(PublishedLogs.BASE_URL_ENV, site.baseUrl()));
        Code analyzerCode = jar("analyzerJar", "analyzer-function");
        Function resultsFn = function("ResultsAnalyzer", RESULTS_HANDLER, analyzerCode, Duration.minutes(10),
                analyzerEnv, "Counts finished VMs from result.txt notifications and closes complete runs");
        Function sweepFn = function("Sweeper", SWEEP_HANDLER, analyzerCode, Duration.minutes(10), sweeperEnv(analyzerEnv),
                "Closes runs past their deadline and terminates their VMs");
        for (Function fn : List.of(resultsFn, sweepFn)) {
            state.table("runs").grantReadWriteData(fn);
            results.grantRead(fn);
            results.grantPut(fn);
            secrets.kernelciToken().grantRead(fn);
            secrets.kcidbJwt().grantRead(fn);
        }
        invoked(resultsFn).addEventSource(SqsEventSource.Builder.create(state.queue("results")).batchSize(10)
                .maxBatchingWindow(Duration.seconds(5)).reportBatchItemFailures(true).build());
        // at a run's close, each VM's serial console is kept (scrubbed, as console-output.log) with its outputs
        resultsFn.addToRolePolicy(onLabVms("ReadLabVmConsoles", "ec2:GetConsoleOutput"));
        sweepFn.addToRolePolicy(onLabVms("TerminateLabVms", "ec2:TerminateInstances"));
        // the sweeper keeps an overdue VM's serial console (scrubbed, as console-output.log) before terminating it
        sweepFn.addToRolePolicy(onLabVms("ReadLabVmConsoles", "ec2:GetConsoleOutput"));
        sweepFn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("FindLabVms")
                .effect(Effect.ALLOW)
                .actions(List.of("ec2:DescribeInstances"))
                .resources(List.of("*"))
                .build());

        Map<String, String> analyzeEnv = new LinkedHashMap<>();
        analyzeEnv.put("PULLAB_RESULTS_BUCKET", results.getBucketName());
        Function analyzeFn = function("AnalyzeRun", ANALYZE_HANDLER, analyzerCode, Duration.minutes(10), analyzeEnv,
                "Analyses one run on demand ({bucket, run_prefix}) and writes its analysis/ files");
        results.grantRead(analyzeFn);
        results.grantPut(analyzeFn);
        // the on-demand analysis writes <run_prefix>/analysis/ for any prefix it is given, and scrubs nothing: it may
        // never write where published logs are served from
        analyzeFn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("NeverWritePublishedLogs")
                .effect(Effect.DENY)
                .actions(List.of("s3:PutObject"))
                .resources(List.of(results.arnForObjects(PublishedLogs.PREFIX + "*")))
                .build());
        return new Analyzers(resultsFn, sweepFn, analyzeFn);
    }

    // --- triggers ----------------------------------------------------------------------------------------------

    /** EventBridge Scheduler: the poller every poll interval, the sweeper every 15 minutes. */
    private void schedules(Functions functions) {
        int pollMinutes = intContext("pollInterval", 1);
        Schedule.Builder.create(this, "PollSchedule")
                .description("Invokes the poller every " + pollMinutes + " minute(s)")
                .schedule(ScheduleExpression.rate(Duration.minutes(pollMinutes)))
                .target(LambdaInvoke.Builder.create(invoked(functions.poller()))
                        .input(ScheduleTargetInput.fromObject(Map.of("source", "pullab.schedule")))
                        .retryAttempts(0)
                        .maxEventAge(Duration.minutes(1))
                        .build())
                .build();
        Schedule.Builder.create(this, "SweepSchedule")
                .description("Invokes the sweeper every 15 minutes")
                .schedule(ScheduleExpression.rate(Duration.minutes(15)))
                .target(LambdaInvoke.Builder.create(invoked(functions.analyzers().sweeper()))
                        .input(ScheduleTargetInput.fromObject(Map.of("source", "pullab.schedule")))
                        .retryAttempts(0)
                        .maxEventAge(Duration.minutes(5))
                        .build())
                .build();
    }

    /**
     * The trigger function's EventBridge rules (BuildComplete events, the daily regression run); returns their
     * dead-letter queue.
     */
    private Queue triggerRules(Function triggerFn, Bucket storage) {
        // an event whose invocations all failed (EventBridge retries twice) is kept here, not dropped: replay it with
        // aws lambda invoke --function-name <TriggerFunctionName> --payload file://<message body>
        Queue triggerDlq = Queue.Builder.create(this, "TriggerDeadLetterQueue")
                .retentionPeriod(Duration.days(14))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .build();
        Rule.Builder.create(this, "BuildCompleteRule")
                .description("A kernel build finished: start a run from its config")
                .eventPattern(EventPattern.builder()
                        .source(List.of("custom.kernel-build"))
                        .detailType(List.of("BuildComplete"))
                        .build())
                .targets(List.of(new LambdaFunction(invoked(triggerFn), LambdaFunctionProps.builder()
                        .retryAttempts(2).maxEventAge(Duration.hours(1)).deadLetterQueue(triggerDlq).build())))
                .build();
        String regressionConfig = stringContext("regressionConfig",
                "s3://" + storage.getBucketName() + "/configs/config.json");
        Map<String, Object> regressionPayload = new LinkedHashMap<>();
        regressionPayload.put("config_s3_uri", regressionConfig);
        regressionPayload.put("region", Aws.REGION);
        // enabled only when the operator names the config: a rule pointing at a config that does not exist yet
        // would fail every night
        boolean dailyEnabled = getNode().tryGetContext("regressionConfig") != null;
        Rule.Builder.create(this, "DailyRegressionRule")
                .description("The daily regression run (enable with context regressionConfig=s3://…/config.json)")
                .enabled(dailyEnabled)
                .schedule(software.amazon.awscdk.services.events.Schedule.cron(CronOptions.builder()
                        .minute("0").hour(String.valueOf(intContext("regressionCron", 2))).build()))
                .targets(List.of(new LambdaFunction(invoked(triggerFn), LambdaFunctionProps.builder()
                        .event(RuleTargetInput.fromObject(regressionPayload))
                        .retryAttempts(2).maxEventAge(Duration.hours(1)).deadLetterQueue(triggerDlq).build())))
                .build();
        return triggerDlq;
    }

    // --- alarms, notified through one topic ---------------------------------------------------------------------

    /** A topic (its ARN an output), an alarm per dead-letter queue and one on each function's errors. */
    private void alarms(Map<String, Queue> deadLetterQueues, List<Function> functions) {
        Topic alarmTopic = Topic.Builder.create(this, "AlarmTopic")
                .displayName("pullab alarms")
                .enforceSsl(true)
                .build();
        String alarmEmail = stringContext("alarmEmail", null);
        if (alarmEmail != null) {
            alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
        }
        SnsAction notify = new SnsAction(alarmTopic);
        deadLetterQueues.forEach((queueId, dlq) -> alarm(pascal(queueId) + "DeadLetterAlarm",
                queueId.equals("trigger")
                        ? "BuildComplete or daily events the trigger function failed 3 times: replay each message"
                                + " body with aws lambda invoke --function-name <TriggerFunctionName>"
                        : "Messages in the " + queueId + " dead-letter queue: replay with pullab replay-dlq",
                dlq.metricApproximateNumberOfMessagesVisible(), notify));
        for (Function fn : functions) {
            alarm(fn.getNode().getId() + "ErrorsAlarm", "Errors of " + fn.getNode().getId(), fn.metricErrors(),
                    notify);
        }
        output("AlarmTopicArn", alarmTopic.getTopicArn());
    }

    // --- outputs -----------------------------------------------------------------------------------------------

    private void outputs(State state, Map<String, Queue> deadLetterQueues, Secrets secrets, TestVms vms,
            Functions functions) {
        state.tables().forEach((tableId, table) -> output(pascal(tableId) + "TableName", table.getTableName()));
        state.queueSet().queues().forEach((queueId, queue) -> output(pascal(queueId) + "QueueUrl",
                queue.getQueueUrl()));
        deadLetterQueues.forEach((queueId, dlq) -> output(pascal(queueId) + "DeadLetterQueueUrl",
                dlq.getQueueUrl()));
        state.buckets().forEach((bucketId, bucket) -> output(pascal(bucketId) + "BucketName",
                bucket.getBucketName()));
        output("KernelciApiTokenSecretArn", secrets.kernelciToken().getSecretArn());
        output("KcidbJwtSecretArn", secrets.kcidbJwt().getSecretArn());
        output("VmInstanceProfileName", vms.profile().getInstanceProfileName());
        output("AnalyzeRunFunctionName", functions.analyzers().analyzeRun().getFunctionName());
        output("TriggerFunctionName", functions.orchestrators().trigger().getFunctionName());
    }

    /** EC2 launches by the orchestrator: only tagged lab instances, and the AMI look-ups it needs. */
    private void grantLaunch(Function fn) {
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("RunTaggedLabInstances")
                .actions(List.of("ec2:RunInstances"))
                .resources(List.of(ec2Arn("instance/*")))
                .conditions(Map.of("StringEquals", Map.of("aws:RequestTag/" + VM_TAG, "true")))
                .build());
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("RunInstancesSupportingResources")
                .actions(List.of("ec2:RunInstances"))
                .resources(List.of(ec2Arn("volume/*"), ec2Arn("network-interface/*"), ec2Arn("subnet/*"),
                        ec2Arn("security-group/*"), ec2Arn("key-pair/*"),
                        "arn:" + Aws.PARTITION + ":ec2:" + Aws.REGION + "::image/*"))
                .build());
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("TagAtLaunch")
                .actions(List.of("ec2:CreateTags"))
                .resources(List.of(ec2Arn("instance/*")))
                .conditions(Map.of("StringEquals", Map.of("ec2:CreateAction", "RunInstances")))
                .build());
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("DescribeLabInstances")
                .actions(List.of("ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeImages"))
                .resources(List.of("*"))
                .build());
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("ResolveAmazonLinuxAmis")
                .actions(List.of("ssm:GetParameter", "ssm:GetParameters"))
                .resources(List.of("arn:" + Aws.PARTITION
                        + ":ssm:*::parameter/aws/service/ami-amazon-linux-latest/*"))
                .build());
    }

    /** The cluster QEMU tasks run in and the runner's task definition (container {@code qemu-runner}). */
    private record QemuRunner(CfnCluster cluster, FargateTaskDefinition taskDefinition) {
    }

    /**
     * The QEMU runner ({@code vm-tests/qemu-runner}): a Fargate task per QEMU job, in a cluster of its own. Fargate has
     * no KVM, so QEMU emulates (TCG): 2 vCPUs and 4 GiB give a 1 GiB guest and QEMU's translation threads room. The
     * image is context {@code qemuRunnerImage}, or {@code latest} of the repository the stack creates for it. The task
     * role may only read and write run objects, as a VM may.
     */
    private QemuRunner qemuRunner(Bucket results) {
        CfnCluster cluster = CfnCluster.Builder.create(this, "QemuCluster")
                .clusterSettings(List.of(CfnCluster.ClusterSettingsProperty.builder()
                        .name("containerInsights").value("enabled").build()))
                .build();
        String image = stringContext("qemuRunnerImage", null);
        ContainerImage containerImage;
        if (image != null) {
            containerImage = ContainerImage.fromRegistry(image);
        } else {
            Repository repository = Repository.Builder.create(this, "QemuRunnerRepository")
                    .imageScanOnPush(true)
                    .lifecycleRules(List.of(software.amazon.awscdk.services.ecr.LifecycleRule.builder()
                            .description("keep the 10 newest images").maxImageCount(10).build()))
                    .removalPolicy(RemovalPolicy.RETAIN)
                    .build();
            containerImage = ContainerImage.fromEcrRepository(repository, "latest");
            output("QemuRunnerRepositoryUri", repository.getRepositoryUri());
        }
        FargateTaskDefinition taskDefinition = FargateTaskDefinition.Builder.create(this, "QemuRunnerTask")
                .cpu(2048)
                .memoryLimitMiB(4096)
                .runtimePlatform(RuntimePlatform.builder().cpuArchitecture(CpuArchitecture.X86_64)
                        .operatingSystemFamily(OperatingSystemFamily.LINUX).build())
                .build();
        LogGroup logGroup = LogGroup.Builder.create(this, "QemuRunnerLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        taskDefinition.addContainer(QEMU_CONTAINER, ContainerDefinitionOptions.builder()
                .image(containerImage)
                .essential(true)
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder().logGroup(logGroup)
                        .streamPrefix(QEMU_CONTAINER).build()))
                .build());
        grantVmObjects(results, taskDefinition.getTaskRole());
        output("QemuClusterName", cluster.getRef());
        output("QemuTaskDefinitionArn", taskDefinition.getTaskDefinitionArn());
        return new QemuRunner(cluster, taskDefinition);
    }

    /**
     * A test VM's (or QEMU task's) access to the results bucket: get {@link LabResources#VM_READS}, put (and abort
     * multipart uploads of) VM_WRITES, and list the bucket. Listing cannot be narrowed with an {@code s3:prefix}
     * condition: S3 answers a GET of a missing key with 404 only to a caller allowed to list the bucket (else 403),
     * and the VM client tells "no resume state yet" from "S3 unreachable" by that 404. No delete.
     */
    private static void grantVmObjects(Bucket results, IGrantable vm) {
        vm.getGrantPrincipal().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ReadRunInputs")
                .actions(List.of("s3:GetObject"))
                .resources(LabResources.VM_READS.stream().map(results::arnForObjects).toList())
                .build());
        vm.getGrantPrincipal().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("WriteRunOutputs")
                .actions(List.of("s3:PutObject", "s3:AbortMultipartUpload"))
                .resources(LabResources.VM_WRITES.stream().map(results::arnForObjects).toList())
                .build());
        vm.getGrantPrincipal().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ListResults")
                .actions(List.of("s3:ListBucket"))
                .resources(List.of(results.getBucketArn()))
                .build());
    }

    /** RunTask of the runner's task definition in the lab's cluster only, with PassRole on its two roles. */
    private void grantQemuTasks(Function fn, QemuRunner qemu) {
        qemu.taskDefinition().grantRun(fn);
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("FindQemuTasks")
                .actions(List.of("ecs:ListTasks"))
                .resources(List.of("*"))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", qemu.cluster().getAttrArn())))
                .build());
    }

    /** An alarm on any occurrence (at least 1 in a period), notifying when it fires and when it clears. */
    private void alarm(String id, String description, IMetric metric, SnsAction notify) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
    }

    private String ec2Arn(String resource) {
        return "arn:" + Aws.PARTITION + ":ec2:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":" + resource;
    }

    private Function function(String id, String handler, Code code, Duration timeout, Map<String, String> env,
            String description) {
        LogGroup logGroup = LogGroup.Builder.create(this, id + "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Function.Builder builder = Function.Builder.create(this, id)
                .description(description)
                .runtime(Runtime.JAVA_21)
                .handler(handler)
                .code(code)
                .memorySize(1024)
                .timeout(timeout)
                .environment(withLogLevel(env))
                .logGroup(logGroup);
        if (id.equals("Poller")) {
            builder.reservedConcurrentExecutions(1);
        }
        // AnalyzeRun is invoked by name ($LATEST) on demand, where a snapshot is never used
        if (snapStart == SnapStart.ON && !id.equals("AnalyzeRun")) {
            builder.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
        }
        return builder.build();
    }

    /**
     * What a trigger invokes: the function itself, or with SnapStart on its {@value #LIVE_ALIAS} alias on the current
     * version (a new version is published whenever the function's code or configuration changes).
     */
    private IFunction invoked(Function fn) {
        if (snapStart == SnapStart.OFF) {
            return fn;
        }
        return liveAliases.computeIfAbsent(fn, f -> Alias.Builder.create(this, f.getNode().getId() + "LiveAlias")
                .aliasName(LIVE_ALIAS)
                .version(f.getCurrentVersion())
                .description("What the triggers invoke: the current version, restored from its SnapStart snapshot")
                .build());
    }

    /** The function's environment plus {@code LOG_LEVEL} when context {@code logLevel} gives one (checked here). */
    private Map<String, String> withLogLevel(Map<String, String> env) {
        String level = stringContext("logLevel", null);
        if (level == null) {
            return env;
        }
        Map<String, String> withLevel = new LinkedHashMap<>(env);
        try {
            withLevel.put(LogLevel.VARIABLE, LogLevel.parse(level, "context logLevel").name());
        } catch (ConfigurationException bad) {
            throw new IllegalArgumentException(bad.getMessage(), bad);
        }
        return withLevel;
    }

    private ISecret secret(String id, String importKey, String description) {
        String name = stringContext(importKey, null);
        if (name != null) {
            return Secret.fromSecretNameV2(this, id, name);
        }
        return Secret.Builder.create(this, id)
                .description(description + " (set its value with aws secretsmanager put-secret-value)")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    /**
     * A function's code: the context override (a deployment package: a zip or a jar), else the reactor module's
     * package ({@code target/<module>.zip}, the shaded jar under {@code lib/}), else a placeholder when allowed.
     */
    private Code jar(String contextKey, String module) {
        if (Boolean.parseBoolean(stringContext("placeholderCode", "false"))) {
            return Code.fromAsset(placeholderAsset().toString());
        }
        Path path = Path.of(stringContext(contextKey, "../" + module + "/target/" + module + ".zip"));
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path.toAbsolutePath() + " is missing: build the jars first (`"
                    + BuildCheck.BUILD_COMMAND + "` at the top), or pass -c " + contextKey + "=<path>");
        }
        return Code.fromAsset(path.toString());
    }

    private static Path placeholder;

    private static synchronized Path placeholderAsset() {
        if (placeholder == null) {
            try {
                Path dir = Files.createTempDirectory("pullab-placeholder-code");
                Files.writeString(dir.resolve("README.txt"), "placeholder for template tests; not deployable\n");
                placeholder = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return placeholder;
    }

    private void output(String id, String value) {
        CfnOutput.Builder.create(this, id).value(value).build();
    }

    private String stringContext(String key, String fallback) {
        Object value = getNode().tryGetContext(key);
        return value == null || value.toString().isBlank() ? fallback : value.toString();
    }

    /**
     * The sweeper's environment: the closers' plus its watch over running VMs, from context {@code hangMinutes}
     * ({@code PULLAB_HANG_MINUTES}) and {@code watchMaxVms} ({@code PULLAB_WATCH_MAX_VMS}), checked here by the rule
     * the sweeper applies ({@link WatchSettings}), so a bad value stops the synth rather than every sweep.
     */
    private Map<String, String> sweeperEnv(Map<String, String> analyzerEnv) {
        Map<String, String> env = new LinkedHashMap<>(analyzerEnv);
        putIfSet(env, "PULLAB_HANG_MINUTES", stringContext("hangMinutes", null));
        putIfSet(env, "PULLAB_WATCH_MAX_VMS", stringContext("watchMaxVms", null));
        try {
            WatchSettings.resolve(env);
        } catch (ConfigurationException bad) {
            throw new IllegalArgumentException("context hangMinutes/watchMaxVms: " + bad.getMessage(), bad);
        }
        return env;
    }

    private int intContext(String key, int fallback) {
        String value = stringContext(key, null);
        return value == null ? fallback : Integer.parseInt(value.trim());
    }

    /**
     * {@code iam:PassRole} to EC2 on the roles of context {@code vmRoleNames} (a config's {@code test_config.role_name}:
     * the VMs' instance profile, pullab_cloud's key), besides the lab's own VM role; each by its ARN, never a wildcard.
     * The instance profile of that name must exist and its role reach the lab's buckets (infra-cdk/README.md).
     */
    private void grantPassVmRoles(Function fn) {
        List<String> names = listContext("vmRoleNames");
        if (names.isEmpty()) {
            return;
        }
        for (String name : names) {
            if (!name.matches("[\\w+=,.@-]{1,64}")) {
                throw new IllegalArgumentException("context vmRoleNames: '" + name + "' is not an IAM role name");
            }
        }
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("iam:PassRole"))
                .resources(names.stream().map(name -> "arn:" + Aws.PARTITION + ":iam::" + Aws.ACCOUNT_ID + ":role/"
                        + name).toList())
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "ec2.amazonaws.com")))
                .build());
    }

    /** {@code action} allowed on instances tagged as this lab's VMs only. */
    private PolicyStatement onLabVms(String sid, String action) {
        return PolicyStatement.Builder.create()
                .sid(sid)
                .effect(Effect.ALLOW)
                .actions(List.of(action))
                .resources(List.of(ec2Arn("instance/*")))
                .conditions(Map.of("StringEquals", Map.of("ec2:ResourceTag/" + VM_TAG, "true")))
                .build();
    }

    private List<String> listContext(String key) {
        Object value = getNode().tryGetContext(key);
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> out.add(item.toString()));
        } else if (value != null) {
            for (String item : value.toString().split(",")) {
                if (!item.isBlank()) {
                    out.add(item.trim());
                }
            }
        }
        return out;
    }

    private static void putIfSet(Map<String, String> env, String key, String value) {
        if (value != null && !value.isBlank()) {
            env.put(key, value);
        }
    }

    static String pascal(String id) {
        return Character.toUpperCase(id.charAt(0)) + id.substring(1);
    }

    /**
     * cdk-nag findings accepted on purpose, each acknowledged on the construct it concerns (cdk-nag 3 acknowledges
     * findings one by one: {@code Rule[finding]}), each with the reason.
     */
    private void nagSuppressions(State state, Queue triggerDlq, Secrets secrets, Role vmRole, QemuRunner qemu,
            Functions fns, Optional<LogsSite> logsSite) {
        List<Function> functions = fns.all();
        Function sweeper = fns.analyzers().sweeper();
        state.buckets().values().forEach(bucket -> acknowledge(bucket, "AwsSolutions-S1", "Only the stack's own"
                + " roles can reach the lab buckets (public access blocked, TLS enforced). Server access logs would need a"
                + " further, itself unlogged bucket; enable CloudTrail S3 data events for an object-level audit."));
        acknowledge(this, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                + "AWSLambdaBasicExecutionRole]", "AWSLambdaBasicExecutionRole only lets a function write its"
                + " CloudWatch Logs (functions here and CDK's bucket-notification helper); every data permission"
                + " is granted separately with grant* methods.");
        acknowledge(triggerDlq, "AwsSolutions-SQS3", "This queue is itself a dead-letter"
                + " queue: EventBridge's, for the trigger function's rule targets (cdk-nag only recognises SQS redrive"
                + " dead-letter queues).");
        for (ISecret secret : secrets.all()) {
            if (secret instanceof Secret) {
                acknowledge(secret, "AwsSolutions-SMG4", "The value is a token issued by the KernelCI or KCIDB"
                        + " administrators; no Lambda can rotate it. The operator puts the reissued token.");
            }
        }
        for (Function fn : functions) {
            acknowledge(fn, "AwsSolutions-L1", "java21 is the runtime the product targets and is tested on (the"
                    + " code compiles with --release 17); java25 is adopted with the reactor, not by the stack.");
        }

        // S3 grants: CDK's grantRead/grantPut action groups on one bucket (or its run_* prefix)
        String results = "<" + logicalId(state.results()) + ".Arn>";
        String storage = "<" + logicalId(state.storage()) + ".Arn>";
        String s3Reason = "CDK grantRead/grantPut action groups (GetObject*, GetBucket*, List*, Abort* for"
                + " multipart uploads) scoped to the lab's own buckets; no delete is granted.";
        List<software.constructs.IConstruct> s3Users = new ArrayList<>(functions);
        s3Users.remove(functions.get(0)); // the poller has no bucket access
        s3Users.add(vmRole);
        s3Users.add(qemu.taskDefinition().getTaskRole());
        for (software.constructs.IConstruct user : s3Users) {
            for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:Abort*")) {
                acknowledge(user, "AwsSolutions-IAM5[Action::" + action + "]", s3Reason);
            }
        }
        for (String pattern : java.util.stream.Stream.concat(LabResources.VM_READS.stream(),
                LabResources.VM_WRITES.stream()).distinct().toList()) {
            String reason = "A test VM (or QEMU task) reads its payload and writes its outputs under"
                    + " run_<test id>_<time>/ prefixes, whose names are only known at launch; the role is limited to"
                    + " the inputs, outputs and resume state of the run layout (LabResources.VM_READS/VM_WRITES).";
            acknowledge(vmRole, "AwsSolutions-IAM5[Resource::" + results + "/" + pattern + "]", reason);
            acknowledge(qemu.taskDefinition().getTaskRole(), "AwsSolutions-IAM5[Resource::" + results + "/" + pattern
                    + "]", reason);
        }
        acknowledge(qemu.taskDefinition().obtainExecutionRole(), "AwsSolutions-IAM5[Resource::*]", "The task"
                + " execution role CDK generates: ecr:GetAuthorizationToken supports no resource scoping; image pulls"
                + " and log writes are scoped to the runner's repository and log group.");
        acknowledge(vmRole, "AwsSolutions-IAM5[Resource::" + storage + "/*]", "Test VMs read the external"
                + " requirements (kernel RPMs, configs) a test asks for, anywhere in the lab's storage bucket.");
        for (Function fn : functions.subList(1, functions.size())) {
            acknowledge(fn, "AwsSolutions-IAM5[Resource::" + results + "/*]", "The function reads and writes run"
                    + " objects (payloads, outputs, analysis/) whose keys are only known at run time.");
        }
        for (Function fn : fns.orchestrators().all()) {
            acknowledge(fn, "AwsSolutions-IAM5[Resource::" + storage + "/*]", "The orchestrator reads trigger"
                    + " configs, the lab config and requested requirements from the storage bucket.");
            acknowledge(fn, "AwsSolutions-IAM5[Resource::" + results + "/run_*]", "The orchestrator writes a run's"
                    + " payloads, client and shared files under run_<test id>_<time>/, a prefix only known at run"
                    + " time; it may write nothing else (never the published logs/).");
            acknowledge(fn, "AwsSolutions-IAM5[Resource::" + ec2Finding("instance/*") + "]", "RunInstances only with"
                    + " the request tag pullab=true and CreateTags only as part of RunInstances (ec2:CreateAction);"
                    + " instance ids do not exist before launch.");
            for (String resource : List.of("volume/*", "network-interface/*", "subnet/*", "security-group/*",
                    "key-pair/*")) {
                acknowledge(fn, "AwsSolutions-IAM5[Resource::" + ec2Finding(resource) + "]", "RunInstances"
                        + " authorizes the volumes and network interfaces it creates and the subnet, security group"
                        + " and key pair it uses; these are chosen by the lab config at run time.");
            }
            acknowledge(fn, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::image/*]",
                    "AMIs are chosen by the lab config (public Amazon Linux images by default); image ARNs carry"
                            + " no account.");
            acknowledge(fn, "AwsSolutions-IAM5[Resource::*]", "ec2:DescribeInstances and"
                    + " ec2:DescribeInstanceAttribute (and ecs:ListTasks when QEMU tasks are configured) are used to"
                    + " adopt a VM an earlier attempt launched, ec2:DescribeImages to find the AMI's root device (its"
                    + " volume is mapped gp3, deleted on termination); Describe/List calls support no resource"
                    + " scoping.");
            acknowledge(fn, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*::parameter/aws/service/"
                    + "ami-amazon-linux-latest/*]", "Read-only access to AWS's public Amazon Linux AMI parameters,"
                    + " which resolve the lab config's resolve:ssm: AMI ids.");
        }
        acknowledge(sweeper, "AwsSolutions-IAM5[Resource::" + ec2Finding("instance/*") + "]", "TerminateInstances"
                + " and GetConsoleOutput (the console kept before terminating) only on instances tagged pullab=true"
                + " (ec2:ResourceTag condition); ids are known only at run time.");
        acknowledge(fns.analyzers().results(), "AwsSolutions-IAM5[Resource::" + ec2Finding("instance/*") + "]",
                "GetConsoleOutput (each VM's console kept at its run's close) only on instances tagged pullab=true"
                + " (ec2:ResourceTag condition); ids are known only at run time.");
        acknowledge(sweeper, "AwsSolutions-IAM5[Resource::*]", "ec2:DescribeInstances finds a run's VMs by their"
                + " pullab:run tag and supports no resource scoping.");
        logsSite.ifPresent(site -> acknowledgeLogsSite(site.distribution()));
        for (Function fn : fns.scheduled()) {
            acknowledge(this, "AwsSolutions-IAM5[Resource::<" + logicalId(fn) + ".Arn>:*]", "EventBridge"
                    + " Scheduler's role (CDK LambdaInvoke target) may invoke this one function and its versions.");
        }
    }

    /** The findings on the public-logs distribution that are accepted, each with its reason. */
    private static void acknowledgeLogsSite(CfnDistribution distribution) {
        acknowledge(distribution, "AwsSolutions-CFR1", "Published logs are linked from KernelCI and KCIDB"
                + " dashboards, used by kernel developers in every country; a geo restriction would break links for"
                + " some of them and protects nothing (the logs are scrubbed and public by design).");
        acknowledge(distribution, "AwsSolutions-CFR2", "The distribution serves static, scrubbed objects to GET and"
                + " HEAD only, with no origin compute and no forms; AWS WAF (a web ACL, at least 5 USD a month plus"
                + " per-request fees) would filter nothing an attacker could exploit. Shield Standard applies.");
        acknowledge(distribution, "AwsSolutions-CFR3", "The content is public and scrubbed; viewer access logs would"
                + " need a further destination (a log bucket or CloudWatch Logs delivery) with its own retention and"
                + " cost, and would record the IP addresses of dashboard users. CloudFront's request and error-rate"
                + " metrics are kept in CloudWatch.");
        acknowledge(distribution, "AwsSolutions-CFR4", "The distribution uses the default *.cloudfront.net"
                + " certificate, whose security policy CloudFront fixes (cdk-nag flags every default certificate);"
                + " links are https only (http is redirected). A custom domain with an ACM certificate and"
                + " TLSv1.2_2021 would need a domain the lab does not own.");
    }

    private static String ec2Finding(String resource) {
        return "arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:" + resource;
    }

    private String logicalId(software.constructs.IConstruct construct) {
        return getLogicalId((software.amazon.awscdk.CfnElement) construct.getNode().getDefaultChild());
    }

    /**
     * Acknowledges one cdk-nag finding on a construct and its children. {@code Validations.acknowledge} rejects ids
     * with more than one {@code ::} (cdk-nag's finding ids quote ARNs such as {@code arn:<AWS::Partition>:…}), so
     * those are recorded as the same acknowledged-rules metadata entry that {@code acknowledge} writes and cdk-nag
     * reads.
     */
    private static void acknowledge(software.constructs.IConstruct scope, String id, String reason) {
        if (id.split("::", -1).length <= 2) {
            Validations.of(scope).acknowledge(Acknowledgment.builder().id(id).reason(reason).build());
        } else {
            scope.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(id, reason));
        }
    }

    Map<String, Table> tables() {
        return tables;
    }

    List<Function> functions() {
        return functions;
    }
}
