package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** SIGTERM's path: stop accepting, let in-flight requests finish, then close. */
class GracefulShutdownTest {

    @Test
    void inFlightRequestsFinishAndNewConnectionsAreRefused() throws Exception {
        try (TestBackend backend = TestBackend.start("slow")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 2);
            InetSocketAddress address = proxy.address();
            List<RawHttpClient> clients = new ArrayList<>();
            List<CompletableFuture<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RawHttpClient c = new RawHttpClient(address);
                clients.add(c);
                c.send("GET /delay/400 HTTP/1.1\r\nHost: a\r\n\r\n");
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.read();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            RawHttpClient idle = new RawHttpClient(address);
            assertThat(idle.get("a", "/warm").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.activeExchanges() == 8);

            boolean clean = proxy.shutdownGracefully(Duration.ofSeconds(10));

            assertThat(clean).isTrue();
            for (CompletableFuture<Response> answer : answers) {
                Response r = answer.join();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isEqualTo("close");
            }
            assertThat(idle.isClosedByPeer()).isTrue();
            assertThatThrownBy(() -> new RawHttpClient(address).get("a", "/late")).isInstanceOf(IOException.class);
            for (RawHttpClient c : clients) {
                c.close();
            }
            idle.close();
        }
    }

    @Test
    void graceExpiryClosesWhatIsLeft() throws Exception {
        try (TestBackend backend = TestBackend.start("stuck")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 1);
            try (RawHttpClient c = new RawHttpClient(proxy.address())) {
                c.send("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n");
                await().atMost(Duration.ofSeconds(5)).until(() -> proxy.activeExchanges() == 1);
                assertThat(proxy.shutdownGracefully(Duration.ofMillis(200))).isFalse();
                assertThat(c.isClosedByPeer()).isTrue();
            }
        }
    }
}
