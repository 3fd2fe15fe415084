package dev.meridian.proxy.server;

import dev.meridian.config.RetryConfig;
import dev.meridian.config.TimeoutsConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The admitted request as every try sends it, and what its route says about sending it: the cluster, the timeouts
 * and retries, whether it may be sent twice, whether it asks for a tunnel. The head is rewritten for the upstream
 * once, on admission (forwarding headers, hop-by-hop headers, framing); a retry or a hedge sends that same head.
 *
 * <p>One per client connection, reused by each of its requests; confined to its event loop.
 */
final class ForwardedRequest {
    private HttpRequest head;
    private Cluster cluster;
    private TimeoutsConfig timeouts;
    private RetryConfig retries;
    private boolean idempotent;
    private boolean getOrHead;
    /** The route adds {@code x-meridian-decision} to the response. */
    private boolean decisionHeader;
    /** The request asks to become a WebSocket and its route lets it: its Upgrade goes on, a 101 makes a tunnel. */
    private String upgrade;
    /** A CONNECT its route allows: a 2xx makes the connection a tunnel to the endpoint. */
    private boolean connectTunnel;

    /**
     * Takes {@code req}, which {@code admission} admitted, and rewrites its head for the upstream.
     *
     * @param client the downstream it came from: its address and whether its forwarding headers are trusted
     */
    void forward(HttpRequest req, Admission admission, Downstream client, boolean forwardedHeader) {
        Route route = admission.route();
        head = req;
        cluster = admission.cluster();
        timeouts = route.timeouts();
        retries = route.config().retries();
        decisionHeader = route.config().decisionHeader();
        HttpMethod method = req.method();
        idempotent = isIdempotent(method);
        getOrHead = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
        upgrade = webSocketUpgrade(req, route);
        connectTunnel = HttpMethod.CONNECT.equals(method);  // Admission refused it unless the route allows
        prepare(req, admission.host(), client, forwardedHeader);
        if (upgrade != null) {
            // Hop-by-hop, so dropped above; asked for end to end here, as the route allows (RFC 6455 §4.1).
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            req.headers().set(HttpHeaderNames.UPGRADE, upgrade);
        }
    }

    /** The request is over: nothing of it is held. */
    void clear() {
        head = null;
        cluster = null;
        timeouts = null;
        retries = null;
        upgrade = null;
        connectTunnel = false;
    }

    HttpRequest head() {
        return head;
    }

    Cluster cluster() {
        return cluster;
    }

    TimeoutsConfig timeouts() {
        return timeouts;
    }

    RetryConfig retries() {
        return retries;
    }

    /** Whether the request may arrive twice without harm (RFC 9110 §9.2.2). */
    boolean idempotent() {
        return idempotent;
    }

    boolean decisionHeader() {
        return decisionHeader;
    }

    /** The Upgrade the request asks for and its route allows; null when it asks for none. */
    String upgrade() {
        return upgrade;
    }

    /** Whether a 503 of this request goes to another endpoint rather than to the client. */
    boolean retriedOn503() {
        return retries.retryOn503() && idempotent;
    }

    /** Whether a hedge may be sent: a GET or HEAD; a handshake sent twice would open two tunnels, one to nobody. */
    boolean hedgeable() {
        return upgrade == null && getOrHead;
    }

    /** Whether a final response with {@code code} turns the connection into a tunnel to the endpoint. */
    boolean tunnelsOn(int code) {
        return code == 101 && upgrade != null || connectTunnel && code >= 200 && code < 300;
    }

    /** The Upgrade value of a WebSocket handshake its route lets through (a GET without a body); null otherwise. */
    private static String webSocketUpgrade(HttpRequest req, Route route) {
        HttpHeaders headers = req.headers();
        if (!route.config().tunnels().websocket() || !HttpMethod.GET.equals(req.method())
                || req.protocolVersion() != HttpVersion.HTTP_1_1
                || !headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0) {
            return null;
        }
        return headers.get(HttpHeaderNames.UPGRADE);
    }

    private static boolean isIdempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.PUT.equals(method)
                || HttpMethod.DELETE.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method);
    }

    private static void prepare(HttpRequest req, String host, Downstream client, boolean forwardedHeader) {
        HttpHeaders headers = req.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        long contentLength = chunked ? -1 : HttpUtil.getContentLength(req, -1L);
        String via = req.protocolVersion() == HttpVersion.HTTP_1_0 ? "1.0" : "1.1";
        // Trust comes from this request's routing, which asked the current locator: a reload applies to it.
        ProxyHeaders.prepareRequest(headers, client.clientIp(), client.location().trustedSource(), host, via,
                forwardedHeader);
        if (!headers.contains(HttpHeaderNames.HOST)) {
            // Upstream requests are HTTP/1.1, which needs a Host: an HTTP/1.0 client's lack of one becomes the
            // empty Host RFC 9110 §7.2 asks for, and a Host named in Connection (a trick, not a hop) comes back.
            headers.set(HttpHeaderNames.HOST, host == null ? "" : host);
        }
        // Framing is always ours: a chunked body is re-chunked, never trusted byte for byte, and a length is the
        // decoder's, written canonically.
        RequestFraming.writeUpstreamFraming(headers, chunked, contentLength);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
}
