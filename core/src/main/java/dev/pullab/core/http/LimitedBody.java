package dev.pullab.core.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit: past {@code limit} bytes the download is cancelled and the body is
 * cut at {@code limit + 1} bytes, so the caller sees it was too large without holding more than that.
 */
public final class LimitedBody implements HttpResponse.BodyHandler<byte[]> {

    private final int limit;

    public LimitedBody(int limit) {
        this.limit = limit;
    }

    /** True when the body was cut (the resource is larger than the limit). */
    public boolean exceeded(byte[] body) {
        return body.length > limit;
    }

    /** The body as text, for messages. */
    public static String text(byte[] body) {
        return new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        return new Subscriber(limit + 1);
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
        private final int cap;
        private final byte[] buffer;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private int size;
        private Flow.Subscription subscription;

        Subscriber(int cap) {
            this.cap = cap;
            this.buffer = new byte[Math.min(cap, 1 << 20)];
        }

        private byte[] grown = null;

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                int take = Math.min(item.remaining(), cap - size);
                byte[] target = ensure(size + take);
                item.get(target, size, take);
                size += take;
                if (size >= cap) {
                    subscription.cancel();
                    result.complete(java.util.Arrays.copyOf(target, size));
                    return;
                }
            }
        }

        private byte[] ensure(int needed) {
            byte[] current = grown == null ? buffer : grown;
            if (needed <= current.length) {
                return current;
            }
            grown = java.util.Arrays.copyOf(current, Math.min(cap, Math.max(needed, current.length * 2)));
            return grown;
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            byte[] current = grown == null ? buffer : grown;
            result.complete(java.util.Arrays.copyOf(current, size));
        }
    }
}
