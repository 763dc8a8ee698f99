package dev.pullab.aws;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import dev.pullab.core.config.SecretLookup;

/**
 * Builds the production AWS clients: one URL-connection HTTP client (the only one on the classpath) shared by every
 * client of the JVM, region from the caller or the default chain, credentials from the environment variables when
 * they are set (as Lambda sets them) or else from the default chain, bounded call timeouts.
 *
 * <p>An emulator (moto, LocalStack) is selected like the SDK itself does it: system property
 * {@code aws.endpointUrlS3}, env {@code AWS_ENDPOINT_URL_S3}, system property {@code aws.endpointUrl}, env
 * {@code AWS_ENDPOINT_URL}, the first set wins, none when {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} is true.
 * The SDK (2.28+) would apply that endpoint on its own but keep virtual-host addressing, which emulators cannot
 * serve; so the same endpoint is set explicitly (identical value, no conflict) together with path-style access.
 * An {@code endpoint_url} in an AWS profile is left to the SDK alone (no path style).
 *
 * <p>This is a factory: every call builds a new client (on the shared HTTP client). Cache it in the caller (e.g. a
 * Lambda's static field).
 */
public final class AwsClients {

    /** Per HTTP attempt; the SDK has no timeout by default. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(60);
    /** Whole call including retries. */
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

    private AwsClients() {
    }

    /**
     * An S3 client.
     *
     * @param region the region to use; empty to take it from {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} or
     *               the profile (Lambda always sets {@code AWS_REGION})
     * @throws IllegalArgumentException when no region is configured anywhere, or a configured endpoint is invalid
     */
    public static S3Client s3(Optional<String> region) {
        var builder = configure(S3Client.builder(), region);
        // path-style: emulators (moto, LocalStack) cannot serve virtual-host bucket addressing
        configuredEndpoint("AWS_ENDPOINT_URL_S3", "aws.endpointUrlS3", System::getenv, System::getProperty)
                .ifPresent(endpoint -> builder.endpointOverride(endpoint).forcePathStyle(true));
        return builder.build();
    }

    /**
     * A client for a lab whose endpoint is given explicitly (a lab file that local-run wrote names its emulator), else
     * configured as {@link #client(AwsSyncClientBuilder, Optional, String, String)} does. S3 clients get path-style
     * addressing with an explicit endpoint, as emulators need.
     */
    public static <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder,
            Optional<String> region, Optional<URI> endpoint, String serviceVariable, String serviceProperty) {
        if (endpoint.isEmpty()) {
            if (builder instanceof software.amazon.awssdk.services.s3.S3ClientBuilder) {
                @SuppressWarnings("unchecked")
                C s3 = (C) s3(region);
                return s3;
            }
            return client(builder, region, serviceVariable, serviceProperty);
        }
        B configured = configure(builder, region);
        configured.endpointOverride(endpoint.get());
        if (configured instanceof software.amazon.awssdk.services.s3.S3ClientBuilder s3) {
            s3.forcePathStyle(true);
        }
        return configured.build();
    }

    /** A DynamoDB client (see {@link #s3(Optional)} for region, credentials and endpoint). */
    public static DynamoDbClient dynamoDb(Optional<String> region) {
        return withEndpoint(configure(DynamoDbClient.builder(), region), "AWS_ENDPOINT_URL_DYNAMODB",
                "aws.endpointUrlDynamoDb").build();
    }

    /** An SQS client (see {@link #s3(Optional)} for region, credentials and endpoint). */
    public static SqsClient sqs(Optional<String> region) {
        return withEndpoint(configure(SqsClient.builder(), region), "AWS_ENDPOINT_URL_SQS", "aws.endpointUrlSqs")
                .build();
    }

    /** A Secrets Manager client (see {@link #s3(Optional)} for region, credentials and endpoint). */
    public static SecretsManagerClient secretsManager(Optional<String> region) {
        return withEndpoint(configure(SecretsManagerClient.builder(), region), "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                "aws.endpointUrlSecretsManager").build();
    }

    /**
     * Any other sync client, configured like the ones above: the URL-connection HTTP client, region, timeouts, and
     * {@code AWS_ENDPOINT_URL_<SERVICE>} (via {@code serviceVariable}/{@code serviceProperty}) or
     * {@code AWS_ENDPOINT_URL}.
     */
    public static <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder,
            Optional<String> region, String serviceVariable, String serviceProperty) {
        return withEndpoint(configure(builder, region), serviceVariable, serviceProperty).build();
    }

    /** Reads secrets by ARN or name from Secrets Manager (for {@code *_SECRET_ARN} settings). */
    public static SecretLookup secrets(SecretsManagerClient client) {
        return id -> client.getSecretValue(b -> b.secretId(id)).secretString();
    }

    /**
     * The common part: the shared HTTP client, region, timeouts, credentials.
     *
     * <p>Cold start: every SDK client building an HTTP client of its own costs an SSL context each, and every client
     * left with the default credentials chain builds and walks a chain of its own on its first call. On Lambda the
     * credentials are in the environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
     * {@code AWS_SESSION_TOKEN}), where the chain would find them anyway (after the system properties).
     */
    private static <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> B configure(B builder,
            Optional<String> region) {
        builder.httpClient(SharedHttp.CLIENT)
                .region(resolveRegion(region))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .apiCallTimeout(CALL_TIMEOUT)
                        .build());
        environmentCredentials(System::getenv, System::getProperty).ifPresent(builder::credentialsProvider);
        // otherwise left unset on purpose, so the client builds and owns the default chain (and closes it)
        return builder;
    }

    /**
     * The environment-variable provider when the environment holds credentials and no system property would take
     * precedence over it in the default chain (the chain's own answer, without the chain). Empty otherwise: e.g.
     * under SnapStart, where Lambda provides container credentials and no key variables, or with a profile.
     */
    static Optional<AwsCredentialsProvider> environmentCredentials(UnaryOperator<String> env,
            UnaryOperator<String> properties) {
        if (properties.apply("aws.accessKeyId") != null || properties.apply("aws.secretAccessKey") != null
                || properties.apply("aws.secretKey") != null) {
            return Optional.empty();
        }
        String key = env.apply("AWS_ACCESS_KEY_ID");
        String secret = env.apply("AWS_SECRET_ACCESS_KEY");
        if (key == null || key.isBlank() || secret == null || secret.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(EnvironmentVariableCredentialsProvider.create());
    }

    /**
     * The JVM's one SDK HTTP client, built on first use. Clients given it do not own it, so closing a client leaves
     * it open for the others (it holds no connections of its own: {@code HttpURLConnection} pools them JVM-wide).
     */
    private static final class SharedHttp {
        static final SdkHttpClient CLIENT = UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .build();
    }

    private static <B extends AwsClientBuilder<B, C>, C> B withEndpoint(B builder, String serviceVariable,
            String serviceProperty) {
        configuredEndpoint(serviceVariable, serviceProperty, System::getenv, System::getProperty)
                .ifPresent(builder::endpointOverride);
        return builder;
    }

    /** The region given, else the default chain's, else a message telling how to set one. */
    static Region resolveRegion(Optional<String> region) {
        if (region.isPresent()) {
            String id = region.get().trim();
            if (id.isEmpty()) {
                throw new IllegalArgumentException("empty AWS region: pass --region, e.g. --region us-east-1");
            }
            return Region.of(id);
        }
        // the first link of the default chain, without building the chain (Lambda always sets AWS_REGION)
        for (String id : new String[] {System.getProperty("aws.region"), System.getenv("AWS_REGION")}) {
            if (id != null && !id.isBlank()) {
                return Region.of(id.trim());
            }
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException("no AWS region configured: pass --region (e.g. --region us-east-1), "
                    + "or set AWS_REGION or a region in your AWS profile", e);
        }
    }

    /**
     * The endpoint override configured for a service, in the SDK's order of precedence.
     *
     * @param serviceVariable the service's environment variable, e.g. {@code AWS_ENDPOINT_URL_S3}
     * @param serviceProperty the service's system property, e.g. {@code aws.endpointUrlS3} (as the SDK's
     *                        generated client builder names it)
     * @param env             environment lookup ({@code System::getenv} outside tests)
     * @param properties      system property lookup ({@code System::getProperty} outside tests)
     */
    static Optional<URI> configuredEndpoint(String serviceVariable, String serviceProperty,
            UnaryOperator<String> env, UnaryOperator<String> properties) {
        if (isTrue(properties.apply("aws.ignoreConfiguredEndpointUrls"))
                || isTrue(env.apply("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
            return Optional.empty();
        }
        String[][] sources = {
            {"system property " + serviceProperty, properties.apply(serviceProperty)},
            {"environment variable " + serviceVariable, env.apply(serviceVariable)},
            {"system property aws.endpointUrl", properties.apply("aws.endpointUrl")},
            {"environment variable AWS_ENDPOINT_URL", env.apply("AWS_ENDPOINT_URL")},
        };
        for (String[] source : sources) {
            if (source[1] != null && !source[1].isBlank()) {
                return Optional.of(endpoint(source[0], source[1].trim()));
            }
        }
        return Optional.empty();
    }

    private static URI endpoint(String origin, String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new URISyntaxException(value, "expected scheme://host[:port]");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(origin + " is not a valid endpoint URL: '" + value
                    + "' (expected e.g. http://127.0.0.1:5000)", e);
        }
    }

    private static boolean isTrue(String value) {
        return value != null && "true".equalsIgnoreCase(value.trim());
    }
}
