package dev.meridian.health.failover;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.FailoverConfig;
import dev.meridian.config.FailoverTrigger;
import dev.meridian.config.Policy;
import dev.meridian.config.TrafficSelector;
import dev.meridian.health.CapacityHealth;
import dev.meridian.health.CapacityStatus;
import dev.meridian.health.ControlThread;
import dev.meridian.health.HealthEvent;
import dev.meridian.health.NanoClock;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTableRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Failover shifts: started from the admin port ({@link #start}) or by a cluster's declared {@code failover} list when
 * the source region's status falls to its trigger; paused, resumed, aborted; listed with their steps. At most one
 * shift holds traffic in a cluster at a time. Every decision runs on the health control thread; the public methods
 * may be called from any other thread (the admin port's) and wait for the control thread's answer.
 *
 * <p>How a percent becomes routing: the source endpoints carry {@code TrafficShift.source(p / 100)} and the targets
 * {@code TrafficShift.TARGET}; each republish of the cluster then moves that share of the sources' picks to the
 * targets, across priority levels when they differ (see {@code ShiftedLoad} in the routing module). Status, health
 * and region roll-ups ignore shifts, so a shift never makes its own source look failed.
 *
 * <pre>{@code
 * FailoverController failovers = health.failovers();
 * ShiftView s = failovers.start("api", FailoverConfig.of(TrafficSelector.region("us-east"),
 *         TrafficSelector.region("eu-west"), FailoverStrategy.CANARY).withHold(Duration.ofSeconds(60)), "admin");
 * failovers.abort(s.id(), "admin");   // everything back at once
 * }</pre>
 */
public final class FailoverController {
    /** How often declared triggers look at region status. */
    static final long TRIGGER_TICK_NANOS = 500_000_000L;
    /** Ended shifts kept for listing. */
    static final int KEEP_ENDED = 100;
    private static final long ANSWER_TIMEOUT_SECONDS = 10;

    private final RoutingTableRef ref;
    private final Env env;
    private final Supplier<List<CapacityHealth>> regionHealth;
    private final Consumer<HealthEvent> events;
    private final List<Shift> shifts = new CopyOnWriteArrayList<>();
    /** Whether each declared failover's trigger held at the last look, by cluster name and index. */
    private final Map<String, boolean[]> triggered = new HashMap<>();
    private int nextId = 1;
    private long nextTriggerCheck = Long.MIN_VALUE;

    /** What a shift needs from its surroundings. */
    interface Env {
        ControlThread control();

        NanoClock clock();

        void republish(String cluster);

        void event(Shift shift, String cause);
    }

    /**
     * @param events       where failover events go (the health log)
     * @param regionHealth each region's status now, for declared triggers
     */
    public FailoverController(RoutingTableRef ref, ControlThread control, NanoClock clock,
                              Consumer<HealthEvent> events, Supplier<List<CapacityHealth>> regionHealth) {
        this.ref = Objects.requireNonNull(ref, "ref");
        this.regionHealth = Objects.requireNonNull(regionHealth, "regionHealth");
        this.events = Objects.requireNonNull(events, "events");
        this.env = new Env() {
            @Override
            public ControlThread control() {
                return control;
            }

            @Override
            public NanoClock clock() {
                return clock;
            }

            @Override
            public void republish(String cluster) {
                Cluster c = ref.current().cluster(cluster);
                if (c != null) {
                    c.republish(clock.nanoTime());
                }
            }

            @Override
            public void event(Shift shift, String cause) {
                events.accept(HealthEvent.failover(clock.currentTimeMillis(), "failover " + shift.id(),
                        shift.cluster(), shift.describe() + " " + cause));
            }
        };
    }

    /**
     * Starts a shift in {@code cluster}. Any thread but the control thread.
     *
     * @param cause who asks, for the listing and the events ("admin from 10.0.0.5")
     * @throws IllegalArgumentException when the cluster or a side names nothing, or the sides overlap
     * @throws IllegalStateException    when the cluster already has a shift holding traffic
     */
    public ShiftView start(String cluster, FailoverConfig config, String cause) {
        return onControl(() -> startNow(cluster, config, cause).view());
    }

    /** Holds a running shift at its current percent; the guard keeps watching. */
    public ShiftView pause(int id) {
        return onControl(() -> {
            Shift s = shift(id);
            s.pause();
            return s.view();
        });
    }

    /** Goes on with a paused shift. */
    public ShiftView resume(int id) {
        return onControl(() -> {
            Shift s = shift(id);
            s.resume();
            return s.view();
        });
    }

    /** Rolls a shift back to 0 % at once, running, paused or completed (a blue-green flip back). */
    public ShiftView abort(int id, String by) {
        return onControl(() -> {
            Shift s = shift(id);
            s.abort(by);
            return s.view();
        });
    }

    /** Every shift kept, oldest first: those holding traffic and the last {@value #KEEP_ENDED} ended. Any thread. */
    public List<ShiftView> list() {
        return shifts.stream().map(Shift::view).toList();
    }

    /** The shift of that id, or null. Any thread. */
    public ShiftView get(int id) {
        for (Shift s : shifts) {
            if (s.id() == id) {
                return s.view();
            }
        }
        return null;
    }

    /**
     * Starts the declared failovers whose source region's status just fell to their trigger. Called on the control
     * thread's periodic tick; looks only every {@link #TRIGGER_TICK_NANOS}. A failover starts once per fall: the
     * region must recover above its trigger before it can start it again.
     */
    public void checkTriggers() {
        long now = env.clock().nanoTime();
        if (now - nextTriggerCheck < 0 && nextTriggerCheck != Long.MIN_VALUE) {
            return;
        }
        nextTriggerCheck = now + TRIGGER_TICK_NANOS;
        List<Cluster> declaring = ref.current().clusters().stream()
                .filter(c -> !c.config().failover().isEmpty()).toList();
        if (declaring.isEmpty()) {
            triggered.clear();
            return;
        }
        Map<String, CapacityStatus> regions = new HashMap<>();
        regionHealth.get().forEach(h -> regions.put(h.name(), h.status()));
        Map<String, boolean[]> seen = new HashMap<>();
        for (Cluster c : declaring) {
            List<FailoverConfig> declared = c.config().failover();
            boolean[] before = triggered.get(c.name());
            boolean[] fallen = new boolean[declared.size()];
            for (int i = 0; i < declared.size(); i++) {
                FailoverConfig f = declared.get(i);
                fallen[i] = fallen(regions.get(f.from().region()), f.trigger());
                boolean was = before != null && i < before.length && before[i];
                if (fallen[i] && !was) {
                    triggeredStart(c, f);
                }
            }
            seen.put(c.name(), fallen);
        }
        triggered.clear();
        triggered.putAll(seen);
    }

    private void triggeredStart(Cluster c, FailoverConfig f) {
        String cause = "trigger: region " + f.from().region() + " " + f.trigger().yamlName();
        try {
            startNow(c.name(), f, cause);
        } catch (RuntimeException refused) {
            // Most likely another shift already holds the cluster: the operator needs to know this one did not run.
            events.accept(HealthEvent.failover(env.clock().currentTimeMillis(), "failover", c.name(),
                    "declared " + f.strategy().yamlName() + " " + f.from() + " -> " + f.to() + " not started ("
                            + cause + "): " + refused.getMessage()));
        }
    }

    private static boolean fallen(CapacityStatus status, FailoverTrigger trigger) {
        if (status == null) {
            return false;
        }
        return status == CapacityStatus.FAILED || trigger == FailoverTrigger.CRITICAL && status == CapacityStatus.CRITICAL;
    }

    private Shift startNow(String clusterName, FailoverConfig config, String cause) {
        Objects.requireNonNull(config, "config");
        Cluster cluster = ref.current().cluster(clusterName);
        if (cluster == null) {
            throw new IllegalArgumentException("no cluster named '" + clusterName + "'; clusters: "
                    + ref.current().clusters().stream().map(Cluster::name).toList());
        }
        if (cluster.config().policy() == Policy.GEO) {
            throw new IllegalArgumentException("cluster '" + clusterName + "' is a geo cluster; failover shifts do not"
                    + " apply to geo clusters yet (its geo spill already moves a failed region's clients)");
        }
        for (Shift s : shifts) {
            if (s.cluster().equals(clusterName) && s.state().holdsTraffic()) {
                throw new IllegalStateException("cluster '" + clusterName + "' already has " + s.describe() + ", "
                        + s.state().name().toLowerCase(Locale.ROOT) + "; abort it first");
            }
        }
        List<EndpointState> sources = select(cluster, config.from(), "from");
        List<EndpointState> targets = select(cluster, config.to(), "to");
        List<String> both = sources.stream().filter(targets::contains).map(EndpointState::id).toList();
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("'from' (" + config.from() + ") and 'to' (" + config.to()
                    + ") share endpoints " + both + "; a shift moves traffic between two disjoint sets");
        }
        if (targets.stream().allMatch(e -> e.config().weight() == 0)) {
            throw new IllegalArgumentException("'to' (" + config.to() + ") has only endpoints of weight 0: nothing "
                    + "could take the traffic");
        }
        Shift shift = new Shift(nextId++, clusterName, config, cause, sources, targets, env);
        shifts.add(shift);
        forgetOldEnded();
        shift.start();
        return shift;
    }

    private static List<EndpointState> select(Cluster cluster, TrafficSelector side, String key) {
        List<EndpointConfig> configs = cluster.config().endpoints();
        List<EndpointState> out = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            if (side.selects(configs.get(i))) {
                out.add(cluster.endpoints().get(i));
            }
        }
        if (side.kind() == TrafficSelector.Kind.ENDPOINTS && out.size() != side.endpoints().size()) {
            List<String> found = out.stream().map(EndpointState::id).toList();
            List<String> missing = side.endpoints().stream().filter(id -> !found.contains(id)).toList();
            throw new IllegalArgumentException("'" + key + "' names endpoints " + missing + " that cluster '"
                    + cluster.name() + "' does not have; its endpoints: " + ids(cluster.config()));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("'" + key + "' (" + side + ") names no endpoint of cluster '"
                    + cluster.name() + "'; its endpoints: " + ids(cluster.config()));
        }
        return out;
    }

    private static List<String> ids(ClusterConfig c) {
        return c.endpoints().stream().map(e -> e.id() + " (" + e.region() + ", priority " + e.priority() + ")")
                .toList();
    }

    private Shift shift(int id) {
        for (Shift s : shifts) {
            if (s.id() == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("no failover " + id + "; failovers: "
                + shifts.stream().map(Shift::id).toList());
    }

    private void forgetOldEnded() {
        long ended = shifts.stream().filter(s -> !s.state().holdsTraffic()).count();
        for (Shift s : shifts) {
            if (ended <= KEEP_ENDED) {
                break;
            }
            if (!s.state().holdsTraffic()) {
                shifts.remove(s);
                ended--;
            }
        }
    }

    /** Runs {@code task} on the control thread and hands back its answer or its exception. */
    private <T> T onControl(Supplier<T> task) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        env.control().execute(() -> {
            try {
                answer.complete(task.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the health control thread did not answer within "
                    + ANSWER_TIMEOUT_SECONDS + "s (is the proxy shutting down?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the health control thread", e);
        }
    }
}
