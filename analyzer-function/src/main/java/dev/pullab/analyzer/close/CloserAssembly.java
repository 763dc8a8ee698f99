package dev.pullab.analyzer.close;

import dev.pullab.analyzer.RunReportPublisher;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.aws.S3RunSource;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.kcidb.KcidbClient;
import dev.pullab.core.kcidb.KcidbRevisionBuilder;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.report.RunReporting;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.log.PublishedLogs;
import dev.pullab.core.report.RunArtifacts;
import java.net.URI;
import java.time.Clock;
import java.util.function.Function;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Puts the {@link RunCloser} together from settings and clients (the handlers and tests share it). */
public final class CloserAssembly {

    private CloserAssembly() {
    }

    public static RunCloser create(AnalyzerSettings settings, S3Client s3, DynamoDbClient dynamo, RetryPolicy retries,
            Clock clock) {
        return create(settings, s3, dynamo, retries, clock, RunCloser.BeforeClose.NOTHING);
    }

    /** With {@code beforeClose} called at the start of each close (the Lambda keeps the VMs' consoles). */
    public static RunCloser create(AnalyzerSettings settings, S3Client s3, DynamoDbClient dynamo, RetryPolicy retries,
            Clock clock, RunCloser.BeforeClose beforeClose) {
        Optional<KernelCiClient> kernelci = settings.kernelci().map(access -> new KernelCiClient(access.apiBaseUri(),
                access.apiToken(), new RetryingHttp("KernelCI API", retries)));
        Optional<KcidbClient> kcidb = settings.kcidb().map(k -> new KcidbClient(k, retries));
        Optional<KcidbRevisionBuilder> revisions = settings.kcidb().map(k -> new KcidbRevisionBuilder(k.origin(),
                id -> kernelci.flatMap(api -> api.node(id))));
        String bucket = settings.resultsBucket().orElseThrow(() -> new dev.pullab.core.config.ConfigurationException(
                "Missing required configuration: PULLAB_RESULTS_BUCKET (log links point into it)"));
        Function<String, URI> links = logLinks(settings, bucket);
        RunReporting reporting = new RunReporting(settings.options(), links, settings.readLimits());
        S3ObjectStore objects = new S3ObjectStore(s3);
        RunArtifacts artifacts = new RunArtifacts(objects, AnalyzerEnvironment.scrubber(settings),
                settings.readLimits().perFileBytes(), links, clock);
        Optional<String> origin = settings.kcidb().map(KcidbSettings::origin);
        return new RunCloser(new DynamoDbRunStore(dynamo, settings.runsTable()),
                new RunOutputsReader(objects, settings.readLimits()),
                new RunReportPublisher(objects, run -> new S3RunSource(s3, run)), reporting, kcidb, revisions, kernelci,
                clock, beforeClose, (b, runPrefix, vms) -> artifacts.publish(b, runPrefix, origin, vms));
    }

    /**
     * The public link of a published log, from its raw key: under {@code PULLAB_LOGS_URL} when set, else the S3 URL
     * of its copy under {@code logs/} (which needs AWS credentials to open).
     */
    static Function<String, URI> logLinks(AnalyzerSettings settings, String bucket) {
        return settings.logsUrl().<Function<String, URI>>map(base -> key -> PublishedLogs.url(base, key))
                .orElse(key -> RunCloser.objectUrl(bucket, settings.region(), PublishedLogs.key(key)));
    }
}
