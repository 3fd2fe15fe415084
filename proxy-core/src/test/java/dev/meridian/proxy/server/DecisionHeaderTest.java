package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** `x-meridian-decision` is off by default and, where a route turns it on, tells where the response came from. */
class DecisionHeaderTest {
    @Test
    void onlyRoutesThatAskForItCarryTheDecision() throws Exception {
        try (TestBackend a = TestBackend.start("a")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: app
                        policy: least_request
                        endpoints:
                          - {id: a-1, address: "%s", region: local}
                    routes:
                      - name: explained
                        match: {path_prefix: /explained}
                        cluster: app
                        decision_header: true
                      - name: quiet
                        cluster: app
                    """.formatted(a.address())), 1);
            try (RawHttpClient client = new RawHttpClient(proxy.address())) {
                Response explained = client.get("x", "/explained/1");
                Response quiet = client.get("x", "/other");

                assertThat(explained.status()).isEqualTo(200);
                assertThat(explained.header("x-meridian-decision")).isEqualTo("route=explained; cluster=app; "
                        + "policy=least_request; endpoint=a-1; region=local; try=1; client=unknown; allowed=any");
                assertThat(quiet.status()).isEqualTo(200);
                assertThat(quiet.header("x-meridian-decision")).isNull();
            } finally {
                proxy.close();
            }
        }
    }
}
