package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigLoader;
import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.routing.RoutingTable;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What-if on three regions: spill-over by priority, and whether the capacity left covers today's demand. */
class SimulateTest {
    private static final String YAML = """
            listeners: [{address: 127.0.0.1, port: 0}]
            admin: {port: 0}
            regions:
              - {name: us-east, jurisdiction: US, latitude: 39, longitude: -77}
              - {name: eu-west, jurisdiction: EU, latitude: 53, longitude: -6}
              - {name: ap-south, jurisdiction: IN, latitude: 19, longitude: 73}
            clusters:
              - name: api
                endpoints:
                  - {id: us1, address: 127.0.0.1:9001, region: us-east, capacity: 100}
                  - {id: us2, address: 127.0.0.1:9002, region: us-east, capacity: 100}
                  - {id: eu1, address: 127.0.0.1:9003, region: eu-west, priority: 1, capacity: 150}
                  - {id: ap1, address: 127.0.0.1:9004, region: ap-south, priority: 2, capacity: 50}
              - name: web
                endpoints:
                  - {id: w-us, address: 127.0.0.1:9005, region: us-east}
                  - {id: w-eu, address: 127.0.0.1:9006, region: eu-west}
            routes:
              - {name: api, match: {path_prefix: /api}, cluster: api}
              - name: site
                split: [{cluster: web, weight: 3}, {cluster: api, weight: 1}]
            """;

    private final MeridianConfig config = ConfigLoader.parse("three.yaml", YAML).orThrow();
    private final RoutingTable table = RoutingTable.build(config, null);
    /** 120 requests per second on the US endpoints of api today, 10 on web's. */
    private final Simulator simulator = new Simulator(id -> Map.of("us1", 60.0, "us2", 60.0, "w-us", 10.0)
            .getOrDefault(id, 0.0));

    private JsonNode simulate(String... failed) {
        return Json.MAPPER.valueToTree(simulator.simulate(table, Set.of(failed)));
    }

    private static JsonNode route(JsonNode sim, String name) {
        for (JsonNode r : sim.get("routes")) {
            if (r.get("route").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no route " + name);
    }

    @Test
    void losingTheFirstRegionSpillsToTheNextLevelWhichCoversTheDemand() {
        JsonNode api = route(simulate("us-east"), "api").get("clusters").get(0);
        assertThat(api.get("cluster").asText()).isEqualTo("api");
        assertThat(api.get("levels").get(0).get("load_percent").asInt()).isZero();
        assertThat(api.get("levels").get(1).get("load_percent").asInt()).isEqualTo(100);
        assertThat(api.get("endpoints")).hasSize(1);
        assertThat(api.get("endpoints").get(0).get("id").asText()).isEqualTo("eu1");
        assertThat(api.get("endpoints").get(0).get("projected_rps").asDouble()).isEqualTo(120.0);
        assertThat(api.get("demand_rps").asDouble()).isEqualTo(120.0);
        assertThat(api.get("capacity_rps").asDouble()).isEqualTo(150.0);
        assertThat(api.get("covered").asBoolean()).isTrue();
    }

    @Test
    void losingTwoRegionsLeavesTooLittleCapacity() {
        JsonNode sim = simulate("us-east", "eu-west");
        JsonNode api = route(sim, "api").get("clusters").get(0);
        assertThat(api.get("endpoints").get(0).get("id").asText()).isEqualTo("ap1");
        assertThat(api.get("capacity_rps").asDouble()).isEqualTo(50.0);
        assertThat(api.get("covered").asBoolean()).isFalse();
        assertThat(route(sim, "api").get("covered").asBoolean()).isFalse();
        assertThat(sim.get("covered").asBoolean()).isFalse();
    }

    @Test
    void losingEveryRegionLeavesTheClusterUnserved() {
        JsonNode api = route(simulate("us-east", "eu-west", "ap-south"), "api").get("clusters").get(0);
        assertThat(api.get("unserved").asBoolean()).isTrue();
        assertThat(api.get("endpoints")).isEmpty();
        assertThat(api.get("covered").asBoolean()).isFalse();
    }

    @Test
    void aSplitRouteShowsEachClusterWithItsShareAndUnknownCapacityIsSaidSo() {
        JsonNode site = route(simulate("ap-south"), "site");
        JsonNode web = site.get("clusters").get(0);
        assertThat(web.get("route_share_percent").asDouble()).isEqualTo(75.0);
        assertThat(web.get("endpoints")).extracting(e -> e.get("share_percent").asDouble())
                .containsExactly(50.0, 50.0);
        assertThat(web.get("covered").isNull()).as("web declares no capacity").isTrue();
        JsonNode api = site.get("clusters").get(1);
        assertThat(api.get("route_share_percent").asDouble()).isEqualTo(25.0);
        assertThat(api.get("endpoints")).extracting(e -> e.get("id").asText()).containsExactly("us1", "us2");
        assertThat(site.get("covered").isNull()).isTrue();
    }

    @Test
    void theAdminPortAnswersAndRefusesUnknownRegions() throws Exception {
        try (MeridianServer proxy = MeridianServer.start(config, 1)) {
            AdminClient admin = new AdminClient(proxy.admin().address());
            AdminClient.Answer r = admin.get("/simulate?fail=us-east,eu-west");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("failed_regions")).extracting(JsonNode::asText)
                    .containsExactly("eu-west", "us-east");
            assertThat(route(r.json(), "api").get("clusters").get(0).get("endpoints").get(0).get("id").asText())
                    .isEqualTo("ap1");
            AdminClient.Answer unknown = admin.get("/simulate?fail=mars");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.json().get("error").asText()).contains("unknown region 'mars'").contains("us-east");
            assertThat(admin.get("/simulate").status()).isEqualTo(400);
            assertThat(proxy.admin().version()).as("simulate changes nothing").isZero();
        }
    }
}
