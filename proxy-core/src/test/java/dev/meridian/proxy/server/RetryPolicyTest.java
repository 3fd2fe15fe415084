package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.RetryConfig;
import dev.meridian.proxy.server.RetryPolicy.Verdict;
import dev.meridian.routing.RetryBudget;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The retry and hedge rules alone: endpoints are names, the clock and the jitter are given. */
class RetryPolicyTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Deque<String> untried = new ArrayDeque<>();
    private final Set<String> down = new HashSet<>();
    private long now = 1_000 * MS;
    private double jitter = 0.5;
    private final RandomGenerator random = new RandomGenerator() {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public double nextDouble() {
            return jitter;
        }
    };
    private final RetryPolicy<String> policy = new RetryPolicy<>(new RetryPolicy.Targets<>() {
        @Override
        public String pickUntried() {
            return untried.poll();
        }

        @Override
        public boolean takesTraffic(String endpoint) {
            return !down.contains(endpoint);
        }
    }, () -> now, random);

    private static RetryConfig retries(int max) {
        return new RetryConfig(max, null, false, Duration.ofMillis(25), Duration.ofMillis(250), 64 * 1024,
                RetryConfig.HedgeConfig.DEFAULT);
    }

    /** A budget that allows {@code floor} retries in flight, capped at {@code cap}. */
    private static RetryBudget budget(int floor, int cap) {
        return new RetryBudget(0, floor, cap);
    }

    @Test
    void aConnectFailureIsRetriedFreeOnAnotherEndpoint() {
        RetryBudget budget = budget(0, 10);
        policy.begin(retries(2), budget, false);
        untried.addAll(List.of("b", "c"));

        assertThat(policy.retry(1, false, false, true)).isEqualTo(Verdict.FREE);
        assertThat(policy.target()).isEqualTo("b");
        assertThat(budget.activeRetries()).isZero();
        assertThat(budget.activeRequests()).isEqualTo(1);

        policy.end();
        assertThat(budget.activeRequests()).isZero();
    }

    @Test
    void aRequestThatMayHaveArrivedIsRetriedOnlyWhenIdempotentAndKept() {
        policy.begin(retries(2), budget(5, 10), false);
        untried.add("b");
        assertThat(policy.retry(1, true, true, true)).isEqualTo(Verdict.NONE);
        policy.end();

        policy.begin(retries(2), budget(5, 10), true);
        assertThat(policy.retry(1, true, false, true)).isEqualTo(Verdict.NONE);
        assertThat(untried).containsExactly("b");  // not even picked
        assertThat(policy.retry(1, true, true, true)).isEqualTo(Verdict.GRANTED);
        assertThat(policy.target()).isEqualTo("b");
        policy.end();
    }

    @Test
    void noRetryPastMaxRetriesOrWithoutAnotherEndpoint() {
        policy.begin(retries(1), budget(5, 10), true);
        untried.add("b");
        assertThat(policy.triesLeft(1)).isTrue();
        assertThat(policy.triesLeft(2)).isFalse();
        assertThat(policy.retry(2, false, true, true)).isEqualTo(Verdict.NONE);
        assertThat(policy.target()).isNull();
        untried.clear();
        assertThat(policy.retry(1, false, true, true)).isEqualTo(Verdict.NONE);
        policy.end();
    }

    @Test
    void aRetryThatMayAddLoadTakesAPermitAndHoldsOneAtMost() {
        RetryBudget budget = budget(1, 10);
        policy.begin(retries(3), budget, true);
        untried.addAll(List.of("b", "c"));

        assertThat(policy.retry(1, true, true, true)).isEqualTo(Verdict.GRANTED);
        assertThat(budget.activeRetries()).isEqualTo(1);
        // The second retry gives back the first's permit before asking: the floor of one is enough.
        assertThat(policy.retry(2, true, true, true)).isEqualTo(Verdict.GRANTED);
        assertThat(policy.target()).isEqualTo("c");
        assertThat(budget.activeRetries()).isEqualTo(1);

        policy.end();
        assertThat(budget.activeRetries()).isZero();
        policy.end();  // a second end gives nothing back twice
        assertThat(budget.activeRetries()).isZero();
        assertThat(budget.activeRequests()).isZero();
    }

    @Test
    void movingOffAnEndpointThatTakesNoTrafficIsFree() {
        RetryBudget budget = budget(0, 10);
        policy.begin(retries(2), budget, true);
        untried.addAll(List.of("b", "c"));
        down.add("c");

        assertThat(policy.retry(1, true, true, false)).isEqualTo(Verdict.FREE);
        assertThat(policy.target()).isEqualTo("b");
        // Everything down: the budget caps it as before.
        assertThat(policy.retry(2, true, true, false)).isEqualTo(Verdict.BUDGET_SPENT);
        assertThat(policy.target()).isNull();
        policy.end();
    }

    @Test
    void theBudgetAndTheCapAreTold() {
        RetryBudget shared = budget(1, 1);
        RetryBudget otherExchangeHolds = shared;
        assertThat(otherExchangeHolds.tryAcquire()).isEqualTo(RetryBudget.Grant.GRANTED);
        policy.begin(retries(2), shared, true);
        untried.add("b");
        assertThat(policy.retry(1, true, true, true)).isEqualTo(Verdict.BUDGET_SPENT);
        policy.end();
        shared.releaseRetry();

        policy.begin(retries(2), new RetryBudget(100, 5, 0), true);
        untried.add("b");
        assertThat(policy.retry(1, true, true, true)).isEqualTo(Verdict.MAX_RETRIES);
        policy.end();
    }

    @Test
    void backoffIsFullJitterUnderAnExponentialCap() {
        policy.begin(retries(5), budget(1, 10), true);
        jitter = 0.5;
        assertThat(policy.backoffNanos(1)).isEqualTo(25 * MS / 2);
        assertThat(policy.backoffNanos(2)).isEqualTo(50 * MS / 2);
        assertThat(policy.backoffNanos(3)).isEqualTo(100 * MS / 2);
        assertThat(policy.backoffNanos(5)).isEqualTo(250 * MS / 2);  // capped at backoff_max
        assertThat(policy.backoffNanos(40)).isEqualTo(250 * MS / 2);  // no overflow of the shift
        jitter = 0.0;
        assertThat(policy.backoffNanos(3)).isZero();
        policy.end();

        policy.begin(new RetryConfig(2, null, false, Duration.ZERO, Duration.ofMillis(250), 0,
                RetryConfig.HedgeConfig.DEFAULT), budget(1, 10), true);
        jitter = 0.9;
        assertThat(policy.backoffNanos(3)).isZero();
        policy.end();
    }

    @Test
    void aTryWaitsForHeadersTheShorterOfPerTryAndRouteTimeouts() {
        policy.begin(retries(1), budget(1, 10), true);
        assertThat(policy.tryHeaderTimeoutNanos(Duration.ofSeconds(2))).isEqualTo(2_000 * MS);
        policy.end();
        policy.begin(new RetryConfig(1, Duration.ofMillis(300), false, Duration.ZERO, Duration.ZERO, 0,
                RetryConfig.HedgeConfig.DEFAULT), budget(1, 10), true);
        assertThat(policy.tryHeaderTimeoutNanos(Duration.ofSeconds(2))).isEqualTo(300 * MS);
        assertThat(policy.tryHeaderTimeoutNanos(Duration.ofMillis(100))).isEqualTo(100 * MS);
        policy.end();
    }

    @Test
    void theHedgeIsDueAfterTwiceTheP99NeverBeforeTheFloor() {
        policy.begin(retries(2), budget(1, 10), true);
        assertThat(policy.hedgeApplies(true, true)).isTrue();
        assertThat(policy.hedgeApplies(false, true)).isFalse();
        assertThat(policy.hedgeApplies(true, false)).isFalse();
        assertThat(policy.hedgeWaiting()).isFalse();

        assertThat(policy.armHedge(now, 10 * MS)).isEqualTo(now + 50 * MS);  // the floor
        assertThat(policy.armHedge(now, 40 * MS)).isEqualTo(now + 80 * MS);
        assertThat(policy.hedgeWaiting()).isTrue();
        assertThat(policy.hedgeDue(now + 79 * MS)).isFalse();
        assertThat(policy.hedgeDue(now + 80 * MS)).isTrue();
        policy.end();
        assertThat(policy.hedgeWaiting()).isFalse();
    }

    @Test
    void hedgesAreNotAppliedWhenDisabled() {
        policy.begin(new RetryConfig(2, null, false, Duration.ZERO, Duration.ZERO, 0, RetryConfig.HedgeConfig.OFF),
                budget(1, 10), true);
        assertThat(policy.hedgeApplies(true, true)).isFalse();
        policy.end();
    }

    @Test
    void aHedgeTakesAPermitThatGoesBackOnceWhenItLoses() {
        RetryBudget budget = budget(1, 10);
        policy.begin(retries(2), budget, true);
        policy.armHedge(now, 0);
        untried.add("b");

        assertThat(policy.hedge(true)).isEqualTo(Verdict.GRANTED);
        assertThat(policy.target()).isEqualTo("b");
        assertThat(budget.activeRetries()).isEqualTo(1);
        assertThat(policy.hedgeApplies(true, true)).isFalse();  // considered: at most one per exchange
        assertThat(policy.hedgeDue(now + 1_000 * MS)).isFalse();

        policy.releaseHedgePermit();
        policy.releaseHedgePermit();
        assertThat(budget.activeRetries()).isZero();
        policy.end();
        assertThat(budget.activeRetries()).isZero();
    }

    @Test
    void aHedgeRefusedByTheBudgetLooksAgainSoon() {
        RetryBudget budget = budget(0, 10);
        policy.begin(retries(2), budget, true);
        policy.armHedge(now, 0);
        untried.add("b");

        assertThat(policy.hedge(true)).isEqualTo(Verdict.BUDGET_SPENT);
        assertThat(policy.hedgeDeadline()).isEqualTo(now + RetryPolicy.BUDGET_RECHECK_NANOS);
        assertThat(policy.hedgeWaiting()).isTrue();
        assertThat(policy.hedgeDue(now + RetryPolicy.BUDGET_RECHECK_NANOS - 1)).isFalse();
        assertThat(policy.hedgeDue(now + RetryPolicy.BUDGET_RECHECK_NANOS)).isTrue();

        // Known down by then: the hedge moves the request off it for free.
        now += RetryPolicy.BUDGET_RECHECK_NANOS;
        untried.add("c");
        assertThat(policy.hedge(false)).isEqualTo(Verdict.FREE);
        assertThat(policy.target()).isEqualTo("c");
        assertThat(budget.activeRetries()).isZero();
        policy.end();
    }

    @Test
    void aHedgeThatNeverReachedItsEndpointIsDueAgainAtOnce() {
        policy.begin(retries(2), budget(1, 10), true);
        policy.armHedge(now, 0);
        untried.add("b");
        assertThat(policy.hedge(true)).isEqualTo(Verdict.GRANTED);
        policy.releaseHedgePermit();

        now += 7 * MS;
        assertThat(policy.hedgeAgainNow()).isEqualTo(now);
        assertThat(policy.hedgeDue(now)).isTrue();
        assertThat(policy.hedgeApplies(true, true)).isTrue();
        policy.end();
    }

    @Test
    void noHedgeWithoutAnotherEndpointOrUnderTheCap() {
        policy.begin(retries(2), new RetryBudget(100, 5, 0), true);
        policy.armHedge(now, 0);
        assertThat(policy.hedge(true)).isEqualTo(Verdict.NONE);
        assertThat(policy.hedgeDue(now)).isFalse();
        policy.end();

        policy.begin(retries(2), new RetryBudget(100, 5, 0), true);
        policy.armHedge(now, 0);
        untried.add("b");
        assertThat(policy.hedge(true)).isEqualTo(Verdict.MAX_RETRIES);
        assertThat(policy.hedgeDue(now + 1_000 * MS)).isFalse();
        policy.end();
    }
}
