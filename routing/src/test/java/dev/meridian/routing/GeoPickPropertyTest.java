package dev.meridian.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.GeoPolicyConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.RegionConfig;
import dev.meridian.routing.geo.ClientLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Random regions, clients, biases and failures: geo always picks from a region at the least (biased) distance among
 * those with an endpoint that takes traffic.
 */
class GeoPickPropertyTest {

    @Property(tries = 500)
    void geoAlwaysPicksFromANearestEligibleRegion(
            @ForAll @IntRange(min = 1, max = 8) int regionCount,
            @ForAll @DoubleRange(min = -90, max = 90) double clientLatitude,
            @ForAll @DoubleRange(min = -180, max = 180) double clientLongitude,
            @ForAll boolean biased,
            @ForAll Policy within,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<RegionConfig> regions = new ArrayList<>();
        Map<String, Integer> bias = new HashMap<>();
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (int r = 0; r < regionCount; r++) {
            RegionConfig region = new RegionConfig("r" + r, "J" + r, random.nextDouble(-90, 90),
                    random.nextDouble(-180, 180));
            regions.add(region);
            if (biased && random.nextBoolean()) {
                bias.put(region.name(), random.nextInt(-99, 100));
            }
            for (int e = 1 + random.nextInt(3); e > 0; e--) {
                endpoints.add(GeoFixtures.endpoint(region.name() + "-" + e, region, 1 + random.nextInt(5),
                        random.nextInt(2), 0, 0));
            }
        }
        GeoPolicyConfig geo = new GeoPolicyConfig(within == Policy.GEO ? Policy.WEIGHTED : within, 0, bias);
        Cluster c = GeoFixtures.built(regions, GeoFixtures.geo(geo, endpoints.toArray(new EndpointConfig[0])));
        for (EndpointState e : c.endpoints()) {
            switch (random.nextInt(4)) {
                case 0 -> e.health().eject();
                case 1 -> e.health().adminState(random.nextBoolean() ? AdminState.DRAINING : AdminState.MAINTENANCE);
                default -> { }
            }
        }
        c.republish(0);
        ClientLocation client = new ClientLocation(null, null, clientLatitude, clientLongitude);
        Map<String, Double> biasedKm = new HashMap<>();
        for (RegionConfig r : regions) {
            biasedKm.put(r.name(), client.distanceKm(r.latitude(), r.longitude()) * (1 - geo.biasOf(r.name()) / 100.0));
        }
        double nearestEligible = c.endpoints().stream().filter(e -> e.status().takesTraffic())
                .mapToDouble(e -> biasedKm.get(e.config().region())).min().orElse(Double.NaN);
        PickContext ctx = new PickContext(new SplittableRandom(seed), () -> 0L).location(client);

        for (int i = 0; i < 20; i++) {
            EndpointState picked = c.pick(ctx);
            if (Double.isNaN(nearestEligible)) {
                // Nothing takes traffic anywhere: panic in some region, or nothing at all.
                continue;
            }
            assertThat(picked).isNotNull();
            // Inside the region the usual panic applies: below the threshold it routes over all admitted members.
            boolean panicking = c.eligibility().snapshot().levels().stream()
                    .anyMatch(l -> l.panic() && l.members().contains(picked));
            assertThat(picked.status().takesTraffic() || panicking).as("%s", picked).isTrue();
            assertThat(picked.status()).isNotIn(EndpointStatus.DRAINING, EndpointStatus.MAINTENANCE);
            assertThat(biasedKm.get(picked.config().region())).as("%s from %s in %s", picked, client, c.eligibility()
                    .snapshot()).isLessThanOrEqualTo(nearestEligible * (1 + 1e-9) + 1e-6);
        }
    }

}
