package dev.pullab.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The one AWS emulator of a JVM, shared by the integration tests of every module and by {@code pullab local-run}. Started on first use of {@link #get()}, stopped by a shutdown hook.
 *
 * <p>Which emulator, strongest first ({@link EmulatorChoice}; the choice and why is printed once on stderr and is in
 * {@link #toString()}):
 * <ol>
 *   <li>env {@code AWS_ENDPOINT_URL} set: that endpoint is used as is (a LocalStack or moto you started
 *       yourself);</li>
 *   <li>otherwise LocalStack in a container through Testcontainers, when Testcontainers is on the class path (the
 *       modules' tests: test scope) and a Docker engine answers;</li>
 *   <li>otherwise {@code moto_server -H 127.0.0.1 -p <free port>} is started (python moto 5.x; {@code .ci/run}
 *       installs it with {@code pip install 'moto[server]'}).</li>
 * </ol>
 * {@code PULLAB_AWS_EMULATOR=moto} skips LocalStack; {@code =localstack} insists on it.
 *
 * <p>Tests never touch real AWS: every client gets the emulator's endpoint, the region ({@code AWS_REGION}, default
 * {@code us-east-1}) and the static
 * credentials {@code test}/{@code test}, never the default chains. New services take one line, e.g.
 * {@code emulator.client(DynamoDbClient.builder())}.
 */
public final class AwsEmulator {

    /** Env var naming an already running emulator; also what {@code AwsClients} honours in production code. */
    public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL";

    /** {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}, else us-east-1: a local lab is in the user's region. */
    private static final Region REGION = Region.of(java.util.stream.Stream.of(System.getenv("AWS_REGION"),
            System.getenv("AWS_DEFAULT_REGION")).filter(r -> r != null && !r.isBlank()).findFirst()
            .orElse("us-east-1"));
    private static final String ACCESS_KEY = "test";
    private static final String SECRET_KEY = "test";
    private static final AwsCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));

    private static AwsEmulator instance;
    private static RuntimeException startFailure;

    private final URI endpoint;
    private final String description;
    private final S3Client s3;

    private AwsEmulator(URI endpoint, String description) {
        this.endpoint = endpoint;
        this.description = description;
        this.s3 = client(S3Client.builder().forcePathStyle(true));
    }

    /**
     * The JVM's emulator, started on the first call. A start that failed fails every later call at once with the
     * same message (no 20-second retry per test).
     *
     * @throws IllegalStateException when no emulator can be started (e.g. moto_server not installed)
     */
    public static synchronized AwsEmulator get() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (instance == null) {
            try {
                instance = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    /** Where the emulator answers, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return endpoint;
    }

    /** Always {@code us-east-1}. */
    public Region region() {
        return REGION;
    }

    /** Static {@code test}/{@code test} credentials. */
    public AwsCredentialsProvider credentials() {
        return CREDENTIALS;
    }

    /** The shared S3 client (path-style, URL-connection HTTP client). Do not close it. */
    public S3Client s3() {
        return s3;
    }

    /**
     * Builds any synchronous AWS client against the emulator: endpoint, region, test credentials, URL-connection
     * HTTP client. The caller owns (and should close) the client.
     */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** Creates a bucket with a unique name starting with {@code namePrefix} (lower case, digits, dashes). */
    public String createBucket(String namePrefix) {
        String bucket = (namePrefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        s3.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** Creates an on-demand table {@code name} keyed by the string attribute {@code partitionKey}; returns the name. */
    public String createTable(String name, String partitionKey) {
        try (DynamoDbClient dynamo = client(DynamoDbClient.builder())) {
            dynamo.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey)
                            .attributeType(ScalarAttributeType.S).build()));
        }
        return name;
    }

    /** Env vars that point a child process (e.g. the CLI run with ProcessBuilder) at the emulator. */
    public Map<String, String> environment() {
        return Map.of(ENDPOINT_VARIABLE, endpoint.toString(), "AWS_REGION", REGION.id(),
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    /**
     * The same as system properties, for production code run in this JVM that builds its clients with
     * {@code AwsClients} (the SDK's default chains read these before the environment). Set them only around such
     * a test, and clear them after.
     */
    public Map<String, String> systemProperties() {
        return Map.of("aws.endpointUrl", endpoint.toString(), "aws.region", REGION.id(),
                "aws.accessKeyId", ACCESS_KEY, "aws.secretAccessKey", SECRET_KEY);
    }

    @Override
    public String toString() {
        return description + " at " + endpoint;
    }

    private static AwsEmulator start() {
        EmulatorChoice.Started started = EmulatorChoice.start();
        AwsEmulator emulator = new AwsEmulator(started.endpoint(), started.description());
        System.err.println("pullab: AWS emulator: " + emulator);
        return emulator;
    }
}
