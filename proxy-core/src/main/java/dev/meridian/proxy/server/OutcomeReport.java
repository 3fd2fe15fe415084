package dev.meridian.proxy.server;

import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the exchange tells others of how it went: each try's outcome to the endpoint's error rate and outlier
 * detection, the kind of each broken upstream connection, the status to the route's counters, and the access log
 * line. A response whose head is not a 5xx is judged only once its body ended: one that breaks off is a failure of
 * its endpoint, not a success.
 *
 * <p>One per client connection, reused by each of its exchanges; confined to its event loop.
 */
final class OutcomeReport {
    private final ServerContext server;
    private final ProxyStats stats;
    private final ExchangeLog exchangeLog;
    /** The status of a response head whose outcome waits for the end of its body; 0: none waits. */
    private int pendingStatus;
    private long pendingLatencyNanos;

    OutcomeReport(ServerContext server, ExchangeLog exchangeLog) {
        this.server = server;
        this.stats = server.stats();
        this.exchangeLog = exchangeLog;
    }

    /** A final response head from {@code endpoint}: a 5xx is its failure at once; any other waits for the body. */
    void headArrived(EndpointState endpoint, int code, long latencyNanos) {
        if (code >= 500) {
            server.outcomes().responded(endpoint, code, latencyNanos);
        } else {
            pendingStatus = code;
            pendingLatencyNanos = latencyNanos;
        }
    }

    /**
     * Reports the outcome of a response whose head came earlier: a success, or a failure when its body broke off.
     * Once per response; also when the client left mid-response, which is no fault of the endpoint.
     */
    void settle(EndpointState endpoint, boolean broken) {
        if (pendingStatus == 0) {
            return;
        }
        if (broken) {
            server.outcomes().responseBroken(endpoint);
        } else {
            server.outcomes().responded(endpoint, pendingStatus, pendingLatencyNanos);
        }
        pendingStatus = 0;
    }

    /** The try's endpoint failed it before any response: it closed, broke the protocol, or stayed silent. */
    void failedBeforeResponse(EndpointState endpoint) {
        server.outcomes().failedBeforeResponse(endpoint);
    }

    /** The try's connection broke: counted by what broke it. */
    void connectionBroke(UpstreamConnection c) {
        if (c.headersTooLarge()) {
            stats.upstreamHeadersTooLarge.increment();
        } else if (c.malformed()) {
            stats.upstreamMalformed.increment();
        } else {
            stats.upstreamResets.increment();
        }
    }

    /** A response head goes to the client with {@code code}. */
    void responded(LongAdder[] routeResponses, int code) {
        exchangeLog.responded(code);
        TrafficMeters.responded(routeResponses, code);
    }

    /**
     * The endpoint accepted a tunnel: a success now, as no body follows. A 101 is left out of the route's
     * responses, which count by class from 2xx up: it would pass for a 2xx.
     */
    void tunnelOpened(EndpointState endpoint, int code, long latencyNanos, LongAdder[] routeResponses) {
        server.outcomes().responded(endpoint, code, latencyNanos);
        exchangeLog.responded(code);
        if (code != 101) {
            TrafficMeters.responded(routeResponses, code);
        }
    }

    /** The proxy answered the request itself. */
    void replied(LongAdder[] routeResponses, int code, String reason, int bytes) {
        exchangeLog.replied(code, reason, bytes);
        TrafficMeters.responded(routeResponses, code);
    }

    /** The exchange is over: its access log line, with the last try's endpoint and the number of tries. */
    void ended(EndpointState endpoint, Cluster cluster, int tries, long now) {
        exchangeLog.end(endpoint, cluster, tries, now);
    }
}
