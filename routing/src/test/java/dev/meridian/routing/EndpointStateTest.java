package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointStateTest {
    private final EndpointState state = table(cluster("c", endpoint("a", 1))).endpoint("a");

    @Test
    void countsRequestsInFlightAndInTotal() {
        state.requestStarted();
        state.requestStarted();
        state.requestEnded();

        assertThat(state.inFlight()).isEqualTo(1);
        assertThat(state.requestsTotal()).isEqualTo(2);
    }

    @Test
    void carriesItsIdAndConfig() {
        assertThat(state.id()).isEqualTo("a");
        assertThat(state.config().weight()).isEqualTo(1);
        assertThat(state).hasToString("EndpointState[a 127.0.0.1:8080, inFlight=0, HEALTHY]");
    }
}
