package dev.meridian.routing.balance;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSlotTest {
    private final ClusterConfig config = cluster("c", endpoint("a", 1), endpoint("b", 1));
    private final Cluster cluster = table(config).cluster("c");
    private final ClusterSlot slot = cluster.eligibility();

    @Test
    void republishingSwapsTheSetPickersSee() {
        EndpointState a = cluster.endpoints().get(0);

        EligibleSet next = slot.republish(prev -> EligibleSet.of(List.of(a), cluster("c", config.endpoints().get(0)), 0));

        assertThat(slot.snapshot()).isSameAs(next);
        assertThat(next.members()).containsExactly(a);
    }

    @Test
    void republishingTheSameMembersKeepsTheCurrentInstance() {
        EligibleSet before = slot.snapshot();

        EligibleSet after = slot.republish(prev -> EligibleSet.of(cluster.endpoints(), config, 0));

        assertThat(after).isSameAs(before);
        assertThat(slot.snapshot()).isSameAs(before);
    }
}
