package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.EndpointState;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What an {@link Exchange} needs from the side it answers, whatever protocol that side speaks: the client's
 * identity, the flow of the request body, the parts of the response, and the connection's one timer. The framing
 * of the response (lengths, chunking, keep-alive, how the end of a body is told) is the downstream's own.
 *
 * <p>Called on the downstream's event loop only.
 */
interface Downstream {

    /** The client's address, as text, for forwarding headers and the access log. */
    String clientIp();

    /** Where the client connects from, and whether it is a peer whose forwarding headers are trusted. */
    ConnectionLocation location();

    /** The client's connection: its remote address and its event loop. */
    Channel channel();

    /** Whether the client connection is closing: nothing more will be sent on it. */
    boolean closing();

    /** The request body's way to the upstream opened or narrowed: read the client, or pause it, accordingly. */
    void requestFlowChanged();

    /** The upstream can take the request body now: what waited of it goes on, then reading follows the flow. */
    void requestBodyWelcome();

    /** The request asked to be invited to send its body, and is admitted. */
    void sendContinue();

    /**
     * The response head, with its end-to-end headers ready; the downstream adds its framing.
     *
     * @param hasLength whether the upstream's head gave the body's length (the body's end is known without it)
     */
    void sendHead(HttpResponse head, boolean hasLength);

    /** A piece of the response body; the downstream owns it from here. */
    void sendBody(HttpContent piece);

    /** Sends on what was written so far. */
    void flush();

    /** Whether the client takes response bytes as fast as they come; the upstream is paused while not. */
    boolean writable();

    /**
     * Answers the request from the proxy itself, with {@code status} and a one-line reason.
     *
     * @param retryAfter      whether the client is told to come back soon (refused for want of room, not a fault)
     * @param requestComplete whether the whole request was read; the rest of it is skipped or the connection closes
     * @return the bytes of the reply's body
     */
    int reply(HttpResponseStatus status, String reason, boolean retryAfter, boolean requestComplete);

    /** The response ended whole, the request maybe not: the rest of it has nowhere to go. */
    void responseComplete(boolean requestComplete);

    /**
     * Ends the connection at once: no status can be sent any more.
     *
     * @param midResponse whether part of a response went out; the client must then not take its end for complete
     */
    void abort(boolean midResponse);

    /** Makes sure the exchange's {@link Exchange#timerFired} runs no later than {@code deadline} (nanoTime). */
    void timerBy(long deadline);

    /** The exchange ended; from now on the connection idles until its next request. */
    void exchangeEnded();

    /**
     * The endpoint switched protocols (101 to an upgrade): {@code head} goes to the client, then the connection
     * carries bytes both ways between the client and {@code upstream}, untouched, until either side closes.
     *
     * @param idleNanos      the tunnel's idle timeout
     * @param drainIdleNanos how long the tunnel may idle while its endpoint drains
     */
    void switchProtocols(HttpResponse head, UpstreamConnection upstream, EndpointState endpoint, long idleNanos,
                         long drainIdleNanos);

    /** After a response: the next request, if one waits, or the close the response announced. */
    void carryOn();
}
