package dev.meridian.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.routing.EndpointStatus;
import org.junit.jupiter.api.Test;

class HealthLogTest {

    @Test
    void keepsTheNewestEventsOldestFirst() {
        HealthLog log = new HealthLog(3);
        for (int i = 0; i < 5; i++) {
            log.record(event(i));
        }

        assertThat(log.snapshot()).extracting(HealthEvent::timeMillis).containsExactly(2L, 3L, 4L);
        assertThat(log.total()).isEqualTo(5);
    }

    @Test
    void aSnapshotIsACopy() {
        HealthLog log = new HealthLog(3);
        log.record(event(1));
        var snapshot = log.snapshot();

        log.record(event(2));

        assertThat(snapshot).hasSize(1);
    }

    @Test
    void refusesAnEmptyRing() {
        assertThatThrownBy(() -> new HealthLog(0)).hasMessage("capacity: 0 (expected: > 0)");
    }

    @Test
    void rendersOneJsonLineWithTheDetectionTimeOnlyForEjections() {
        HealthEvent ejected = new HealthEvent(1_700_000_000_123L, "a", "api", EndpointStatus.HEALTHY,
                EndpointStatus.EJECTED, "said \"no\"\n", 12_345_678L);
        HealthEvent back = new HealthEvent(5L, "a", "api", EndpointStatus.EJECTED, EndpointStatus.HEALTHY, "probe",
                -1);

        assertThat(ejected.toJson()).isEqualTo("{\"time\":1700000000123,\"endpoint\":\"a\",\"cluster\":\"api\","
                + "\"from\":\"HEALTHY\",\"to\":\"EJECTED\",\"cause\":\"said \\\"no\\\"\\u000a\","
                + "\"detectionMicros\":12345}");
        assertThat(back.toJson()).doesNotContain("detection").doesNotContain("\n");
    }

    private static HealthEvent event(long time) {
        return new HealthEvent(time, "e" + time, "c", EndpointStatus.HEALTHY, EndpointStatus.UNHEALTHY, "test", -1);
    }
}
