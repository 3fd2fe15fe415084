package dev.meridian.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorRateRecorderTest {
    private final List<String> told = new ArrayList<>();
    private final OutcomeSink next = new OutcomeSink() {
        @Override
        public void connectFailed(EndpointState endpoint, boolean timedOut) {
            told.add("connect " + endpoint.id());
        }

        @Override
        public void failedBeforeResponse(EndpointState endpoint) {
            told.add("reset " + endpoint.id());
        }

        @Override
        public void responded(EndpointState endpoint, int status, long headerLatencyNanos) {
            told.add(status + " " + endpoint.id());
        }
    };

    @Test
    void gatewayFailuresAnd5xxCountAsErrorsAndEveryOutcomeIsPassedOn() {
        RoutingTable t = Fixtures.table(Fixtures.cluster("c", Fixtures.endpoint("a", 1), Fixtures.endpoint("b", 1)));
        EndpointState a = t.cluster("c").endpoints().get(0);
        EndpointState b = t.cluster("c").endpoints().get(1);
        OutcomeSink sink = ErrorRateRecorder.before(next, () -> 0L);

        sink.responded(a, 200, 1);
        sink.responded(a, 404, 1);
        sink.connectFailed(b, false);
        sink.failedBeforeResponse(b);
        sink.responded(b, 503, 1);

        assertThat(a.errorRate().percentAt(0)).isZero();
        assertThat(b.errorRate().percentAt(0)).isCloseTo(75, within(0.01));
        assertThat(told).containsExactly("200 a", "404 a", "connect b", "reset b", "503 b");
    }
}
