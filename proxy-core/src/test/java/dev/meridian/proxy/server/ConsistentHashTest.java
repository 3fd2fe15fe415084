package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.HashConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ring_hash and maglev end to end: the proxy reads the key from the request and every request of a key sticks. */
class ConsistentHashTest {
    private static final int KEYS = 30;
    private static final int ROUNDS = 4;

    @ParameterizedTest
    @EnumSource(value = Policy.class, names = {"RING_HASH", "MAGLEV"})
    void requestsWithAHeaderKeyAlwaysLandOnTheSameBackend(Policy policy) throws Exception {
        Map<String, Set<String>> backends = run(policy, HashingConfigs.header("x-user"), k -> "X-User: user-" + k);

        assertSticky(backends);
    }

    @Test
    void ringHashByCookieSticksToo() throws Exception {
        Map<String, Set<String>> backends = run(Policy.RING_HASH, HashingConfigs.cookie("session"),
                k -> "Cookie: theme=dark; session=s" + k + "; lang=en");

        assertSticky(backends);
    }

    @Test
    void theClientAddressIsAKeyAcrossConnections() throws Exception {
        // Every connection comes from 127.0.0.1, so every request is one key.
        Map<String, Set<String>> backends = run(Policy.MAGLEV, HashConfig.CLIENT_IP, k -> "X-Ignored: " + k);

        Set<String> all = new HashSet<>();
        backends.values().forEach(all::addAll);
        assertThat(all).hasSize(1);
    }

    private static void assertSticky(Map<String, Set<String>> backends) {
        assertThat(backends).hasSize(KEYS);
        backends.forEach((key, seen) -> assertThat(seen).as("backends of key %s", key).hasSize(1));
        Set<String> used = new HashSet<>();
        backends.values().forEach(used::addAll);
        assertThat(used).as("different keys spread").containsExactlyInAnyOrder("a", "b", "c");
    }

    /** Sends each key ROUNDS times, one connection per round; the backends each key reached. */
    private static Map<String, Set<String>> run(Policy policy, HashConfig hash, KeyHeader header) throws Exception {
        Map<String, Set<String>> seen = new HashMap<>();
        try (TestBackend a = TestBackend.start("a");
             TestBackend b = TestBackend.start("b");
             TestBackend c = TestBackend.start("c")) {
            MeridianConfig config = HashingConfigs.oneCluster(policy, hash, a, b, c);
            MeridianServer proxy = MeridianServer.start(config, 2);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    try (RawHttpClient client = new RawHttpClient(proxy.address())) {
                        for (int k = 0; k < KEYS; k++) {
                            RawHttpClient.Response r = client.get("x", "/", header.line(k));
                            assertThat(r.status()).isEqualTo(200);
                            seen.computeIfAbsent("k" + k, x -> new HashSet<>()).add(r.header("x-backend"));
                        }
                    }
                }
            } finally {
                proxy.close();
            }
        }
        return seen;
    }

    private interface KeyHeader {
        String line(int key);
    }
}
