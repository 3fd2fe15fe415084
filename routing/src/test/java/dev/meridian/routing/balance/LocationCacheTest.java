package dev.meridian.routing.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.routing.geo.ClientLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocationCacheTest {
    private final AtomicInteger computed = new AtomicInteger();
    private final LocationCache cache = new LocationCache(l -> {
        computed.incrementAndGet();
        return new LocationCache.Entry(l, new double[] {l.latitude()}, new int[0]);
    });

    @Test
    void aLocationSeenBeforeIsNotComputedAgain() {
        List<ClientLocation> places = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            places.add(new ClientLocation(null, null, i, i));
        }
        for (int round = 0; round < 3; round++) {
            for (ClientLocation l : places) {
                assertThat(cache.get(l).km()[0]).isEqualTo(l.latitude());
            }
        }

        // Four probes over 256 slots: 32 places fit, barring a very unlucky identity hash.
        assertThat(computed.get()).isLessThan(48);
    }

    @Test
    void anEqualButDistinctInstanceIsAnotherKey() {
        ClientLocation a = new ClientLocation("FR", "EU", 48.85, 2.35);
        ClientLocation b = new ClientLocation("FR", "EU", 48.85, 2.35);

        assertThat(cache.get(a).location()).isSameAs(a);
        assertThat(cache.get(b).location()).isSameAs(b);
        assertThat(cache.get(a).location()).isSameAs(a);
    }

    @Test
    void manyMorePlacesThanSlotsStillGetTheirOwnFigures() {
        for (int i = 0; i < 2_000; i++) {
            ClientLocation l = new ClientLocation(null, null, i % 90, 0);
            assertThat(cache.get(l).km()[0]).isEqualTo(l.latitude());
        }
    }
}
