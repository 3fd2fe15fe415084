package dev.meridian.routing.residency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.ResidencyConfig;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointHealth;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.geo.ClientLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * For any topology, client and failure set, under every policy and with panic mode on or off: a request is never
 * sent to an endpoint outside what its client's jurisdiction allows, on the first pick or on any retry.
 */
class ResidencyPropertyTest {
    private static final String[] REGIONS = {"eu-west", "uk-south", "us-east"};
    private static final String[] JURISDICTIONS = {"EU", "UK", "US", null};
    private static final ResidencyConfig RULES = new ResidencyConfig(
            Map.of("EU", List.of("EU"), "UK", List.of("UK", "EU"), "US", List.of("US")), "deny", 503);

    @Property(tries = 500)
    void complianceIsNeverViolated(
            @ForAll Policy policy,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 2) Integer> regions,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 5) Integer> statuses,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 2) Integer> priorities,
            @ForAll @IntRange(min = 0, max = 3) int client,
            @ForAll boolean panic,
            @ForAll long seed) {
        EndpointConfig[] endpoints = new EndpointConfig[regions.size()];
        for (int i = 0; i < endpoints.length; i++) {
            endpoints[i] = ResidencyFixtures.endpoint("e" + i, REGIONS[regions.get(i)], 100,
                    priorities.get(i % priorities.size()));
        }
        RoutingTable t = ResidencyFixtures.table(policy, panic ? 50 : 0, RULES, endpoints);
        Cluster c = t.cluster("c");
        for (int i = 0; i < endpoints.length; i++) {
            fail(c.endpoints().get(i).health(), statuses.get(i % statuses.size()));
        }
        c.republish(0);
        String clientJurisdiction = JURISDICTIONS[client];
        ClientLocation location = clientJurisdiction == null ? null
                : new ClientLocation(null, clientJurisdiction, 0, 0);
        JurisdictionSet allowed = t.routes().get(0).residency().allowedFor(location);
        PickContext ctx = new PickContext(new SplittableRandom(seed), () -> 0L).location(location).hash(seed);

        List<EndpointState> tried = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            assertCompliant(c, c.pick(ctx, allowed), clientJurisdiction);
        }
        EndpointState[] triedArray = new EndpointState[endpoints.length];
        for (int retry = 0; retry < endpoints.length; retry++) {
            EndpointState e = c.pickExcluding(ctx, allowed, triedArray, tried.size());
            assertCompliant(c, e, clientJurisdiction);
            if (e == null) {
                break;
            }
            triedArray[tried.size()] = e;
            tried.add(e);
        }
    }

    private static void assertCompliant(Cluster c, EndpointState e, String clientJurisdiction) {
        if (e == null) {
            return;
        }
        String served = c.jurisdiction(c.endpoints().indexOf(e));
        if (clientJurisdiction == null) {
            throw new AssertionError("a client of unknown location (rule: deny) was sent to " + e);
        }
        List<String> allowed = RULES.allow().get(clientJurisdiction);
        assertThat(allowed).as("client %s served by %s in %s", clientJurisdiction, e.id(), served).contains(served);
    }

    private static void fail(EndpointHealth h, int how) {
        switch (how) {
            case 1 -> h.eject();
            case 2 -> h.checkFailing(true);
            case 3 -> h.adminState(AdminState.DRAINING);
            case 4 -> h.adminState(AdminState.MAINTENANCE);
            case 5 -> h.degraded(true);
            default -> { }
        }
    }
}
