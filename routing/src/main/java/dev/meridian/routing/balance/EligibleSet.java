package dev.meridian.routing.balance;

import dev.meridian.config.EndpointConfig;
import dev.meridian.routing.EndpointState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The endpoints of a cluster that take traffic now, with their weighted table: immutable, rebuilt only when
 * membership changes and published through a {@link ClusterSlot}. Only the lowest priority level that has an
 * endpoint of weight above 0 is eligible; lower levels (higher numbers) wait as standby.
 */
public final class EligibleSet {
    /** No endpoint can take traffic. */
    public static final EligibleSet EMPTY = new EligibleSet(-1, new int[0], WeightedTable.of(List.of(), new int[0]));

    private final int priority;
    private final int[] weights;
    private final WeightedTable<EndpointState> table;

    private EligibleSet(int priority, int[] weights, WeightedTable<EndpointState> table) {
        this.priority = priority;
        this.weights = weights;
        this.table = table;
    }

    /**
     * The eligible set of a cluster's endpoints.
     *
     * @param states  the cluster's endpoint states
     * @param configs their configs, index for index (the table being built may carry newer configs than the states)
     */
    public static EligibleSet of(List<EndpointState> states, List<EndpointConfig> configs) {
        if (states.size() != configs.size()) {
            throw new IllegalArgumentException("configs: " + configs.size() + " (expected: " + states.size() + ")");
        }
        int level = Integer.MAX_VALUE;
        for (EndpointConfig c : configs) {
            if (c.weight() > 0) {
                level = Math.min(level, c.priority());
            }
        }
        if (level == Integer.MAX_VALUE) {
            return EMPTY;
        }
        List<EndpointState> members = new ArrayList<>();
        int[] buffer = new int[configs.size()];
        for (int i = 0; i < configs.size(); i++) {
            EndpointConfig c = configs.get(i);
            if (c.priority() == level && c.weight() > 0) {
                buffer[members.size()] = c.weight();
                members.add(states.get(i));
            }
        }
        int[] memberWeights = Arrays.copyOf(buffer, members.size());
        return new EligibleSet(level, memberWeights, WeightedTable.of(members, memberWeights));
    }

    /** The priority level in use, or -1 when empty. */
    public int priority() {
        return priority;
    }

    /** The eligible endpoints, each with weight above 0. */
    public List<EndpointState> members() {
        return table.entries();
    }

    /** Whether no endpoint can take traffic. */
    public boolean isEmpty() {
        return table.isEmpty();
    }

    /** The endpoint for this ticket of the caller's per-loop cursor, or null when empty. */
    public EndpointState pick(long ticket) {
        return table.pick(ticket);
    }

    /** Whether publishing {@code other} instead of this would change no pick. */
    public boolean sameMembersAs(EligibleSet other) {
        if (priority != other.priority || !Arrays.equals(weights, other.weights)) {
            return false;
        }
        List<EndpointState> mine = members();
        List<EndpointState> theirs = other.members();
        for (int i = 0; i < mine.size(); i++) {
            if (mine.get(i) != theirs.get(i)) {
                return false;
            }
        }
        return true;
    }
}
