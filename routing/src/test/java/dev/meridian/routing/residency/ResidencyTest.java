package dev.meridian.routing.residency;

import static dev.meridian.routing.residency.ResidencyFixtures.endpoint;
import static dev.meridian.routing.residency.ResidencyFixtures.euUkRules;
import static dev.meridian.routing.residency.ResidencyFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.Policy;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.geo.ClientLocation;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResidencyTest {
    private static final ClientLocation BERLIN = new ClientLocation("DE", "EU", 52.5, 13.4);
    private static final ClientLocation LONDON = new ClientLocation("GB", "UK", 51.5, -0.1);
    private static final ClientLocation NEW_YORK = new ClientLocation("US", "US", 40.7, -74.0);

    private final PickContext ctx = new PickContext(new SplittableRandom(7), () -> 0L);

    @Test
    void eachClientJurisdictionPicksOnlyWhatItsRuleAllows() {
        RoutingTable t = table(Policy.WEIGHTED, 50, euUkRules("deny", 503),
                endpoint("eu", "eu-west", 100, 0), endpoint("uk", "uk-south", 100, 0),
                endpoint("us", "us-east", 100, 0));
        Route r = t.routes().get(0);
        Cluster c = t.cluster("c");

        assertThat(picks(c, r.residency().allowedFor(BERLIN))).containsExactly("eu");
        assertThat(picks(c, r.residency().allowedFor(LONDON))).containsExactlyInAnyOrder("uk", "eu");
        assertThat(picks(c, r.residency().allowedFor(NEW_YORK))).containsExactlyInAnyOrder("eu", "uk", "us");
        assertThat(r.residency().allowedFor(null)).isSameAs(JurisdictionSet.DENIED);
        assertThat(c.pick(ctx, JurisdictionSet.DENIED)).isNull();
    }

    @Test
    void unknownClientsTakeTheNamedJurisdictionsRule() {
        RoutingTable t = table(Policy.LEAST_REQUEST, 50, euUkRules("UK", 451),
                endpoint("eu", "eu-west", 100, 0), endpoint("us", "us-east", 100, 0));
        Route r = t.routes().get(0);

        assertThat(picks(t.cluster("c"), r.residency().allowedFor(new ClientLocation(null, null, Double.NaN,
                Double.NaN)))).containsExactly("eu");
        assertThat(r.residency().status()).isEqualTo(451);
    }

    @Test
    void whenEveryCompliantEndpointIsDownNothingIsPickedOnFirstTryOrRetry() {
        RoutingTable t = table(Policy.WEIGHTED, 0, euUkRules("deny", 503),
                endpoint("eu-1", "eu-west", 100, 0), endpoint("eu-2", "eu-west", 100, 1),
                endpoint("us", "us-east", 100, 0));
        Cluster c = t.cluster("c");
        JurisdictionSet eu = t.routes().get(0).residency().allowedFor(BERLIN);
        t.endpoint("eu-1").health().eject();
        t.endpoint("eu-2").health().eject();
        c.republish(0);

        assertThat(c.pick(ctx, eu)).isNull();
        assertThat(c.pickExcluding(ctx, eu, new EndpointState[0], 0)).isNull();
        assertThat(c.pick(ctx)).as("unrestricted requests are still served").isSameAs(t.endpoint("us"));
    }

    @Test
    void panicModeStaysInsideTheCompliantEndpoints() {
        RoutingTable t = table(Policy.WEIGHTED, 50, euUkRules("deny", 503),
                endpoint("eu-1", "eu-west", 100, 0), endpoint("eu-2", "eu-west", 100, 0),
                endpoint("eu-3", "eu-west", 100, 0), endpoint("us", "us-east", 100, 0));
        Cluster c = t.cluster("c");
        JurisdictionSet eu = t.routes().get(0).residency().allowedFor(BERLIN);
        t.endpoint("eu-1").health().eject();
        t.endpoint("eu-2").health().eject();
        c.republish(0);

        // A third of the compliant set is healthy, under the panic threshold: it routes over all its own members,
        // and the healthy US endpoint stays out.
        assertThat(picks(c, eu)).containsExactlyInAnyOrder("eu-1", "eu-2", "eu-3");

        t.endpoint("eu-3").health().eject();
        c.republish(0);
        // With none of them healthy the request is refused with its reason, not sent in panic to a dead endpoint.
        assertThat(c.pick(ctx, eu)).isNull();
        assertThat(c.pick(ctx)).as("unrestricted, the cluster is still in panic").isNotNull();
    }

    @Test
    void compliantSetSpillsToItsOwnLowerPriorityBeforeFailing() {
        RoutingTable t = table(Policy.WEIGHTED, 0, euUkRules("deny", 503),
                endpoint("eu-1", "eu-west", 100, 0), endpoint("eu-dr", "eu-west", 100, 1),
                endpoint("us", "us-east", 100, 0));
        Cluster c = t.cluster("c");
        JurisdictionSet eu = t.routes().get(0).residency().allowedFor(BERLIN);
        t.endpoint("eu-1").health().eject();
        c.republish(0);

        assertThat(picks(c, eu)).containsExactly("eu-dr");
    }

    @Test
    void anEndpointsOwnJurisdictionOverridesItsRegions() {
        var onUsSoilUnderEu = new dev.meridian.config.EndpointConfig("eu-on-us", "127.0.0.1", 8080, "us-east", null,
                100, 0, 0, "EU", 0);
        RoutingTable t = table(Policy.RANDOM, 50, euUkRules("deny", 503), onUsSoilUnderEu,
                endpoint("us", "us-east", 100, 0));

        assertThat(picks(t.cluster("c"), t.routes().get(0).residency().allowedFor(BERLIN)))
                .containsExactly("eu-on-us");
    }

    @Test
    void aSetFromAnOlderTableAllowsNothingInANewOne() {
        RoutingTable t1 = table(Policy.WEIGHTED, 50, euUkRules("deny", 503), endpoint("eu", "eu-west", 100, 0));
        RoutingTable t2 = RoutingTable.build(t1.config(), t1);
        JurisdictionSet old = t1.routes().get(0).residency().allowedFor(BERLIN);

        assertThat(t2.cluster("c").pick(ctx, old)).isNull();
        assertThat(t2.cluster("c").pick(ctx, t2.routes().get(0).residency().allowedFor(BERLIN))).isNotNull();
    }

    private Set<String> picks(Cluster c, JurisdictionSet allowed) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            EndpointState e = c.pick(ctx, allowed);
            if (e != null) {
                ids.add(e.id());
            }
        }
        return ids;
    }
}
