package dev.meridian.health.failover;

import dev.meridian.config.FailoverConfig;
import dev.meridian.config.FailoverStrategy;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.TrafficShift;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One failover shift's state machine. Each step sets the endpoints' {@link TrafficShift} and republishes the cluster;
 * a step larger than the rate limit allows is split into increments {@link #RATE_TICK_NANOS} apart; each step is then
 * held under guard. Timers cannot be cancelled, so each carries the generation it was armed in and does nothing once
 * a pause, resume or end has moved the generation on. Control thread only, except {@link #view()}.
 */
final class Shift {
    /** Increments of a rate-limited step are this far apart: smooth enough for a target, few enough to list. */
    static final long RATE_TICK_NANOS = 250_000_000L;
    /** How often the guard looks at the target. */
    static final long GUARD_TICK_NANOS = 100_000_000L;

    private final int id;
    private final String cluster;
    private final FailoverConfig config;
    private final String cause;
    private final List<EndpointState> sources;
    private final List<EndpointState> targets;
    private final List<Double> plan;
    private final FailoverController.Env env;
    private final TargetGuard guard;
    private final long startedNanos;
    private final long startedMillis;
    private final List<ShiftStep> steps = new ArrayList<>();

    private ShiftState state = ShiftState.RUNNING;
    private double percent;
    private int nextStep;
    private boolean holding;
    private long generation;
    private long endedMillis;
    private String endReason;
    private volatile ShiftView view;

    Shift(int id, String cluster, FailoverConfig config, String cause, List<EndpointState> sources,
          List<EndpointState> targets, FailoverController.Env env) {
        this.id = id;
        this.cluster = cluster;
        this.config = config;
        this.cause = cause;
        this.sources = List.copyOf(sources);
        this.targets = List.copyOf(targets);
        this.env = env;
        this.plan = plan(config, sources.size());
        this.startedNanos = env.clock().nanoTime();
        this.startedMillis = env.clock().currentTimeMillis();
        this.guard = new TargetGuard(config.guard(), this.targets, startedNanos);
        publishView();
    }

    /** The percents to stop at: the configured steps, or for rolling one per source endpoint. */
    static List<Double> plan(FailoverConfig config, int sourceCount) {
        List<Double> out = new ArrayList<>();
        if (config.strategy() == FailoverStrategy.ROLLING) {
            for (int k = 1; k <= sourceCount; k++) {
                out.add(100.0 * k / sourceCount);
            }
        } else {
            config.steps().forEach(s -> out.add((double) s));
        }
        return out;
    }

    int id() {
        return id;
    }

    String cluster() {
        return cluster;
    }

    ShiftState state() {
        return state;
    }

    ShiftView view() {
        return view;
    }

    String describe() {
        return view.describe();
    }

    void start() {
        markTargets();
        steps.add(step(0, "started: " + cause));
        env.event(this, "started by " + cause + ", plan " + plan + " %");
        long gen = generation;
        env.control().schedule(() -> guardTick(gen), GUARD_TICK_NANOS);
        advance(gen);
    }

    private void advance(long gen) {
        if (gen != generation || state != ShiftState.RUNNING) {
            return;
        }
        double goal = plan.get(nextStep);
        double rate = config.maxShiftRate();
        double next = rate > 0 ? Math.min(goal, percent + rate * RATE_TICK_NANOS / 1e9) : goal;
        apply(next, next < goal ? "rate limit: toward step " + (nextStep + 1) + " of " + plan.size()
                : "step " + (nextStep + 1) + " of " + plan.size());
        if (next < goal) {
            env.control().schedule(() -> advance(gen), RATE_TICK_NANOS);
            return;
        }
        nextStep++;
        holding = true;
        env.control().schedule(() -> holdEnded(gen), config.hold().toNanos());
    }

    private void holdEnded(long gen) {
        if (gen != generation || state != ShiftState.RUNNING) {
            return;
        }
        holding = false;
        if (nextStep < plan.size()) {
            advance(gen);
            return;
        }
        state = ShiftState.COMPLETED;
        generation++;
        end("completed: all of the source's traffic moved; abort to move it back");
    }

    private void guardTick(long startGen) {
        if (!state.guarded()) {
            return;
        }
        String tripped = guard.check(env.clock().nanoTime());
        if (tripped != null) {
            rollBack(ShiftState.ROLLED_BACK, "rolled back by its guard at " + format(percent) + "%: " + tripped);
            return;
        }
        env.control().schedule(() -> guardTick(startGen), GUARD_TICK_NANOS);
    }

    /** Holds the current percent; the guard keeps watching. */
    void pause() {
        if (state != ShiftState.RUNNING) {
            throw new IllegalStateException(describe() + " is " + state.name().toLowerCase(Locale.ROOT) + ", not running");
        }
        state = ShiftState.PAUSED;
        generation++;
        steps.add(step(percent, "paused"));
        publishView();
    }

    /** Goes on from where it paused: the step under way, or a full hold again when it paused in one. */
    void resume() {
        if (state != ShiftState.PAUSED) {
            throw new IllegalStateException(describe() + " is " + state.name().toLowerCase(Locale.ROOT) + ", not paused");
        }
        state = ShiftState.RUNNING;
        long gen = ++generation;
        steps.add(step(percent, "resumed"));
        publishView();
        if (holding) {
            env.control().schedule(() -> holdEnded(gen), config.hold().toNanos());
        } else {
            advance(gen);
        }
    }

    /** Moves all traffic back at once: an operator's abort, or the flip back of a blue-green or completed shift. */
    void abort(String by) {
        if (!state.holdsTraffic()) {
            throw new IllegalStateException(describe() + " already ended: " + endReason);
        }
        rollBack(ShiftState.ABORTED, "aborted by " + by + " at " + format(percent) + "%");
    }

    private void rollBack(ShiftState to, String reason) {
        state = to;
        generation++;
        apply(0, reason);
        for (EndpointState e : sources) {
            e.health().shift(null);
        }
        for (EndpointState e : targets) {
            e.health().shift(null);
        }
        env.republish(cluster);
        end(reason);
    }

    private void end(String reason) {
        endReason = reason;
        endedMillis = env.clock().currentTimeMillis();
        publishView();
        env.event(this, reason);
    }

    /** Sets every source's fraction for {@code next} percent and republishes. */
    private void apply(double next, String note) {
        percent = next;
        boolean rolling = config.strategy() == FailoverStrategy.ROLLING;
        int n = sources.size();
        for (int i = 0; i < n; i++) {
            double fraction = rolling ? clamp(next / 100 * n - i) : next / 100;
            sources.get(i).health().shift(TrafficShift.source(fraction));
        }
        env.republish(cluster);
        steps.add(step(next, note));
        publishView();
    }

    private void markTargets() {
        for (EndpointState e : targets) {
            e.health().shift(TrafficShift.TARGET);
        }
    }

    private ShiftStep step(double p, String note) {
        return new ShiftStep(p, env.clock().currentTimeMillis(),
                (env.clock().nanoTime() - startedNanos) / 1_000_000, note);
    }

    private void publishView() {
        view = new ShiftView(id, cluster, config, ids(sources), ids(targets), plan, state, percent, steps, cause,
                startedMillis, endedMillis, endReason, guard == null ? 0 : guard.baselineErrorPercent(),
                guard == null ? 0 : guard.baselineP99Nanos() / 1e6);
    }

    private static List<String> ids(List<EndpointState> states) {
        return states.stream().map(EndpointState::id).toList();
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    static String format(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.1f", p);
    }
}
