package dev.meridian.routing;

import static dev.meridian.routing.GeoFixtures.AP;
import static dev.meridian.routing.GeoFixtures.EU;
import static dev.meridian.routing.GeoFixtures.NEW_YORK;
import static dev.meridian.routing.GeoFixtures.NOWHERE;
import static dev.meridian.routing.GeoFixtures.PARIS;
import static dev.meridian.routing.GeoFixtures.TOKYO;
import static dev.meridian.routing.GeoFixtures.US;
import static dev.meridian.routing.GeoFixtures.built;
import static dev.meridian.routing.GeoFixtures.endpoint;
import static dev.meridian.routing.GeoFixtures.geo;
import static dev.meridian.routing.GeoFixtures.state;
import static dev.meridian.routing.GeoFixtures.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.PriorityConfig;
import dev.meridian.routing.balance.EligibleSet;
import dev.meridian.routing.geo.ClientLocation;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The geo policy on whole clusters: nearest region, spill on failure and on load, bias, retries. */
class GeoPolicyTest {

    private static Cluster threeRegions() {
        return built(geo(endpoint("eu1", EU), endpoint("eu2", EU), endpoint("us1", US), endpoint("us2", US),
                endpoint("ap1", AP)));
    }

    @Test
    void eachClientGoesToItsNearestRegion() {
        Cluster c = threeRegions();

        assertThat(counts(c, PARIS, 100)).isEqualTo(Map.of("eu1", 50, "eu2", 50));
        assertThat(counts(c, NEW_YORK, 100)).isEqualTo(Map.of("us1", 50, "us2", 50));
        assertThat(counts(c, TOKYO, 100)).isEqualTo(Map.of("ap1", 100));
    }

    @Test
    void aClientOfUnknownLocationGoesToTheFirstDeclaredRegionThatTakesTraffic() {
        Cluster c = threeRegions();

        assertThat(counts(c, null, 10)).isEqualTo(Map.of("eu1", 5, "eu2", 5));
        assertThat(counts(c, NOWHERE, 10)).isEqualTo(Map.of("eu1", 5, "eu2", 5));
        fail(c, "eu1", "eu2");
        assertThat(counts(c, null, 10)).isEqualTo(Map.of("us1", 5, "us2", 5));
    }

    @Test
    void aFailedRegionSpillsToTheNextNearest() {
        Cluster c = threeRegions();
        fail(c, "eu1", "eu2");

        // From Paris, Washington is nearer than Singapore.
        assertThat(counts(c, PARIS, 10)).isEqualTo(Map.of("us1", 5, "us2", 5));
        fail(c, "us1", "us2");
        assertThat(counts(c, PARIS, 10)).isEqualTo(Map.of("ap1", 10));
    }

    @Test
    void aRegionWithOneEndpointLeftStillTakesItsClients() {
        Cluster c = threeRegions();
        fail(c, "eu1");

        assertThat(counts(c, PARIS, 10)).isEqualTo(Map.of("eu2", 10));
    }

    @Test
    void whenEveryRegionIsDownTheNearestOneGoesIntoPanic() {
        Cluster c = threeRegions();
        fail(c, "eu1", "eu2", "us1", "us2", "ap1");

        assertThat(counts(c, NEW_YORK, 10)).isEqualTo(Map.of("us1", 5, "us2", 5));
        assertThat(c.eligibility().snapshot().levels()).allMatch(EligibleSet.Level::panic);
    }

    @Test
    void withoutPanicModeEveryRegionDownMeansNoEndpoint() {
        Cluster c = built(new ClusterConfig("c", Policy.GEO, PoolConfig.DEFAULT,
                List.of(endpoint("eu1", EU), endpoint("us1", US)), null, null, null,
                new PriorityConfig(PriorityConfig.DEFAULT.overprovisioningFactor(), 0), null, null, null, null));
        fail(c, "eu1", "us1");

        assertThat(c.pick(at(PARIS))).isNull();
        assertThat(c.eligibility().snapshot().isEmpty()).isTrue();
    }

    @Test
    void priorityLevelsApplyInsideTheRegionBeforeItSpills() {
        Cluster c = built(geo(endpoint("eu1", EU, 1, 0, 0, 0), endpoint("eu-standby", EU, 1, 1, 0, 0),
                endpoint("us1", US)));

        assertThat(counts(c, PARIS, 10)).isEqualTo(Map.of("eu1", 10));
        fail(c, "eu1");
        assertThat(counts(c, PARIS, 10)).isEqualTo(Map.of("eu-standby", 10));
    }

    @Test
    void theWithinPolicyChoosesInsideTheRegion() {
        Cluster c = built(geo(within(Policy.LEAST_REQUEST, 0, Map.of()), endpoint("eu1", EU), endpoint("eu2", EU),
                endpoint("eu3", EU), endpoint("us1", US)));
        for (int i = 0; i < 5; i++) {
            state(c, "eu1").requestStarted();
        }

        Map<String, Integer> counts = counts(c, PARIS, 3_000);
        assertThat(counts).containsOnlyKeys("eu2", "eu3");
    }

    @Test
    void aRegionOverItsLoadLimitSpillsUntilItHasRoomAgain() {
        // 50 % of 2 x 10 capacity: the region spills above 10 requests in flight.
        Cluster c = built(geo(within(Policy.WEIGHTED, 50, Map.of()), endpoint("eu1", EU, 1, 0, 10, 0),
                endpoint("eu2", EU, 1, 0, 10, 0), endpoint("us1", US, 1, 0, 10, 0)));
        PickContext ctx = at(PARIS);
        for (int i = 0; i < 10; i++) {
            EndpointState e = c.pick(ctx);
            assertThat(e.id()).startsWith("eu");
            e.requestStarted();
        }
        assertThat(c.pick(ctx).id()).as("10 in flight: at the limit, not over").startsWith("eu");
        state(c, "eu1").requestStarted();

        assertThat(c.pick(ctx).id()).isEqualTo("us1");
        state(c, "eu1").requestEnded();
        assertThat(c.pick(ctx).id()).startsWith("eu");
    }

    @Test
    void whenEveryRegionIsOverItsLimitTheNearestTakesTheLoad() {
        Cluster c = built(geo(within(Policy.WEIGHTED, 100, Map.of()), endpoint("eu1", EU, 1, 0, 1, 0),
                endpoint("us1", US, 1, 0, 1, 0)));
        for (int i = 0; i < 2; i++) {
            state(c, "eu1").requestStarted();
            state(c, "us1").requestStarted();
        }

        assertThat(counts(c, NEW_YORK, 10)).isEqualTo(Map.of("us1", 10));
    }

    @Test
    void regionLoadSurvivesAReloadThatKeepsTheEndpoints() {
        var config = GeoFixtures.config(GeoFixtures.REGIONS, geo(within(Policy.WEIGHTED, 100, Map.of()),
                endpoint("eu1", EU, 1, 0, 2, 0), endpoint("us1", US, 1, 0, 2, 0)));
        RoutingTable first = RoutingTable.build(config, null, 0);
        EndpointState eu1 = first.cluster("c").endpoints().get(0);
        eu1.requestStarted();
        eu1.requestStarted();

        RoutingTable second = RoutingTable.build(config, first, 0);
        Cluster c = second.cluster("c");
        assertThat(c.pick(at(PARIS)).id()).as("2 in flight of 2: not over").isEqualTo("eu1");
        eu1.requestStarted();
        assertThat(c.pick(at(PARIS)).id()).isEqualTo("us1");
        eu1.requestEnded();
        eu1.requestEnded();
        eu1.requestEnded();
        eu1.requestStarted();
        eu1.requestStarted();
        assertThat(c.pick(at(PARIS)).id()).as("started before the reload, ended after: counted out").isEqualTo("eu1");
    }

    @Test
    void aPositiveBiasDrawsClientsFromFurtherAway() {
        // Paris to Dublin is ~780 km, to Washington ~6,200 km: a bias of 90 on us-east makes it ~620 km.
        Cluster c = built(geo(within(Policy.WEIGHTED, 0, Map.of(US.name(), 90)), endpoint("eu1", EU),
                endpoint("us1", US)));

        assertThat(counts(c, PARIS, 10)).isEqualTo(Map.of("us1", 10));
        assertThat(counts(c, TOKYO, 10)).isEqualTo(Map.of("us1", 10));
    }

    @Test
    void aNegativeBiasPushesClientsAway() {
        // Mid-Atlantic: ~2,270 km to Dublin, ~3,500 km to Washington; a bias of -99 makes Dublin ~4,510 km.
        ClientLocation midAtlantic = new ClientLocation(null, null, 45, -35);
        Cluster plain = built(geo(endpoint("eu1", EU), endpoint("us1", US)));
        Cluster c = built(geo(within(Policy.WEIGHTED, 0, Map.of(EU.name(), -99)), endpoint("eu1", EU),
                endpoint("us1", US)));

        assertThat(counts(plain, midAtlantic, 10)).isEqualTo(Map.of("eu1", 10));
        assertThat(counts(c, midAtlantic, 10)).isEqualTo(Map.of("us1", 10));
        fail(c, "us1");
        assertThat(counts(c, midAtlantic, 10)).isEqualTo(Map.of("eu1", 10));
    }

    @Test
    void aRetryScansTheNearestRegionsFirst() {
        Cluster c = built(geo(endpoint("ap1", AP), endpoint("us1", US), endpoint("eu1", EU)));
        PickContext ctx = at(PARIS);
        EndpointState[] tried = new EndpointState[3];
        tried[0] = c.pick(ctx);
        assertThat(tried[0].id()).isEqualTo("eu1");

        tried[1] = c.pickExcluding(ctx, tried, 1);
        assertThat(tried[1].id()).isEqualTo("us1");
        tried[2] = c.pickExcluding(ctx, tried, 2);
        assertThat(tried[2].id()).isEqualTo("ap1");
        assertThat(c.pickExcluding(ctx, tried, 3)).isNull();
        assertThat(c.eligibility().snapshot().members()).extracting(EndpointState::id)
                .containsExactly("eu1", "us1", "ap1");
    }

    @Test
    void eachRegionHasItsOwnCursorSlots() {
        Cluster c = built(geo(endpoint("eu1", EU, 1, 0, 0, 0), endpoint("eu2", EU, 1, 1, 0, 0),
                endpoint("us1", US)));

        // eu-west: two levels (1 + 2 slots), us-east: one.
        assertThat(EligibleSet.cursorSlots(c.config())).isEqualTo(4);
    }

    @Test
    void aRepublishWithNoChangeIsNotPublished() {
        Cluster c = threeRegions();
        EligibleSet before = c.eligibility().snapshot();

        assertThat(c.republish(0)).isSameAs(before);
        fail(c, "ap1");
        assertThat(c.eligibility().snapshot()).isNotSameAs(before);
    }

    private static void fail(Cluster c, String... ids) {
        for (String id : ids) {
            state(c, id).health().eject();
        }
        c.republish(0);
    }

    private static PickContext at(ClientLocation location) {
        return new PickContext(new SplittableRandom(5), () -> 0L).location(location);
    }

    private static Map<String, Integer> counts(Cluster c, ClientLocation location, int picks) {
        PickContext ctx = at(location);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(c.pick(ctx).id(), 1, Integer::sum);
        }
        return counts;
    }
}
