package dev.meridian.health.failover;

import dev.meridian.config.FailoverConfig;
import java.util.List;

/**
 * A failover shift as the admin port lists it ({@code GET /failovers}): immutable, rebuilt on each change.
 *
 * @param id              unique while the process runs
 * @param cluster         the cluster whose traffic moves
 * @param config          what was asked: sides, strategy, steps, hold, guard, rate
 * @param sources         the source endpoints' ids, in config order (the order rolling follows)
 * @param targets         the target endpoints' ids
 * @param plan            the percents it stops at, each held under guard; for rolling one per source endpoint
 * @param percent         of the source's traffic moved now
 * @param steps           every change applied so far, with its time
 * @param cause           who or what started it
 * @param endReason       why it ended (completed, rolled back with the guard's figures, aborted); null while on
 * @param baselineErrorPercent the target's error rate when the shift started
 * @param baselineP99Millis    the target's p99 when the shift started; 0 when not yet measured
 */
public record ShiftView(int id, String cluster, FailoverConfig config, List<String> sources, List<String> targets,
                        List<Double> plan, ShiftState state, double percent, List<ShiftStep> steps, String cause,
                        long startedMillis, long endedMillis, String endReason, double baselineErrorPercent,
                        double baselineP99Millis) {
    public ShiftView {
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
        plan = List.copyOf(plan);
        steps = List.copyOf(steps);
    }

    /** "failover 3 (gradual region us-east -> region eu-west)": how events name it. */
    public String describe() {
        return "failover " + id + " (" + config.strategy().yamlName() + " " + config.from() + " -> " + config.to()
                + ")";
    }
}
