package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.config;
import static dev.meridian.routing.Fixtures.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.CircuitBreakerConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.routing.CircuitBreaker.Verdict;
import dev.meridian.routing.RetryBudget.Grant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster's hard limits, its in-flight shedding, and its counts across a reload. */
class CircuitBreakerTest {

    @Test
    void maxRequestsRefusesTheRequestOverTheLimitAndFreesTheSlotOnEnd() {
        CircuitBreaker b = breaker(new CircuitBreakerConfig(10, 10, 2, 3));
        assertThat(b.admit(0)).isEqualTo(Verdict.ADMITTED);
        assertThat(b.admit(0)).isEqualTo(Verdict.ADMITTED);
        assertThat(b.admit(0)).isEqualTo(Verdict.MAX_REQUESTS);
        assertThat(b.requestsInFlight()).isEqualTo(2);

        b.requestEnded();
        assertThat(b.admit(0)).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void inFlightSheddingDropsTheLowestTierFirst() {
        CircuitBreaker b = breaker(new CircuitBreakerConfig(10, 10, 100, 3));
        for (int i = 0; i < 90; i++) {
            assertThat(b.admit(0)).isEqualTo(Verdict.ADMITTED);
        }
        assertThat(b.admit(4)).isEqualTo(Verdict.SHED_IN_FLIGHT);   // 90 %
        assertThat(b.admit(3)).isEqualTo(Verdict.ADMITTED);         // 91st
        fill(b, 93 - 91);
        assertThat(b.admit(3)).isEqualTo(Verdict.SHED_IN_FLIGHT);
        assertThat(b.admit(2)).isEqualTo(Verdict.ADMITTED);
        fill(b, 96 - 94);
        assertThat(b.admit(2)).isEqualTo(Verdict.SHED_IN_FLIGHT);
        assertThat(b.admit(1)).isEqualTo(Verdict.ADMITTED);
        fill(b, 98 - 97);
        assertThat(b.admit(1)).isEqualTo(Verdict.SHED_IN_FLIGHT);
        assertThat(b.admit(0)).isEqualTo(Verdict.ADMITTED);
        fill(b, 100 - 99);
        assertThat(b.admit(0)).isEqualTo(Verdict.MAX_REQUESTS);
        assertThat(b.admit(4)).isEqualTo(Verdict.MAX_REQUESTS);   // the hard limit names itself, whatever the tier
        assertThat(b.requestsInFlight()).isEqualTo(100);
    }

    @Test
    void capacitySheddingUsesTheTierTheSamplerSet() {
        CircuitBreaker b = breaker(new CircuitBreakerConfig(10, 10, 100, 3), 50);
        assertThat(b.capacityAware()).isTrue();
        b.capacityTier(1);

        assertThat(b.admit(2)).isEqualTo(Verdict.SHED_CAPACITY);
        assertThat(b.admit(1)).isEqualTo(Verdict.ADMITTED);
        assertThat(b.requestsInFlight()).isEqualTo(1);
        assertThat(b.offered(2)).isEqualTo(1);   // shed requests count as demand all the same
        assertThat(b.offered(1)).isEqualTo(1);
    }

    @Test
    void withoutACapacityOnEveryEndpointNoRateIsCompared() {
        CircuitBreaker b = breaker(CircuitBreakerConfig.DEFAULT);
        b.admit(3);
        assertThat(b.capacityAware()).isFalse();
        assertThat(b.offered(3)).isZero();
    }

    @Test
    void connectionsAndPendingHaveTheirOwnLimits() {
        CircuitBreaker b = breaker(new CircuitBreakerConfig(2, 1, 10, 3));
        assertThat(b.tryOpenConnection()).isTrue();
        assertThat(b.tryOpenConnection()).isTrue();
        assertThat(b.tryOpenConnection()).isFalse();
        b.connectionClosed();
        assertThat(b.tryOpenConnection()).isTrue();
        assertThat(b.connectionsOpen()).isEqualTo(2);

        assertThat(b.tryStartPending()).isTrue();
        assertThat(b.tryStartPending()).isFalse();
        b.pendingEnded();
        assertThat(b.tryStartPending()).isTrue();
        assertThat(b.pendingRequests()).isEqualTo(1);
    }

    @Test
    void aReloadKeepsTheCountsAndTakesTheNewLimits() {
        RoutingTable before = table(new CircuitBreakerConfig(10, 10, 2, 3), null);
        CircuitBreaker old = before.cluster("api").breaker();
        old.admit(0);
        old.admit(0);
        old.tryOpenConnection();

        RoutingTable after = table(new CircuitBreakerConfig(10, 10, 3, 3), before);
        CircuitBreaker now = after.cluster("api").breaker();
        assertThat(now.requestsInFlight()).isEqualTo(2);
        assertThat(now.connectionsOpen()).isEqualTo(1);
        assertThat(now.admit(0)).isEqualTo(Verdict.ADMITTED);
        assertThat(now.admit(0)).isEqualTo(Verdict.MAX_REQUESTS);
        old.requestEnded();   // a request admitted before the reload ends on the shared count
        assertThat(now.admit(0)).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void maxRetriesCapsTheBudgetWhateverItsShare() {
        RetryBudget budget = new RetryBudget(100, 10, 2);
        for (int i = 0; i < 50; i++) {
            budget.requestStarted();
        }
        assertThat(budget.tryAcquire()).isEqualTo(Grant.GRANTED);
        assertThat(budget.tryAcquire()).isEqualTo(Grant.GRANTED);
        assertThat(budget.tryAcquire()).isEqualTo(Grant.MAX_RETRIES);
        budget.releaseRetry();
        assertThat(budget.tryAcquire()).isEqualTo(Grant.GRANTED);

        RetryBudget spent = new RetryBudget(0, 1, 5);
        assertThat(spent.tryAcquire()).isEqualTo(Grant.GRANTED);
        assertThat(spent.tryAcquire()).isEqualTo(Grant.BUDGET_SPENT);
    }

    @Test
    void theClusterBudgetTakesTheBreakersMaxRetries() {
        RetryBudget budget = table(new CircuitBreakerConfig(10, 10, 10, 0), null).cluster("api").retryBudget();
        assertThat(budget.tryAcquire()).isEqualTo(Grant.MAX_RETRIES);
    }

    private static void fill(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(b.admit(0)).isEqualTo(Verdict.ADMITTED);
        }
    }

    private static CircuitBreaker breaker(CircuitBreakerConfig limits) {
        return breaker(limits, 0);
    }

    private static CircuitBreaker breaker(CircuitBreakerConfig limits, int capacity) {
        return new CircuitBreaker(cluster(limits, capacity), null);
    }

    private static ClusterConfig cluster(CircuitBreakerConfig limits, int capacity) {
        EndpointConfig a = new EndpointConfig("a", "127.0.0.1", 8080, "local", null, 1, 0, capacity);
        return new ClusterConfig("api", Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(a), null, null, null, null,
                null, null, null, null, null, limits);
    }

    private static RoutingTable table(CircuitBreakerConfig limits, RoutingTable previous) {
        return RoutingTable.build(config(List.of(cluster(limits, 0)),
                List.of(route("all", RouteMatch.ANY, "api"))), previous);
    }
}
