package dev.meridian.proxy.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** What the admin port answers: a status, a content type and a small body held whole. */
record AdminResponse(HttpResponseStatus status, String contentType, byte[] body) {
    static final String JSON = "application/json";

    static AdminResponse json(HttpResponseStatus status, Object value) {
        return new AdminResponse(status, JSON, Json.bytes(value));
    }

    static AdminResponse ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    /** A refusal with a one-line reason a person can act on. */
    static AdminResponse error(HttpResponseStatus status, String reason) {
        return json(status, Json.obj("error", reason));
    }

    static AdminResponse text(HttpResponseStatus status, String contentType, String body) {
        return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
