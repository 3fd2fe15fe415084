package dev.meridian.health.probe;

import dev.meridian.routing.EndpointState;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The checks of one endpoint: a self-rescheduling task on one event loop with its rise/fall counters. Every field is
 * confined to that loop; other threads only post {@link #start}, {@link #reconfigure} and {@link #stop} to it, so no
 * field needs a lock or a volatile.
 */
final class EndpointCheck {
    private enum Health { UNKNOWN, HEALTHY, UNHEALTHY }

    private final ActiveHealthChecker owner;
    private final EndpointState endpoint;
    private final EventLoop loop;
    private CheckSettings settings;
    private Health health = Health.UNKNOWN;
    private int passes;
    private int failures;
    private long requestsAtLastResult;
    private boolean idleSinceLastResult;
    private long startedAt;
    private ScheduledFuture<?> next;
    private ProbeAttempt inFlight;
    private boolean stopped;

    EndpointCheck(ActiveHealthChecker owner, EndpointState endpoint, EventLoop loop, CheckSettings settings) {
        this.owner = owner;
        this.endpoint = endpoint;
        this.loop = loop;
        this.settings = settings;
    }

    EndpointState endpoint() {
        return endpoint;
    }

    /** The first check runs after the jitter alone, so a dead endpoint is known one timeout after start. */
    void start() {
        post(() -> {
            if (stopped) {
                return;
            }
            requestsAtLastResult = endpoint.requestsTotal();
            startedAt = owner.nanoTime();
            scheduleIn(owner.jitter(settings.jitterNanos()));
        });
    }

    /** A reload kept the endpoint: counters and health stay; the next check uses the new settings. */
    void reconfigure(CheckSettings next) {
        post(() -> {
            if (stopped || next.equals(settings)) {
                return;
            }
            boolean retime = !next.sameTiming(settings);
            settings = next;
            if (retime && cancelPending()) {
                scheduleNext();
            }
        });
    }

    void stop() {
        post(() -> {
            stopped = true;
            cancelPending();
            if (inFlight != null) {
                inFlight.abort();
                inFlight = null;
            }
        });
    }

    private void run() {
        owner.checkLeftSchedule();
        next = null;
        if (stopped) {
            return;
        }
        startedAt = owner.nanoTime();
        ProbeAttempt attempt = owner.probeFor(settings).start(loop, endpoint, settings, this::completed);
        inFlight = attempt.isDone() ? null : attempt;
    }

    private void completed(boolean pass, String cause) {
        inFlight = null;
        if (stopped) {
            return;
        }
        long requests = endpoint.requestsTotal();
        idleSinceLastResult = requests == requestsAtLastResult;
        requestsAtLastResult = requests;
        if (pass) {
            passed(cause);
        } else {
            failed(cause);
        }
        scheduleNext();
    }

    private void passed(String cause) {
        failures = 0;
        passes++;
        if (health == Health.UNKNOWN || health == Health.UNHEALTHY && passes >= settings.healthyThreshold()) {
            health = Health.HEALTHY;
            owner.reportHealthy(endpoint, cause);
        }
    }

    private void failed(String cause) {
        passes = 0;
        failures++;
        if (health == Health.UNKNOWN || health == Health.HEALTHY && failures >= settings.unhealthyThreshold()) {
            health = Health.UNHEALTHY;
            owner.reportUnhealthy(endpoint, cause);
        }
    }

    /**
     * Measured from the start of the previous check, so a check that ran into its timeout does not also wait a full
     * interval: a blackholed endpoint is then known after about {@code fall} timeouts. The slower no-traffic interval
     * applies only to an endpoint healthy and passing: one that is failing or unhealthy gets no traffic because of
     * that, and must be rechecked at the normal pace to come back quickly.
     */
    private void scheduleNext() {
        CheckSettings s = settings;
        boolean slow = s.noTrafficIntervalNanos() > 0 && idleSinceLastResult && health == Health.HEALTHY
                && failures == 0;
        long period = slow ? s.noTrafficIntervalNanos() : s.intervalNanos();
        scheduleIn(delayNanos(startedAt, owner.nanoTime(), period, owner.jitter(s.jitterNanos())));
    }

    static long delayNanos(long startedAt, long now, long periodNanos, long jitterNanos) {
        return Math.max(0, startedAt + periodNanos + jitterNanos - now);
    }

    private void scheduleIn(long delayNanos) {
        if (inFlight != null || next != null) {
            return;
        }
        owner.checkEnteredSchedule();
        try {
            next = loop.schedule(this::run, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            owner.checkLeftSchedule();
        }
    }

    private boolean cancelPending() {
        if (next != null && next.cancel(false)) {
            next = null;
            owner.checkLeftSchedule();
            return true;
        }
        return false;
    }

    private void post(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException ignored) {
            // The proxy shut its loops down first; their scheduled checks and connections went with them.
        }
    }
}
