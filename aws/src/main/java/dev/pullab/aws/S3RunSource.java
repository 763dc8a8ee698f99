package dev.pullab.aws;

import dev.pullab.core.benchmark.BenchmarkFile;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.RunFile;
import dev.pullab.core.benchmark.RunSource;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.store.S3Location;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A run stored in S3 under {@code s3://bucket/run_prefix/}, with the layout the VM client writes.
 *
 * <p>Every fault becomes an {@link InvalidInputException} naming the {@code s3://} URI and a plain reason (no such
 * bucket, access denied, no such run); AWS request ids and credentials never appear in the message.
 */
public final class S3RunSource implements RunSource {

    private final S3Client s3;
    private final S3Location run;
    private final ReadLimits limits;

    /** A run read with the {@link ReadLimits#DEFAULTS default read limits}. */
    public S3RunSource(S3Client s3, S3Location run) {
        this(s3, run, ReadLimits.DEFAULTS);
    }

    public S3RunSource(S3Client s3, S3Location run, ReadLimits limits) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.run = Objects.requireNonNull(run, "run");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public String location() {
        return run.toString();
    }

    @Override
    public List<RunFile> benchmarkFiles(DownloadProgress progress) {
        List<Listed> found = list();
        List<RunFile> files = new ArrayList<>(found.size());
        long bytes = 0;
        ReadLimits.Budget budget = limits.budget();
        for (Listed listed : found) {
            BenchmarkFile file = listed.file();
            Optional<String> refused = budget.admit(file.test() + "/" + file.instanceId(), listed.size());
            if (refused.isPresent()) {
                files.add(RunFile.notRead(file, refused.get()));
            } else {
                byte[] content = download(file, budget.perFileBytes());
                if (content.length > budget.perFileBytes()) { // rewritten larger since it was listed
                    files.add(RunFile.notRead(file, budget.grewBeyondLimit()));
                } else {
                    bytes += content.length;
                    files.add(new RunFile(file, content));
                }
            }
            progress.fetched(files.size(), found.size(), bytes);
        }
        return files;
    }

    /** A benchmark file and its size in the listing. */
    private record Listed(BenchmarkFile file, long size) {
    }

    private List<Listed> list() {
        String keyPrefix = run.keyPrefix();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(run.bucket()).prefix(keyPrefix).build();
        List<Listed> found = new ArrayList<>();
        int objects = 0;
        try {
            for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
                objects++;
                String relative = object.key().substring(keyPrefix.length());
                long size = object.size() == null ? 0 : object.size();
                BenchmarkFile.fromRunPath(relative, run.uriOf(object.key()))
                        .ifPresent(file -> found.add(new Listed(file, size)));
            }
        } catch (SdkException e) {
            throw failure(location(), "cannot list the run", e);
        }
        if (objects == 0) {
            throw new InvalidInputException(location() + ": no such run: no objects under this prefix");
        }
        return found;
    }

    /** At most {@code limit + 1} bytes of the file (more than {@code limit}: it is over the limit). */
    private byte[] download(BenchmarkFile file, long limit) {
        String key = file.location().substring(("s3://" + run.bucket() + "/").length());
        try {
            return S3ObjectStore.readAtMost(s3, GetObjectRequest.builder().bucket(run.bucket()).key(key).build(), limit);
        } catch (SdkException e) {
            throw failure(file.location(), "cannot download", e);
        } catch (IOException e) {
            throw new InvalidInputException(file.location() + ": cannot download: " + e.getMessage(), e);
        }
    }

    /** A message an operator can act on; only the error code and status of the service's answer are kept. */
    static InvalidInputException failure(String uri, String action, SdkException e) {
        if (e instanceof S3Exception s3e) {
            String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
            int status = s3e.statusCode();
            String reason;
            if ("NoSuchBucket".equals(code)) {
                reason = "bucket does not exist";
            } else if ("NoSuchKey".equals(code)) {
                reason = "object does not exist (deleted while reading?)";
            } else if (status == 403 || "AccessDenied".equals(code)) {
                reason = "access denied (check the credentials' s3:ListBucket / s3:GetObject permissions)";
            } else if (status == 404) {
                reason = "not found";
            } else {
                reason = "S3 error " + (code == null ? "" : code + " ") + "(HTTP " + status + ")";
            }
            return new InvalidInputException(uri + ": " + action + ": " + reason, e);
        }
        if (e instanceof SdkClientException) {
            return new InvalidInputException(uri + ": " + action + ": cannot reach S3: " + e.getMessage(), e);
        }
        return new InvalidInputException(uri + ": " + action + ": " + e.getClass().getSimpleName(), e);
    }
}
