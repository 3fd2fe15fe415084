package dev.meridian.proxy.server;

import dev.meridian.config.ContinuityLevel;
import dev.meridian.config.RouteConfig;
import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.ShedLadder;
import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.routing.geo.GeoLocator;
import dev.meridian.routing.residency.JurisdictionSet;
import dev.meridian.routing.residency.Residency;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.concurrent.atomic.LongAdder;

/**
 * The first steps of an exchange, before anything goes upstream: the expectation, the route, the body limit, the
 * continuity level and tier, residency, the cluster and its first pick, and a request slot of the cluster's circuit
 * breaker. Each refusal is counted here and named as a status and a one-line reason for the exchange to answer
 * with; an admitted request leaves the results of its routing here for its tries.
 *
 * <p>One per client connection, reused by each of its requests; confined to its event loop.
 */
final class Admission {
    private static final HttpResponseStatus UNAVAILABLE_FOR_LEGAL_REASONS =
            new HttpResponseStatus(451, "Unavailable For Legal Reasons");

    private final ServerContext server;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final ExchangeLog exchangeLog;
    private final PickContext pickContext;
    private final RequestAttributes attributes = new RequestAttributes();
    private final HashKeys hashKeys = new HashKeys();
    private final HeaderLookup requestHeaders = name -> this.request.headers().get(name);

    private HttpRequest request;
    private String host;
    private Route route;
    /** The response counters of the request's route, by status class; the unrouted ones until it has a route. */
    private LongAdder[] routeResponses;
    private Cluster cluster;
    /** The endpoint jurisdictions the request may be served from; every pick of it is held to them. */
    private JurisdictionSet allowed = JurisdictionSet.ANY;
    private EndpointState first;
    /** The request's body limit (its route's, or the server's). */
    private long maxBodyBytes;
    /** The request asked for {@code 100 Continue}: sent once the request is admitted, not before. */
    private boolean continueExpected;
    private HttpResponseStatus refusal;
    private String refusalReason;
    private boolean refusedForRoom;

    Admission(ServerContext server, ExchangeLog exchangeLog, PickContext pickContext) {
        this.server = server;
        this.stats = server.stats();
        this.meters = server.meters();
        this.exchangeLog = exchangeLog;
        this.pickContext = pickContext;
    }

    /**
     * Routes and admits {@code req}; on the way, an absolute-form target becomes origin form, an {@code Expect}
     * that is answered here and a location header the client may not give are removed.
     *
     * @param client the downstream the request came from: its location and connection
     * @return whether the request goes upstream; if not, {@link #refusal()} says what to answer
     */
    boolean admit(HttpRequest req, Downstream client) {
        request = req;
        route = null;
        cluster = null;
        first = null;
        continueExpected = false;
        routeResponses = meters.noRoute();
        if (req.headers().contains(HttpHeaderNames.EXPECT) && !answerExpectation(req)) {
            return false;
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        String uri = req.uri();
        int authorityStart = RequestFraming.absoluteFormAuthorityStart(uri);
        if (authorityStart > 0) {
            // Absolute form (RFC 9112 §3.2.2): the authority in the target is the host (the decoder refused a Host
            // that disagrees); upstreams get origin form.
            int pathStart = RequestFraming.authorityEnd(uri, authorityStart);
            host = uri.substring(authorityStart, pathStart);
            uri = pathStart == uri.length() ? "/" : uri.charAt(pathStart) == '/' ? uri.substring(pathStart)
                    : "/" + uri.substring(pathStart);
            req.setUri(uri);
            req.headers().set(HttpHeaderNames.HOST, host);
        }
        this.host = host;
        ContinuityLevel level = server.continuity().level();
        if (level == ContinuityLevel.HALT) {
            stats.shedByContinuity.increment();
            return refuseForRoom("continuity level 'halt': the proxy serves no traffic");
        }
        RoutingTable table = server.routing().current();
        route = table.match(host, uri, requestHeaders);
        if (route == null) {
            stats.noRoute.increment();
            return refuse(HttpResponseStatus.NOT_FOUND,
                    "no route for host '" + (host == null ? "" : host) + "' and path '" + pathOf(uri) + "'");
        }
        exchangeLog.route(route);
        routeResponses = meters.route(route);
        if (HttpMethod.CONNECT.equals(req.method()) && !route.config().tunnels().connect()) {
            stats.badRequests.increment();
            // A reverse proxy that tunnels wherever it is asked becomes an open relay: CONNECT is opt-in per route.
            return refuse(HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not allowed on route '" + route.name()
                    + "' (tunnels.connect: false)");
        }
        if (!bodyFits(req, route)) {
            return false;
        }
        int tier = route.config().tier();
        if (!level.admits(tier)) {
            stats.shedByContinuity.increment();
            meters.shed(tier, true);
            return refuseForRoom("continuity level '" + level.yamlName() + "' serves tier"
                    + (level.highestTier() == 0 ? " 0" : "s 0-" + level.highestTier()) + " only; route '"
                    + route.name() + "' is tier " + tier);
        }
        attributes.reset();
        GeoLocator locator = table.locator();
        attributes.location(client.location().locate(locator, requestHeaders));
        if (locator.trustedHeader() != null && !client.location().trustedPeer()) {
            // A location any client can claim must not reach upstreams that might believe it either.
            req.headers().remove(locator.trustedHeader());
        }
        attributes.scoreWeights(route.config().score());
        Residency residency = route.residency();
        allowed = residency == null ? JurisdictionSet.ANY : residency.allowedFor(attributes.location());
        if (allowed == JurisdictionSet.DENIED) {
            return refuseForResidency(residency, Residency.deniedReason(route.name(), attributes.location()));
        }
        cluster = route.selectCluster(pickContext);
        hashKeys.apply(cluster, req.headers(), client.channel(), attributes);
        first = cluster == null ? null : cluster.pick(attributes.applyTo(pickContext), allowed);
        if (first == null && allowed.isRestricted() && cluster != null) {
            return refuseForResidency(residency, Residency.noCompliantReason(cluster.name(), allowed,
                    attributes.location()));
        }
        if (first == null) {
            stats.noEndpoint.increment();
            return refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, cluster == null
                    ? "route '" + route.name() + "' has no cluster with weight"
                    : "no endpoint of cluster '" + cluster.name() + "' can take traffic");
        }
        return takeBreakerSlot(route, tier);
    }

    /** The request's route; null when it has none. */
    Route route() {
        return route;
    }

    /** The host the request is for, from its target or its Host header; null when it names none. */
    String host() {
        return host;
    }

    LongAdder[] routeResponses() {
        return routeResponses;
    }

    /** The cluster the route chose; the request holds a slot of its breaker once admitted. */
    Cluster cluster() {
        return cluster;
    }

    JurisdictionSet allowed() {
        return allowed;
    }

    /** The attributes the request is picked by: location, score weights, key hash. */
    RequestAttributes attributes() {
        return attributes;
    }

    /** The endpoint of the first try. */
    EndpointState first() {
        return first;
    }

    long maxBodyBytes() {
        return maxBodyBytes;
    }

    boolean continueExpected() {
        return continueExpected;
    }

    /** The status a refused request is answered with. */
    HttpResponseStatus refusal() {
        return refusal;
    }

    String refusalReason() {
        return refusalReason;
    }

    /** Whether the refusal was for want of room, not for a fault: the client may come back soon. */
    boolean refusedForRoom() {
        return refusedForRoom;
    }

    /** Where the request's retries and hedges may go: endpoints of its cluster it has not tried, allowed for it. */
    RetryPolicy.Targets<EndpointState> retryTargets(TriedEndpoints tried) {
        return new RetryPolicy.Targets<>() {
            @Override
            public EndpointState pickUntried() {
                return cluster.pickExcluding(attributes.applyTo(pickContext), allowed, tried.array(), tried.count());
            }

            @Override
            public boolean takesTraffic(EndpointState e) {
                return e.status().takesTraffic();
            }
        };
    }

    /**
     * The short form of the request's routing decision, for {@code x-meridian-decision}: enough for an operator to
     * see where a response came from and why; the admin port's explain gives the long one.
     *
     * @param endpoint the endpoint that answered
     * @param tries    the tries the request took, that one included
     */
    String decisionSummary(EndpointState endpoint, int tries) {
        ClientLocation location = attributes.location();
        return "route=" + route.name() + "; cluster=" + cluster.name() + "; policy="
                + cluster.config().policy().yamlName() + "; endpoint=" + endpoint.id() + "; region="
                + endpoint.config().region() + "; try=" + tries + "; client="
                + (location == null ? "unknown" : location) + "; allowed=" + allowed;
    }

    /** The request is over: nothing of it is held. */
    void clear() {
        request = null;
        route = null;
        cluster = null;
        first = null;
    }

    private boolean refuse(HttpResponseStatus status, String reason) {
        refusal = status;
        refusalReason = reason;
        refusedForRoom = false;
        return false;
    }

    private boolean refuseForRoom(String reason) {
        refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
        refusedForRoom = true;
        return false;
    }

    /**
     * Sets the request's body limit from its route, and refuses 413 when the declared length is over it: before
     * anything goes upstream, and before any {@code 100 Continue} invites the body.
     */
    private boolean bodyFits(HttpRequest req, Route route) {
        long routeLimit = route.config().maxBodyBytes();
        maxBodyBytes = routeLimit == RouteConfig.SERVER_BODY_LIMIT ? server.serverConfig().maxBodyBytes() : routeLimit;
        long declared = HttpUtil.getContentLength(req, 0L);
        if (declared <= maxBodyBytes) {
            return true;
        }
        stats.bodyTooLarge.increment();
        return refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + declared
                + " bytes is larger than the limit of " + maxBodyBytes + " bytes (route '" + route.name() + "')");
    }

    /**
     * Takes a request slot of the cluster's circuit breaker, or refuses 503 when its limit or the shedding of this
     * tier refuses one. Before any upstream work: a refused request costs the cluster nothing.
     */
    private boolean takeBreakerSlot(Route route, int tier) {
        CircuitBreaker breaker = cluster.breaker();
        boolean shedding = server.continuity().autoShedding();
        CircuitBreaker.Verdict verdict = breaker.admit(shedding ? tier : RouteConfig.CRITICAL_TIER);
        if (verdict == CircuitBreaker.Verdict.ADMITTED) {
            return true;
        }
        int max = breaker.limits().maxRequests();
        String reason;
        if (verdict == CircuitBreaker.Verdict.MAX_REQUESTS) {
            stats.overflowMaxRequests.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_REQUESTS);
            reason = "circuit breaker: cluster '" + cluster.name() + "' has max_requests (" + max + ") in flight";
        } else if (verdict == CircuitBreaker.Verdict.SHED_IN_FLIGHT) {
            stats.shedByLoad.increment();
            meters.shed(tier, false);
            reason = "shed: cluster '" + cluster.name() + "' has " + breaker.requestsInFlight() + " of "
                    + max + " max_requests in flight, and tier " + tier + " (route '" + route.name()
                    + "') is shed from " + ShedLadder.inFlightPercent(tier) + "%";
        } else {
            stats.shedByLoad.increment();
            meters.shed(tier, false);
            reason = "shed: cluster '" + cluster.name() + "' has more demand than healthy capacity and serves tiers"
                    + " 0-" + breaker.capacityTier() + " only; route '" + route.name() + "' is tier " + tier;
        }
        return refuseForRoom(reason);
    }

    /**
     * {@code Expect: 100-continue} is answered here (the upstream gets the body without asking), once the request is
     * admitted: a request refused before that gets its final status instead; any other expectation cannot be met
     * (RFC 9110 §10.1.1).
     */
    private boolean answerExpectation(HttpRequest req) {
        if (!HttpUtil.is100ContinueExpected(req)) {
            stats.badRequests.increment();
            return refuse(HttpResponseStatus.EXPECTATION_FAILED,
                    "unsupported expectation '" + req.headers().get(HttpHeaderNames.EXPECT) + "'");
        }
        continueExpected = true;
        req.headers().remove(HttpHeaderNames.EXPECT);
        return true;
    }

    /** Fails closed: the request is answered here rather than sent where its data may not go. */
    private boolean refuseForResidency(Residency residency, String reason) {
        stats.residencyRefused.increment();
        return refuse(residency.status() == UNAVAILABLE_FOR_LEGAL_REASONS.code() ? UNAVAILABLE_FOR_LEGAL_REASONS
                : HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 200 ? path.substring(0, 200) + "..." : path;
    }
}
