package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.GeoPolicyConfig;
import dev.meridian.config.HashConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.XxHash64;
import dev.meridian.testing.TestConfigs;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading a request's hash key: header, cookie, client address; absent keys leave the request unhashed. */
class HashKeysTest {
    private static final MeridianConfig ONE_ENDPOINT = TestConfigs.parse("""
            clusters:
              - name: app
                endpoints:
                  - {id: a, address: "127.0.0.1:9", region: local}
            routes:
              - cluster: app
            """);

    /** Not an IP connection: a client IP key is absent. */
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void closeChannel() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHeaderValueIsHashedAsItsBytes() {
        PickContext ctx = apply(cluster(Policy.RING_HASH, HashingConfigs.header("x-user")),
                headers(Map.of("X-User", "alice")), channel);

        assertThat(ctx.hasHash()).isTrue();
        assertThat(ctx.hash()).isEqualTo(XxHash64.hash("alice".getBytes(), 0));
    }

    @Test
    void aMissingOrEmptyKeyLeavesTheRequestUnhashed() {
        Cluster c = cluster(Policy.MAGLEV, HashingConfigs.header("x-user"));

        assertThat(apply(c, headers(Map.of()), channel).hasHash()).isFalse();
        assertThat(apply(c, headers(Map.of("x-user", "")), channel).hasHash()).isFalse();
        assertThat(apply(cluster(Policy.MAGLEV, HashingConfigs.cookie("session")),
                headers(Map.of("cookie", "other=1; session=")), channel).hasHash()).isFalse();
    }

    @Test
    void aClusterThatDoesNotHashGetsNoKey() {
        assertThat(apply(cluster(Policy.WEIGHTED, HashingConfigs.header("x-user")),
                headers(Map.of("x-user", "alice")), channel).hasHash()).isFalse();
        assertThat(apply(null, headers(Map.of("x-user", "alice")), channel).hasHash()).isFalse();
    }

    @Test
    void aGeoClusterHashesWhenItsRegionsDo() {
        ClusterConfig geo = withGeo(Policy.MAGLEV);

        assertThat(HashKeys.hashes(geo)).isTrue();
        assertThat(HashKeys.hashes(withGeo(Policy.LATENCY))).isFalse();
    }

    @Test
    void theCookieValueIsFoundAmongOthersWithoutItsQuotes() {
        Cluster c = cluster(Policy.RING_HASH, HashingConfigs.cookie("session"));
        long expected = XxHash64.hash("k1".getBytes(), 0);

        for (String header : List.of("session=k1", "a=1; session=k1", "a=1;session=k1;b=2", "sessionx=2; session=k1",
                "xsession=3; session = k1 ;", "session=\"k1\"", "flag; session=k1")) {
            PickContext ctx = apply(c, headers(Map.of("cookie", header)), channel);
            assertThat(ctx.hasHash()).as(header).isTrue();
            assertThat(ctx.hash()).as(header).isEqualTo(expected);
        }
        assertThat(apply(c, headers(Map.of("cookie", "Session=k1; sessions=k2")), channel).hasHash())
                .as("names are case-sensitive").isFalse();
    }

    @Test
    void aCookieInALaterCookieHeaderCounts() {
        HttpHeaders h = new DefaultHttpHeaders().add("cookie", "a=1").add("cookie", "session=k1");

        PickContext ctx = apply(cluster(Policy.RING_HASH, HashingConfigs.cookie("session")), h, channel);

        assertThat(ctx.hash()).isEqualTo(XxHash64.hash("k1".getBytes(), 0));
    }

    @Test
    void theClientAddressIsHashedOncePerConnection() throws Exception {
        InetSocketAddress[] remote = {new InetSocketAddress("192.0.2.7", 40000)};
        Channel client = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote[0];
            }
        };
        Cluster c = cluster(Policy.MAGLEV, HashConfig.CLIENT_IP);
        HashKeys connection = new HashKeys();

        PickContext ctx = apply(connection, c, headers(Map.of()), client);
        assertThat(ctx.hash()).isEqualTo(XxHash64.hash(new byte[] {(byte) 192, 0, 2, 7}, 0));
        remote[0] = new InetSocketAddress("192.0.2.8", 40000);
        assertThat(apply(connection, c, headers(Map.of()), client).hash()).as("once").isEqualTo(ctx.hash());
        assertThat(apply(c, headers(Map.of()), channel).hasHash()).as("not an IP connection").isFalse();
        client.close().sync();
    }

    private static PickContext apply(Cluster cluster, HttpHeaders headers, Channel client) {
        return apply(new HashKeys(), cluster, headers, client);
    }

    private static PickContext apply(HashKeys keys, Cluster cluster, HttpHeaders headers, Channel client) {
        RequestAttributes attributes = new RequestAttributes();
        keys.apply(cluster, headers, client, attributes);
        return attributes.applyTo(new PickContext(new SplittableRandom(1)));
    }

    private static HttpHeaders headers(Map<String, String> values) {
        HttpHeaders h = new DefaultHttpHeaders();
        values.forEach(h::add);
        return h;
    }

    private static Cluster cluster(Policy policy, HashConfig hash) {
        return RoutingTable.build(HashingConfigs.hashing(ONE_ENDPOINT, policy, hash), null).cluster("app");
    }

    private static ClusterConfig withGeo(Policy within) {
        ClusterConfig c = ONE_ENDPOINT.clusters().get(0);
        return new ClusterConfig(c.name(), Policy.GEO, c.pool(), c.endpoints(), c.healthCheck(), c.outlier(),
                c.slowStart(), c.priority(), c.statusThresholds(), c.retryBudget(), c.hash(),
                new GeoPolicyConfig(within, 0, Map.of()));
    }
}
