package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.HashConfig;
import dev.meridian.config.HashKeyKind;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.Fixtures;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.XxHash64;
import java.util.ArrayList;
import java.util.List;

/** Clusters and keys for the consistent-hashing tests. */
final class HashFixtures {
    private HashFixtures() {
    }

    static HashConfig header(double boundedLoadFactor, int tableSize) {
        return new HashConfig(HashKeyKind.HEADER, "x-user", boundedLoadFactor, tableSize);
    }

    static ClusterConfig cluster(Policy policy, HashConfig hash, int... weights) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            endpoints.add(Fixtures.endpoint("e" + i, weights[i]));
        }
        return new ClusterConfig("c", policy, PoolConfig.DEFAULT, endpoints, null, null, null, null, null, null, hash,
                null);
    }

    /** The states of {@code cluster}'s endpoints, in config order, as a routing table binds them. */
    static EndpointState[] states(ClusterConfig cluster) {
        RoutingTable table = Fixtures.table(cluster);
        return cluster.endpoints().stream().map(e -> table.endpoint(e.id())).toArray(EndpointState[]::new);
    }

    static HashPicker picker(Policy policy, EndpointState[] members, int[] weights, ClusterConfig cluster) {
        return (HashPicker) LevelPickers.of(policy, members, weights, null, cluster, Regions.of(cluster, List.of()));
    }

    static int[] weights(ClusterConfig cluster) {
        return cluster.endpoints().stream().mapToInt(EndpointConfig::weight).toArray();
    }

    /** The hash of key {@code i}, as the proxy computes it from a header value. */
    static long key(int i) {
        String k = "user-" + i;
        return XxHash64.hashLatin1(k, 0, k.length(), 0);
    }

    static EndpointState pick(LevelPicker picker, PickContext ctx, long keyHash) {
        return picker.pick(ctx.beginRequest().hash(keyHash), 0);
    }
}
