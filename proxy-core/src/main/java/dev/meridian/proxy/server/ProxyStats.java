package dev.meridian.proxy.server;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the data plane did, one per outcome an operator asks about. LongAdder: written from every
 * event loop without contention, read rarely.
 */
public final class ProxyStats {
    public final LongAdder requests = new LongAdder();
    public final LongAdder proxied = new LongAdder();
    public final LongAdder noRoute = new LongAdder();
    public final LongAdder noEndpoint = new LongAdder();
    /** Requests refused because no endpoint their residency rules allow could take them (503 or 451). */
    public final LongAdder residencyRefused = new LongAdder();
    public final LongAdder connectFailures = new LongAdder();
    public final LongAdder connectTimeouts = new LongAdder();
    public final LongAdder poolExhausted = new LongAdder();
    public final LongAdder responseTimeouts = new LongAdder();
    /** Upstream connections closed or reset before the response ended (before its head, or mid-body). */
    public final LongAdder upstreamResets = new LongAdder();
    /**
     * Responses refused or cut off because they broke HTTP/1.1: an invalid status line, header or chunk, conflicting
     * or unsupported framing (Content-Length with Transfer-Encoding, several Content-Lengths, a coding other than
     * chunked). 502 when nothing was sent yet; the client connection is closed otherwise.
     */
    public final LongAdder upstreamMalformed = new LongAdder();
    /** Responses refused (502) because their head passed the cluster's max_response_header_size. */
    public final LongAdder upstreamHeadersTooLarge = new LongAdder();
    /**
     * Upstream connections closed because the endpoint sent bytes past the end of a response or while no request
     * was out: those bytes would have answered the next request. The response itself was relayed whole.
     */
    public final LongAdder upstreamOverruns = new LongAdder();
    /**
     * Request bodies whose endpoint answered before they had all arrived, and whose rest then went on to that
     * endpoint (its connection closed after the body's end, never pooled: see LeftoverBody).
     */
    public final LongAdder leftoverBodiesForwarded = new LongAdder();
    /**
     * Responses cut off because their body came slower than the route's min_response_rate (a subset of
     * responseTimeouts, which also counts silent stalls).
     */
    public final LongAdder slowResponses = new LongAdder();
    public final LongAdder badRequests = new LongAdder();
    public final LongAdder uriTooLong = new LongAdder();
    /** Connections that switched protocols (WebSocket) and became tunnels. */
    public final LongAdder tunnelsOpened = new LongAdder();
    public final LongAdder headersTooLarge = new LongAdder();
    /** Requests with more header fields than server.max_header_count (431). */
    public final LongAdder tooManyHeaders = new LongAdder();
    /** Requests whose body, declared or as it arrived, went over their route's max_body_size (413 or a close). */
    public final LongAdder bodyTooLarge = new LongAdder();
    /** Request heads not complete within server.request_header_timeout (408 and close: slowloris). */
    public final LongAdder requestHeaderTimeouts = new LongAdder();
    /** Connections closed for sending no byte within server.request_header_timeout of opening. */
    public final LongAdder silentConnections = new LongAdder();
    /** Request bodies that fell below server.min_body_rate (408, or a close once the response started). */
    public final LongAdder slowRequestBodies = new LongAdder();
    /** Connections closed after their server.max_requests_per_connection-th request. */
    public final LongAdder connectionsAtRequestLimit = new LongAdder();
    /** Connections closed at accept: max_connections were open, or max_connections_per_client from one address. */
    public final LongAdder connectionsOverLimit = new LongAdder();
    public final LongAdder connectionsOverClientLimit = new LongAdder();
    public final LongAdder staleRetries = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder retryBudgetExhausted = new LongAdder();
    /** Retries and hedges that spent no budget: nothing had reached an endpoint, or they fled a dead one. */
    public final LongAdder freeRetries = new LongAdder();
    public final LongAdder hedges = new LongAdder();
    public final LongAdder hedgeWins = new LongAdder();
    /** Exchanges the timer found with nothing under way: should stay 0; each one was answered 502 instead. */
    public final LongAdder stuckExchanges = new LongAdder();
    /** Requests refused by a cluster's circuit breaker, one counter per limit (503 with Retry-After). */
    public final LongAdder overflowMaxConnections = new LongAdder();
    public final LongAdder overflowMaxPending = new LongAdder();
    public final LongAdder overflowMaxRequests = new LongAdder();
    /** Retries and hedges not made because the cluster's max_retries were in flight. */
    public final LongAdder overflowMaxRetries = new LongAdder();
    /** Requests whose route tier the continuity level does not serve (halt included). */
    public final LongAdder shedByContinuity = new LongAdder();
    /** Requests shed automatically: their cluster near max_requests, or its demand above healthy capacity. */
    public final LongAdder shedByLoad = new LongAdder();
    /** Config reloads applied, and reloads refused (a bad file, or a table that could not be built). */
    public final LongAdder reloadsOk = new LongAdder();
    public final LongAdder reloadsFailed = new LongAdder();
    public final LongAdder downstreamConnections = new LongAdder();
    public final LongAdder upstreamConnections = new LongAdder();
    /** Access log lines refused by the full queue: the writer fell behind, and the request did not wait for it. */
    public final LongAdder accessLogDropped = new LongAdder();
    /** Access log lines lost because the file could not be written (a full disk, a read-only directory). */
    public final LongAdder accessLogWriteErrors = new LongAdder();
}
