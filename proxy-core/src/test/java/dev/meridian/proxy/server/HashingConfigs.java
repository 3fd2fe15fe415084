package dev.meridian.proxy.server;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.HashConfig;
import dev.meridian.config.HashKeyKind;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.util.List;

/**
 * Configs for consistent-hashing tests. The {@code hash:} section is set in Java: these tests are about reading the
 * key and picking with it, whatever YAML spells it.
 */
final class HashingConfigs {
    private HashingConfigs() {
    }

    static HashConfig header(String name) {
        return new HashConfig(HashKeyKind.HEADER, name, 0, 0);
    }

    static HashConfig cookie(String name) {
        return new HashConfig(HashKeyKind.COOKIE, name, 0, 0);
    }

    /** {@link TestConfigs#oneCluster} balanced with {@code policy} on {@code hash}. */
    static MeridianConfig oneCluster(Policy policy, HashConfig hash, TestBackend... backends) {
        StringBuilder endpoints = new StringBuilder();
        for (TestBackend b : backends) {
            endpoints.append("      - {id: ").append(b.name()).append(", address: \"").append(b.address())
                    .append("\", region: local}\n");
        }
        String key = switch (hash.key()) {
            case HEADER -> "header: " + hash.name();
            case COOKIE -> "cookie: " + hash.name();
            case CLIENT_IP -> "client_ip: true";
        };
        // No hedging: on a busy machine a hedge to another endpoint would look like a key changing endpoint.
        return TestConfigs.parse("""
                clusters:
                  - name: app
                    policy: %s
                    hash: {%s}
                    endpoints:
                %s
                routes:
                  - cluster: app
                    retries:
                      hedge: {enabled: false}
                """.formatted(policy.yamlName(), key, endpoints));
    }

    /** {@code base} with its first cluster balanced with {@code policy} on {@code hash}. */
    static MeridianConfig hashing(MeridianConfig base, Policy policy, HashConfig hash) {
        ClusterConfig c = base.clusters().get(0);
        ClusterConfig hashed = new ClusterConfig(c.name(), policy, c.pool(), c.endpoints(), c.healthCheck(),
                c.outlier(), c.slowStart(), c.priority(), c.statusThresholds(), c.retryBudget(), hash, c.geo());
        return new MeridianConfig(base.source(), base.listeners(), base.admin(), base.server(), base.regions(),
                List.of(hashed), base.routes(), base.geo());
    }
}
