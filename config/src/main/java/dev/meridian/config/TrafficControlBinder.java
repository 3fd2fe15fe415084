package dev.meridian.config;

import java.util.Arrays;
import java.util.List;

/**
 * Binds what decides whether a request is served at all when the proxy or a cluster is short of room: a cluster's
 * circuit_breaker, a route's tier, and the server's continuity level and automatic shedding switch.
 */
final class TrafficControlBinder {
    static final Schema CIRCUIT_BREAKER = new Schema("circuit breaker", "circuit breakers",
            List.of("max_connections", "max_pending_requests", "max_requests", "max_retries"), List.of());

    private static final List<String> LEVELS =
            Arrays.stream(ContinuityLevel.values()).map(ContinuityLevel::yamlName).toList();
    private static final int MAX_LIMIT = 1_000_000;

    private final Problems problems;

    TrafficControlBinder(Problems problems) {
        this.problems = problems;
    }

    CircuitBreakerConfig circuitBreaker(Fields f) {
        CircuitBreakerConfig d = CircuitBreakerConfig.DEFAULT;
        return new CircuitBreakerConfig(
                f.integer("max_connections", d.maxConnections(), 1, MAX_LIMIT),
                f.integer("max_pending_requests", d.maxPendingRequests(), 1, MAX_LIMIT),
                f.integer("max_requests", d.maxRequests(), 1, MAX_LIMIT),
                // 0 is a real choice: no retry or hedge at all, whatever the routes ask.
                f.integer("max_retries", d.maxRetries(), 0, MAX_LIMIT));
    }

    /**
     * A floor written in the budget is a promise that many retries may always run; a breaker below it would break
     * the promise without saying so. The default floor gives way to a lower breaker silently: that is how
     * {@code max_retries: 0} switches retries off.
     */
    void budgetWithinBreaker(Fields budgetFields, Fields breakerFields, RetryBudgetConfig budget,
                             CircuitBreakerConfig breaker) {
        if (budget.minConcurrent() <= breaker.maxRetries() || budgetFields == null
                || !budgetFields.has("min_concurrent")) {
            return;
        }
        YamlNode at = breakerFields != null && breakerFields.has("max_retries") ? breakerFields.value("max_retries")
                : budgetFields.value("min_concurrent");
        problems.add(at, "retry_budget.min_concurrent " + budget.minConcurrent()
                        + " is above circuit_breaker.max_retries " + breaker.maxRetries(),
                "at most max_retries retries run at once whatever the budget's floor; raise circuit_breaker."
                        + "max_retries to at least " + budget.minConcurrent() + ", or lower min_concurrent");
    }

    int tier(Fields route) {
        return route.integer("tier", RouteConfig.DEFAULT_TIER, RouteConfig.CRITICAL_TIER, RouteConfig.LOWEST_TIER);
    }

    ContinuityLevel continuity(Fields server) {
        String text = server.string("continuity");
        if (text == null) {
            return ContinuityLevel.FULL;
        }
        ContinuityLevel level = ContinuityLevel.named(text);
        if (level == null) {
            problems.add(server.value("continuity"), "unknown continuity level '" + text + "'",
                    Suggestions.hint(text, LEVELS, "levels") + " (full: every tier; essential: tiers 0-1;"
                            + " safe_mode: tier 0; halt: no traffic)");
            return ContinuityLevel.FULL;
        }
        return level;
    }
}
