package dev.meridian.health.probe;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.HealthCheckConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.ServerConfig;
import dev.meridian.config.StatusRange;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Configs built in Java, so these tests do not depend on the YAML binding of health checks. */
final class HealthFixtures {
    private static final RegionConfig REGION = new RegionConfig("local", "XX", 0, 0);

    private HealthFixtures() {
    }

    static EndpointConfig endpoint(String id, int port) {
        return new EndpointConfig(id, "127.0.0.1", port, REGION.name(), null, EndpointConfig.DEFAULT_WEIGHT, 0, 0);
    }

    static ClusterConfig cluster(String name, HealthCheckConfig check, EndpointConfig... endpoints) {
        return new ClusterConfig(name, Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(endpoints), check, null, null,
                null, null, null);
    }

    static MeridianConfig config(ClusterConfig... clusters) {
        return new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, List.of(REGION),
                List.of(clusters), List.of(new RouteConfig("all", RouteMatch.ANY, clusters[0].name(), List.of(),
                        null)));
    }

    /** A free port that refuses connections: bound once, then released. */
    static int closedPort() throws java.io.IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Check http() {
        return new Check(HealthCheckConfig.httpDefaults());
    }

    static Check tcp() {
        return http().type(HealthCheckConfig.Type.TCP);
    }

    /** A {@link HealthCheckConfig} with one field changed at a time. */
    record Check(HealthCheckConfig c) {
        Check type(HealthCheckConfig.Type t) {
            return new Check(new HealthCheckConfig(t, c.method(), c.path(), c.host(), c.expectedStatuses(),
                    c.bodyContains(), c.interval(), c.timeout(), c.jitter(), c.healthyThreshold(),
                    c.unhealthyThreshold(), c.noTrafficInterval()));
        }

        Check request(String method, String path, String host) {
            return new Check(new HealthCheckConfig(c.type(), method, path, host, c.expectedStatuses(),
                    c.bodyContains(), c.interval(), c.timeout(), c.jitter(), c.healthyThreshold(),
                    c.unhealthyThreshold(), c.noTrafficInterval()));
        }

        Check expect(StatusRange... ranges) {
            return new Check(new HealthCheckConfig(c.type(), c.method(), c.path(), c.host(), Arrays.asList(ranges),
                    c.bodyContains(), c.interval(), c.timeout(), c.jitter(), c.healthyThreshold(),
                    c.unhealthyThreshold(), c.noTrafficInterval()));
        }

        Check bodyContains(String text) {
            return new Check(new HealthCheckConfig(c.type(), c.method(), c.path(), c.host(), c.expectedStatuses(),
                    text, c.interval(), c.timeout(), c.jitter(), c.healthyThreshold(), c.unhealthyThreshold(),
                    c.noTrafficInterval()));
        }

        Check timing(long intervalMs, long timeoutMs, long jitterMs) {
            return new Check(new HealthCheckConfig(c.type(), c.method(), c.path(), c.host(), c.expectedStatuses(),
                    c.bodyContains(), Duration.ofMillis(intervalMs), Duration.ofMillis(timeoutMs),
                    Duration.ofMillis(jitterMs), c.healthyThreshold(), c.unhealthyThreshold(),
                    c.noTrafficInterval()));
        }

        Check thresholds(int rise, int fall) {
            return new Check(new HealthCheckConfig(c.type(), c.method(), c.path(), c.host(), c.expectedStatuses(),
                    c.bodyContains(), c.interval(), c.timeout(), c.jitter(), rise, fall, c.noTrafficInterval()));
        }

        Check noTrafficInterval(long ms) {
            return new Check(new HealthCheckConfig(c.type(), c.method(), c.path(), c.host(), c.expectedStatuses(),
                    c.bodyContains(), c.interval(), c.timeout(), c.jitter(), c.healthyThreshold(),
                    c.unhealthyThreshold(), Duration.ofMillis(ms)));
        }

        HealthCheckConfig build() {
            return c;
        }
    }
}
