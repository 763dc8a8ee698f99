package dev.pullab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * An error answer of the {@link KernelCiApiDouble}: thrown anywhere while a request is handled, turned by the HTTP
 * layer into {@code status} with {@code {"detail": detail}}, as FastAPI's {@code HTTPException} is.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient JsonNode detail;

    ApiError(int status, String detail) {
        this(status, TextNode.valueOf(detail));
    }

    ApiError(int status, JsonNode detail) {
        super(detail.toString(), null, false, false);
        this.status = status;
        this.detail = detail;
    }
}
