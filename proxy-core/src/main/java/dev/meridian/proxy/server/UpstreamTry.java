package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamListener;
import dev.meridian.routing.EndpointState;

/**
 * One try of a request: one endpoint, at most one upstream connection leased to the try, and when the request head
 * went out on it, which the response's latency counts from. The exchange's own try is an {@link Attempt}; a hedge
 * beside it is a {@link HedgeTry}, whose connection the attempt takes over when the hedge answers first.
 */
abstract class UpstreamTry implements UpstreamListener {
    EndpointState endpoint;
    UpstreamConnection connection;
    long headSentAt;

    /** The try's endpoint; null before the first try of an exchange and after its end. */
    final EndpointState endpoint() {
        return endpoint;
    }

    /** The connection leased to the try; null while it connects, waits, or after it ended. */
    final UpstreamConnection connection() {
        return connection;
    }

    final long headSentAt() {
        return headSentAt;
    }
}
