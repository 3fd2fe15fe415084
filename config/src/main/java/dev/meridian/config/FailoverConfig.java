package dev.meridian.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A failover shift: moving traffic from one part of a cluster to another, step by step, under a guard that rolls it
 * back by itself. Declared in a cluster's {@code failover} list (then started by its trigger) or sent to the admin
 * port (then {@code trigger} is null).
 *
 * @param steps        percents of the source's traffic, rising, ending at 100; for rolling, empty (one step per
 *                     source endpoint)
 * @param hold         how long each step is held, under guard, before the next; also after the last step
 * @param maxShiftRate at most this many percent of the source's traffic moved per second (steps are split to keep
 *                     to it); 0: no limit
 * @param trigger      the region status that starts a declared shift; null for one started by hand
 */
public record FailoverConfig(TrafficSelector from, TrafficSelector to, FailoverStrategy strategy, List<Integer> steps,
                             Duration hold, FailoverGuard guard, double maxShiftRate, FailoverTrigger trigger) {
    public static final Duration DEFAULT_HOLD = Duration.ofSeconds(30);

    public FailoverConfig {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(strategy, "strategy");
        steps = steps == null ? strategy.defaultSteps() : List.copyOf(steps);
        hold = hold == null ? DEFAULT_HOLD : hold;
        guard = guard == null ? FailoverGuard.DEFAULT : guard;
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold: " + hold + " (expected: >= 0)");
        }
        if (!(maxShiftRate >= 0)) {
            throw new IllegalArgumentException("maxShiftRate: " + maxShiftRate + " (expected: >= 0)");
        }
        int previous = 0;
        for (int s : steps) {
            if (s <= previous || s > 100) {
                throw new IllegalArgumentException("steps: " + steps + " (expected: rising percents, 1..100)");
            }
            previous = s;
        }
        if (strategy != FailoverStrategy.ROLLING && previous != 100) {
            throw new IllegalArgumentException("steps: " + steps + " (expected: ending at 100)");
        }
    }

    /** A shift with the strategy's default steps and the default hold and guard, started by hand. */
    public static FailoverConfig of(TrafficSelector from, TrafficSelector to, FailoverStrategy strategy) {
        return new FailoverConfig(from, to, strategy, null, null, null, 0, null);
    }

    public FailoverConfig withSteps(List<Integer> value) {
        return new FailoverConfig(from, to, strategy, value, hold, guard, maxShiftRate, trigger);
    }

    public FailoverConfig withHold(Duration value) {
        return new FailoverConfig(from, to, strategy, steps, value, guard, maxShiftRate, trigger);
    }

    public FailoverConfig withGuard(FailoverGuard value) {
        return new FailoverConfig(from, to, strategy, steps, hold, value, maxShiftRate, trigger);
    }

    public FailoverConfig withMaxShiftRate(double percentPerSecond) {
        return new FailoverConfig(from, to, strategy, steps, hold, guard, percentPerSecond, trigger);
    }

    public FailoverConfig withTrigger(FailoverTrigger value) {
        return new FailoverConfig(from, to, strategy, steps, hold, guard, maxShiftRate, value);
    }
}
