package dev.pullab.core.aws;

import dev.pullab.core.run.ReadLimits;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** Bounded reads of S3 objects: never more than a limit of bytes in memory, whatever the object's size. */
public final class S3Reads {

    private S3Reads() {
    }

    /** The most a config object (a lab config, a pipeline config) may hold: 1 MiB, hundreds of times a real one. */
    public static final int MAX_CONFIG_BYTES = 1 << 20;

    /**
     * A config object, read whole but never more than {@link #MAX_CONFIG_BYTES}.
     *
     * @throws IllegalArgumentException naming the object when it is larger
     */
    public static byte[] config(S3Client s3, S3Location location) throws IOException {
        byte[] content = readAtMost(s3, GetObjectRequest.builder().bucket(location.bucket()).key(location.prefix())
                .build(), MAX_CONFIG_BYTES);
        if (content.length > MAX_CONFIG_BYTES) {
            throw new IllegalArgumentException("s3://" + location.bucket() + "/" + location.prefix()
                    + " is larger than " + MAX_CONFIG_BYTES + " bytes, too large for a config");
        }
        return content;
    }

    /**
     * Streams the object and keeps at most {@code limit + 1} bytes: a result longer than {@code limit} means the
     * object is over the limit. The rest of a larger object is not downloaded (the connection is aborted).
     */
    public static byte[] readAtMost(S3Client s3, GetObjectRequest request, long limit) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request)) {
            byte[] content = ReadLimits.readAtMost(in, limit);
            if (content.length > limit) {
                in.abort();
            }
            return content;
        }
    }
}
