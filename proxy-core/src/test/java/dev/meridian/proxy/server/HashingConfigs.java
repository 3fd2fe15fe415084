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
        return hashing(TestConfigs.oneCluster(backends), policy, hash);
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
