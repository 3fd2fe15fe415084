package dev.meridian.proxy.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * How the response to a client connection's current request is framed, and whether the connection outlives it. The
 * client's version decides how a body of unknown length ends (chunks for HTTP/1.1, the close for HTTP/1.0), a HEAD
 * response has no body, and the connection closes after the response when the request, the request limit, a drain,
 * or a refusal of the request's body says so. Event loop only.
 */
final class ResponseFraming {
    private HttpVersion clientVersion = HttpVersion.HTTP_1_1;
    private boolean headRequest;
    private boolean closeAfterResponse;
    /** The connection closes after a response sent before the whole request was read: it must linger. */
    private boolean requestUnread;
    /** The client sent its body below the minimum rate: it gets no lingering, which would only hold it longer. */
    private boolean bodyTooSlow;
    /** The client learns the end of the response body from the close (an HTTP/1.0 client, no length). */
    private boolean bodyEndsAtClose;

    /** A request begins: its response is framed for its version and method; {@code close} after it or not. */
    void begin(HttpRequest req, boolean close) {
        clientVersion = req.protocolVersion();
        headRequest = HttpMethod.HEAD.equals(req.method());
        bodyEndsAtClose = false;
        closeAfterResponse = close;
        requestUnread = false;
    }

    /** Adds the framing headers to a relayed response head; {@code hasLength} when its body's end is known. */
    void frameHead(HttpResponse response, boolean hasLength, boolean draining) {
        int code = response.status().code();
        boolean bodyless = headRequest || code == 204 || code == 304;
        if (!bodyless && !hasLength) {
            if (clientVersion == HttpVersion.HTTP_1_1) {
                response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                closeAfterResponse = true;  // an HTTP/1.0 client learns the body's end from the close
                bodyEndsAtClose = true;
            }
        }
        if (draining) {
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /** The proxy's own answer to the current request, framed for it. */
    FullHttpResponse localReply(ByteBufAllocator alloc, HttpResponseStatus status, String reason, boolean draining) {
        if (draining) {
            closeAfterResponse = true;
        }
        return LocalReply.of(alloc, clientVersion, status, reason, closeAfterResponse, headRequest);
    }

    boolean closesAfterResponse() {
        return closeAfterResponse;
    }

    void closeAfterResponse() {
        closeAfterResponse = true;
    }

    /** The response is sent before the whole request was read, and the connection closes after it. */
    void closeWithRequestUnread() {
        closeAfterResponse = true;
        requestUnread = true;
    }

    void bodyTooSlow() {
        bodyTooSlow = true;
    }

    /**
     * Whether the close after the response lingers: the client may still be sending the request it was answered
     * before finishing, unless it was refused for sending too slowly.
     */
    boolean lingers() {
        return requestUnread && !bodyTooSlow;
    }

    /** Whether the client takes the close for the end of the body: cutting it short must then be a reset. */
    boolean bodyEndsAtClose() {
        return bodyEndsAtClose;
    }
}
