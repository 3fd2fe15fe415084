package dev.meridian.proxy.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why a request head was refused before anything of it went upstream: the status to answer with and a one-line
 * reason a person can act on. Set as the failed decoder result of the request, so the refusal takes the same path
 * as Netty's own decoding failures.
 */
final class FramingViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;

    FramingViolation(HttpResponseStatus status, String reason) {
        super(reason, null, false, false);  // no stack trace: a refusal is routine, and clients can make many
        this.status = status;
    }

    static FramingViolation badRequest(String reason) {
        return new FramingViolation(HttpResponseStatus.BAD_REQUEST, reason);
    }

    HttpResponseStatus status() {
        return status;
    }
}
