package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A route's {@code tunnels}: WebSocket on, CONNECT off, an hour's idle timeout unless said otherwise. */
class TunnelsConfigTest {
    private static final String HEAD = """
            listeners:
              - address: 127.0.0.1
                port: 8080
            regions:
              - {name: us-east, jurisdiction: US, latitude: 39.0, longitude: -77.5}
            clusters:
              - name: api
                endpoints:
                  - {id: a, address: "127.0.0.1:9001", region: us-east}
            routes:
              - name: all
                cluster: api
            """;

    @Test
    void defaultsLetWebSocketThroughAndRefuseConnect() {
        TunnelsConfig t = ConfigLoader.parse("t.yaml", HEAD).orThrow().routes().get(0).tunnels();
        assertThat(t).isEqualTo(TunnelsConfig.DEFAULT);
        assertThat(t.websocket()).isTrue();
        assertThat(t.connect()).isFalse();
        assertThat(t.idleTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void eachKeyIsRead() {
        TunnelsConfig t = ConfigLoader.parse("t.yaml", HEAD
                + "    tunnels: {websocket: false, connect: true, idle_timeout: 30s}\n").orThrow().routes().get(0)
                .tunnels();
        assertThat(t).isEqualTo(new TunnelsConfig(false, true, Duration.ofSeconds(30)));
    }

    @Test
    void mistakesAreProblemsWhereTheyAre() {
        ConfigResult result = ConfigLoader.parse("m.yaml", HEAD
                + "    tunnels: {websocket: yes, idle_timeout: 0s, sockets: 1}\n");
        assertThat(result.problems()).hasSize(3);
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.format()).startsWith("m.yaml:13:"));
    }
}
