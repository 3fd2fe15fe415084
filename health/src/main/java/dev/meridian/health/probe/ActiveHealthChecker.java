package dev.meridian.health.probe;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.HealthCheckConfig;
import dev.meridian.health.ActiveCheckListener;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

/**
 * Active health checks of every endpoint whose cluster configures them, run on the proxy's own event loops with
 * their own connections: no thread per check, nothing blocks.
 *
 * <p>Threading: each endpoint's checks run on one event loop, chosen round-robin when the endpoint is first seen,
 * as a task that reschedules itself after each result (interval from the previous check's start, plus a random
 * jitter in {@code [0, jitter]}; the no-traffic interval while the endpoint is healthy and got no request). One check
 * is in flight per endpoint at a time. Rise/fall counters live on that loop. The listener is called on that loop, only
 * on transitions, and an endpoint's first result is always reported. {@link #start}, {@link #update} and
 * {@link #close} may be called from any thread but not concurrently with each other (the control thread, typically);
 * they post to the loops and return without waiting.
 *
 * <pre>{@code
 * var checker = new ActiveHealthChecker(workers, NioSocketChannel.class, listener, System::nanoTime);
 * checker.start(tableRef.current());
 * // on reload
 * checker.update(next);
 * // an ejected endpoint asks to come back
 * checker.probeOnce(endpoint, cluster.config(), ok -> ...);
 * }</pre>
 */
public final class ActiveHealthChecker implements AutoCloseable {
    /** Connect timeout of a one-shot probe to a cluster that configures no active check. */
    public static final Duration ONE_SHOT_TCP_TIMEOUT = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(ActiveHealthChecker.class.getName());

    private final EventLoopGroup group;
    private final ActiveCheckListener listener;
    private final LongSupplier nanoClock;
    private final LongUnaryOperator random;
    private final HttpProbe http;
    private final TcpProbe tcp;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger scheduledChecks = new AtomicInteger();
    /** Touched only by start/update/close, which the caller serializes; the loops never read it. */
    private final Map<EndpointState, EndpointCheck> checks = new IdentityHashMap<>();
    /** One-shot probes in flight, so close() can end them and answer their callers. */
    private final Set<OneShot> oneShots = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param group        the proxy's event loops; checks run on them
     * @param channelClass the socket channel matching {@code group} (epoll or NIO)
     * @param listener     told of transitions, on the endpoint's event loop
     * @param nanoClock    a monotonic clock, for scheduling from each check's start
     */
    public ActiveHealthChecker(EventLoopGroup group, Class<? extends SocketChannel> channelClass,
                               ActiveCheckListener listener, LongSupplier nanoClock) {
        this(group, channelClass, listener, nanoClock,
                bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /**
     * @param random given a bound above zero, a value in {@code [0, bound]}; called on the event loops
     */
    ActiveHealthChecker(EventLoopGroup group, Class<? extends SocketChannel> channelClass,
                        ActiveCheckListener listener, LongSupplier nanoClock, LongUnaryOperator random) {
        this.group = Objects.requireNonNull(group, "group");
        Objects.requireNonNull(channelClass, "channelClass");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.random = Objects.requireNonNull(random, "random");
        ProbeConnector connector = new ProbeConnector(channelClass, openConnections);
        this.http = new HttpProbe(connector);
        this.tcp = new TcpProbe(connector);
    }

    /** Starts checking every endpoint of every cluster of {@code table} that configures active checks. */
    public void start(RoutingTable table) {
        update(table);
    }

    /**
     * Moves to a new table: endpoints that persist (the same {@link EndpointState}) keep their schedule, counters and
     * health, and take the new settings from their next check on; new ones start; the others stop.
     */
    public void update(RoutingTable next) {
        Objects.requireNonNull(next, "next");
        if (closed) {
            throw new IllegalStateException("checker closed");
        }
        Map<EndpointState, CheckSettings> wanted = new IdentityHashMap<>();
        for (Cluster cluster : next.clusters()) {
            HealthCheckConfig hc = cluster.config().healthCheck();
            if (hc == null) {
                continue;
            }
            CheckSettings settings = CheckSettings.of(hc);
            for (EndpointState endpoint : cluster.endpoints()) {
                wanted.put(endpoint, settings);
            }
        }
        checks.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().stop();
            return true;
        });
        wanted.forEach((endpoint, settings) -> {
            EndpointCheck existing = checks.get(endpoint);
            if (existing != null) {
                existing.reconfigure(settings);
            } else {
                EndpointCheck check = new EndpointCheck(this, endpoint, group.next(), settings);
                checks.put(endpoint, check);
                check.start();
            }
        });
    }

    /**
     * Runs one probe now: the cluster's HTTP or TCP check when it configures one, else a TCP connect within
     * {@link #ONE_SHOT_TCP_TIMEOUT}. {@code result} is called once, on an event loop, with whether it passed; with
     * false at once when the checker is closed. Nothing is counted towards rise/fall and no listener is told.
     */
    public void probeOnce(EndpointState endpoint, ClusterConfig cluster, Consumer<Boolean> result) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(result, "result");
        HealthCheckConfig hc = cluster == null ? null : cluster.healthCheck();
        CheckSettings settings = hc == null ? CheckSettings.tcp(ONE_SHOT_TCP_TIMEOUT) : CheckSettings.of(hc);
        if (closed) {
            result.accept(Boolean.FALSE);
            return;
        }
        OneShot shot = new OneShot(group.next(), result);
        oneShots.add(shot);
        try {
            shot.loop.execute(() -> shot.run(endpoint, settings));
        } catch (RejectedExecutionException e) {
            shot.answer(false);
        }
        if (closed) {
            shot.cancel();
        }
    }

    /** Cancels every scheduled check and closes every probe connection, asynchronously on their loops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        checks.values().forEach(EndpointCheck::stop);
        checks.clear();
        oneShots.forEach(OneShot::cancel);
    }

    /** Endpoints being checked now. */
    int checkedEndpoints() {
        return checks.size();
    }

    /** Checks waiting for their time on a loop; zero once close() has been processed. */
    int scheduledChecks() {
        return scheduledChecks.get();
    }

    /** Probe connections not yet closed, scheduled checks and one-shots alike. */
    int openConnections() {
        return openConnections.get();
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    long jitter(long boundNanos) {
        return boundNanos <= 0 ? 0 : Math.max(0, Math.min(boundNanos, random.applyAsLong(boundNanos)));
    }

    Probe probeFor(CheckSettings settings) {
        return settings.type() == HealthCheckConfig.Type.TCP ? tcp : http;
    }

    void checkEnteredSchedule() {
        scheduledChecks.incrementAndGet();
    }

    void checkLeftSchedule() {
        scheduledChecks.decrementAndGet();
    }

    void reportHealthy(EndpointState endpoint, String cause) {
        try {
            listener.checkedHealthy(endpoint, cause);
        } catch (RuntimeException e) {
            // A listener bug must not end this endpoint's checks: the task reschedules after this call.
            LOG.log(System.Logger.Level.ERROR, "health listener failed on " + endpoint.id(), e);
        }
    }

    void reportUnhealthy(EndpointState endpoint, String cause) {
        try {
            listener.checkedUnhealthy(endpoint, cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "health listener failed on " + endpoint.id(), e);
        }
    }

    /** One probeOnce call: answers exactly once, whether the probe ends, fails to start or the checker closes. */
    private final class OneShot {
        private final EventLoop loop;
        private final Consumer<Boolean> result;
        /** Loop-confined. */
        private ProbeAttempt attempt;
        private boolean answered;

        OneShot(EventLoop loop, Consumer<Boolean> result) {
            this.loop = loop;
            this.result = result;
        }

        void run(EndpointState endpoint, CheckSettings settings) {
            if (answered) {
                return;
            }
            attempt = probeFor(settings).start(loop, endpoint, settings, (pass, cause) -> answer(pass));
        }

        void cancel() {
            try {
                loop.execute(() -> {
                    if (attempt != null) {
                        attempt.abort();
                    }
                    answer(false);
                });
            } catch (RejectedExecutionException e) {
                answer(false);
            }
        }

        private void answer(boolean pass) {
            if (answered) {
                return;
            }
            answered = true;
            oneShots.remove(this);
            try {
                result.accept(pass);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "probeOnce callback failed", e);
            }
        }
    }
}
