package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.log.PublishedLogs;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;

/**
 * Context {@code publicLogs}: the published (scrubbed) logs under {@code logs/} of the results bucket open for a
 * dashboard user through CloudFront, and nothing else of the bucket does.
 */
class PublicLogsStackTest {

    /** A key the analyzer publishes: the scrubbed copy of a VM's console. */
    private static final String PUBLISHED_KEY = PublishedLogs.key(
            "run_pullab-node-1_20261205_070000/test_boot/output/i-0123456789abcdef0/console-output.log");
    /** The raw output it was scrubbed from. */
    private static final String RAW_KEY = PUBLISHED_KEY.substring(PublishedLogs.PREFIX.length());

    private static PullabStack stack;
    private static Template template;

    @BeforeAll
    static void synth() {
        stack = stack(Map.of("runRetentionDays", "90"));
        template = Template.fromStack(stack);
    }

    @Test
    @DisplayName("by default one CloudFront distribution serves only logs/ of the results bucket, through origin access"
            + " control")
    void theDistributionsOnlyOriginIsTheLogsPrefixReadThroughOriginAccessControl() {
        template.resourceCountIs("AWS::CloudFront::Distribution", 1);
        template.resourceCountIs("AWS::CloudFront::OriginAccessControl", 1);
        template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", Map.of("OriginAccessControlConfig",
                Map.of("OriginAccessControlOriginType", "s3", "SigningBehavior", "always",
                        "SigningProtocol", "sigv4")));
        template.hasResourceProperties("AWS::CloudFront::Distribution", Map.of("DistributionConfig", Map.of(
                "Origins", List.of(Map.of(
                        "Id", Match.anyValue(),
                        "DomainName", Map.of("Fn::GetAtt", List.of(logicalId("ResultsBucket"),
                                "RegionalDomainName")),
                        "OriginPath", "/logs",
                        "OriginAccessControlId", Map.of("Fn::GetAtt", List.of(
                                logicalId("PublicLogsOriginAccess"), "Id")),
                        "S3OriginConfig", Map.of("OriginAccessIdentity", ""))),
                "CacheBehaviors", Match.absent())));
    }

    @Test
    @DisplayName("a link, base URL + \"/\" + raw key, reads the published copy: CloudFront fetches origin path + path")
    @SuppressWarnings("unchecked")
    void aLinkReadsThePublishedCopyOfItsRawKey() {
        Map<String, Object> distribution = (Map<String, Object>) ((Map<String, Object>) template
                .findResources("AWS::CloudFront::Distribution").values().iterator().next().get("Properties"))
                .get("DistributionConfig");
        String originPath = ((List<Map<String, Object>>) distribution.get("Origins")).get(0).get("OriginPath")
                .toString();
        String linkPath = "/" + RAW_KEY;

        assertThat((originPath + linkPath).substring(1)).isEqualTo(PUBLISHED_KEY);
    }

    @Test
    @DisplayName("the distribution answers over https only (http is redirected) and to GET and HEAD only")
    void viewersGetAndHeadOverHttpsOnly() {
        template.hasResourceProperties("AWS::CloudFront::Distribution", Map.of("DistributionConfig", Map.of(
                "Enabled", true,
                "DefaultCacheBehavior", Map.of(
                        "ViewerProtocolPolicy", "redirect-to-https",
                        "AllowedMethods", List.of("GET", "HEAD"),
                        "CachedMethods", List.of("GET", "HEAD"),
                        "ResponseHeadersPolicyId", Map.of("Ref", logicalId("PublicLogsHeaders")),
                        "FunctionAssociations", Match.absent(),
                        "LambdaFunctionAssociations", Match.absent()))));
    }

    @Test
    @DisplayName("a published log is served as text with nosniff and a sandboxing content security policy")
    void aHostileLogCannotRunInTheBrowser() {
        template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", Map.of(
                "ResponseHeadersPolicyConfig", Map.of("SecurityHeadersConfig", Map.of(
                        "ContentTypeOptions", Map.of("Override", true),
                        "ContentSecurityPolicy", Map.of(
                                "ContentSecurityPolicy", "default-src 'none'; sandbox",
                                "Override", true),
                        "FrameOptions", Map.of("FrameOption", "DENY", "Override", true)))));
    }

    @Test
    @DisplayName("the bucket lets the distribution GetObject under logs/ and nothing else, by its SourceArn")
    void theOnlyCloudFrontReadIsGetObjectOnLogs() {
        List<Map<String, Object>> cloudFront = bucketPolicyStatements().stream()
                .filter(statement -> statement.get("Principal") instanceof Map<?, ?> principal
                        && "cloudfront.amazonaws.com".equals(principal.get("Service")))
                .toList();

        assertThat(cloudFront).singleElement().satisfies(statement -> {
            assertThat(statement.get("Effect")).isEqualTo("Allow");
            assertThat(statement.get("Action")).isEqualTo("s3:GetObject");
            assertThat(PullabStackTest.joined(statement.get("Resource")))
                    .isEqualTo("{Fn::GetAtt=[" + logicalId("ResultsBucket") + ", Arn]}/logs/*");
            assertThat(statement.get("Condition")).isEqualTo(Map.of("StringEquals", Map.of("AWS:SourceArn",
                    Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                            ":cloudfront::", Map.of("Ref", "AWS::AccountId"), ":distribution/",
                            Map.of("Ref", logicalId("PublicLogsDistribution"))))))));
        });
    }

    @Test
    @DisplayName("no bucket policy allows anything to a public principal")
    void noStatementGrantsTheWorld() {
        List<Map<String, Object>> allows = bucketPolicyStatements().stream()
                .filter(statement -> "Allow".equals(statement.get("Effect")))
                .toList();

        assertThat(allows).isNotEmpty().allSatisfy(statement -> assertThat(statement.get("Principal"))
                .isNotEqualTo("*")
                .isNotEqualTo(Map.of("AWS", "*"))
                .isInstanceOf(Map.class));
        assertThat(allows).allSatisfy(statement -> assertThat(String.valueOf(statement.get("Principal")))
                .doesNotContain("AWS=*"));
    }

    @Test
    @DisplayName("the results bucket keeps every Block Public Access setting on")
    void blockPublicAccessStaysOn() {
        template.hasResource("AWS::S3::Bucket", Map.of(
                "Properties", Map.of("PublicAccessBlockConfiguration", Map.of(
                        "BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true))));
        Map<?, ?> results = (Map<?, ?>) template.findResources("AWS::S3::Bucket").get(logicalId("ResultsBucket"))
                .get("Properties");
        assertThat(results.get("PublicAccessBlockConfiguration")).isEqualTo(Map.of(
                "BlockPublicAcls", true, "BlockPublicPolicy", true,
                "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
    }

    @Test
    @DisplayName("the functions that close runs get PULLAB_LOGS_URL, https on the distribution's domain; the stack"
            + " outputs it")
    void runClosersLinkLogsUnderTheDistribution() {
        Map<String, Object> url = Map.of("Fn::Join", List.of("", List.of("https://",
                Map.of("Fn::GetAtt", List.of(logicalId("PublicLogsDistribution"), "DomainName")))));
        for (String handler : List.of(PullabStack.RESULTS_HANDLER, PullabStack.SWEEP_HANDLER)) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", handler,
                    "Environment", Map.of("Variables", Map.of(PublishedLogs.BASE_URL_ENV, url))));
        }
        assertThat(functionsWithLogsUrl()).containsExactlyInAnyOrder(PullabStack.RESULTS_HANDLER,
                PullabStack.SWEEP_HANDLER);
        template.hasOutput("PublicLogsUrl", Map.of("Value", url));
        template.hasOutput("PublicLogsDistributionId", Map.of("Value",
                Map.of("Ref", logicalId("PublicLogsDistribution"))));
    }

    @Test
    @DisplayName("published logs expire with their run (runRetentionDays)")
    void publishedLogsFollowTheRunRetention() {
        template.hasResourceProperties("AWS::S3::Bucket", Map.of("LifecycleConfiguration", Map.of("Rules",
                Match.arrayWith(List.of(
                        Map.of("Id", "expire-old-runs", "Prefix", "run_", "ExpirationInDays", 90,
                                "Status", "Enabled"),
                        Map.of("Id", "expire-published-logs", "Prefix", PublishedLogs.PREFIX,
                                "ExpirationInDays", 90, "Status", "Enabled"))))));
    }

    @Test
    @DisplayName("only the run closers (results analyzer, sweeper) may write under logs/: not the VMs, the QEMU task,"
            + " the orchestrators nor the on-demand analysis")
    void onlyTheRunClosersMayWritePublishedLogs() {
        Set<String> writers = rolesThatMayPut(PUBLISHED_KEY);

        assertThat(writers).containsExactlyInAnyOrder(functionRole("ResultsAnalyzer"), functionRole("Sweeper"));
        assertThat(rolesThatMayPut(RAW_KEY)).as("raw outputs are still written by the VMs")
                .contains(logicalId("VmRole"));
    }

    @Test
    @DisplayName("with publicLogs=off nothing is public: no distribution, no PULLAB_LOGS_URL, no CloudFront read")
    void offPublishesNothing() {
        PullabStack off = stack(Map.of("publicLogs", "off"));
        Template offTemplate = Template.fromStack(off);

        offTemplate.resourceCountIs("AWS::CloudFront::Distribution", 0);
        offTemplate.resourceCountIs("AWS::CloudFront::OriginAccessControl", 0);
        offTemplate.resourceCountIs("AWS::CloudFront::ResponseHeadersPolicy", 0);
        assertThat(offTemplate.findResources("AWS::Lambda::Function").toString())
                .doesNotContain(PublishedLogs.BASE_URL_ENV);
        assertThat(offTemplate.findResources("AWS::S3::BucketPolicy").toString()).doesNotContain("cloudfront");
        assertThat(offTemplate.findOutputs("PublicLogsUrl")).isEmpty();
    }

    @Test
    @DisplayName("with publicLogs=off cdk-nag finds nothing unacknowledged either")
    void offPassesCdkNag() {
        PolicyValidationPluginReport report = new AwsSolutionsChecks(new App())
                .validateScope(stack(Map.of("publicLogs", "off")));

        assertThat(report.getViolations()).isEmpty();
        assertThat(report.getSuccess()).isTrue();
    }

    @Test
    @DisplayName("publicLogs=cloudfront is the default, named or not")
    void cloudfrontIsTheDefault() {
        Template named = Template.fromStack(stack(Map.of("publicLogs", "cloudfront")));

        named.resourceCountIs("AWS::CloudFront::Distribution", 1);
        assertThat(PullabStack.PublicLogs.of(null)).isEqualTo(PullabStack.PublicLogs.CLOUDFRONT);
        assertThat(PullabStack.PublicLogs.of(" ")).isEqualTo(PullabStack.PublicLogs.CLOUDFRONT);
    }

    @Test
    @DisplayName("an unknown publicLogs value fails the synth with a message naming the option and its values")
    void anUnknownValueIsRefused() {
        assertThatThrownBy(() -> stack(Map.of("publicLogs", "public-read")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("publicLogs")
                .hasMessageContaining("'public-read'")
                .hasMessageContaining("cloudfront")
                .hasMessageContaining("off");
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static PullabStack stack(Map<String, String> context) {
        return StackSynth.stack(context);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> bucketPolicyStatements() {
        List<Map<String, Object>> statements = new ArrayList<>();
        template.findResources("AWS::S3::BucketPolicy").values().forEach(policy -> statements.addAll(
                (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) policy.get("Properties"))
                        .get("PolicyDocument")).get("Statement")));
        return statements;
    }

    /** The handlers of the functions whose environment carries {@code PULLAB_LOGS_URL}. */
    private static List<String> functionsWithLogsUrl() {
        return template.findResources("AWS::Lambda::Function").values().stream()
                .map(f -> (Map<?, ?>) f.get("Properties"))
                .filter(p -> String.valueOf(p.get("Environment")).contains(PublishedLogs.BASE_URL_ENV))
                .map(p -> p.get("Handler").toString())
                .toList();
    }

    /**
     * The roles (logical ids) whose policies allow a put of {@code key} in the results bucket and do not deny it: every
     * Allow/Deny statement of a put action ({@code s3:PutObject}, {@code s3:PutObject*}, {@code s3:*}) whose resource
     * pattern, on the results bucket, matches the key.
     */
    @SuppressWarnings("unchecked")
    private static Set<String> rolesThatMayPut(String key) {
        String bucket = "{Fn::GetAtt=[" + logicalId("ResultsBucket") + ", Arn]}/";
        Set<String> allowed = new TreeSet<>();
        Set<String> denied = new TreeSet<>();
        template.findResources("AWS::IAM::Policy").values().forEach(policy -> {
            Map<String, Object> properties = (Map<String, Object>) policy.get("Properties");
            List<String> roles = ((List<Map<String, Object>>) properties.get("Roles")).stream()
                    .map(role -> role.get("Ref").toString()).toList();
            List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) properties
                    .get("PolicyDocument")).get("Statement");
            for (Map<String, Object> statement : statements) {
                boolean puts = asList(statement.get("Action")).stream().map(Object::toString)
                        .anyMatch(action -> action.equals("s3:PutObject") || action.equals("s3:PutObject*")
                                || action.equals("s3:*"));
                boolean matches = asList(statement.get("Resource")).stream().map(PullabStackTest::joined)
                        .filter(arn -> arn.startsWith(bucket))
                        .anyMatch(arn -> glob(arn.substring(bucket.length())).matcher(key).matches());
                if (puts && matches) {
                    ("Deny".equals(statement.get("Effect")) ? denied : allowed).addAll(roles);
                }
            }
        });
        allowed.removeAll(denied);
        return allowed;
    }

    private static List<?> asList(Object value) {
        return value instanceof List<?> list ? list : List.of(value);
    }

    /** An IAM resource pattern ({@code *} any characters, {@code ?} one) as a regular expression. */
    private static Pattern glob(String pattern) {
        return Pattern.compile(java.util.Arrays.stream(pattern.split("(?<=[*?])|(?=[*?])"))
                .map(part -> part.equals("*") ? ".*" : part.equals("?") ? "." : Pattern.quote(part))
                .collect(Collectors.joining()));
    }

    /** The logical id of a function's execution role. */
    private static String functionRole(String functionId) {
        Map<?, ?> function = (Map<?, ?>) template.findResources("AWS::Lambda::Function")
                .get(logicalId(functionId)).get("Properties");
        return ((List<?>) ((Map<?, ?>) function.get("Role")).get("Fn::GetAtt")).get(0).toString();
    }

    private static String logicalId(String constructId) {
        IConstruct construct = stack.getNode().findChild(constructId);
        return stack.getLogicalId((CfnElement) (construct instanceof CfnElement ? construct
                : construct.getNode().getDefaultChild()));
    }
}
