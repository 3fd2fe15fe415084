package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarding headers an upstream sees, end to end through a running proxy, from a peer outside
 * {@code geo.trusted_sources} (the client's claims replaced) and from one inside (kept).
 */
class ForwardingHeadersTest {
    private static final String HOST = "shop.example:8080";
    private static final String ID = "[0-9a-f]{32}";

    private TestBackend backend;
    private MeridianServer proxy;

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start("b");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    /**
     * @param geo    the geo section, or "" for none
     * @param server the server section, or "" for none
     */
    private void start(String geo, String server) throws Exception {
        proxy = MeridianServer.start(TestConfigs.parse(geo + server + """
                clusters:
                  - name: app
                    endpoints:
                      - {id: b, address: "%s", region: local}
                routes:
                  - cluster: app
                """.formatted(backend.address())), 1);
    }

    private void startUntrusted(boolean forwarded) throws Exception {
        start("", forwarded ? "server:\n  forwarded_header: true\n" : "");
    }

    private void startTrusted(boolean forwarded) throws Exception {
        start("geo:\n  trusted_sources: [127.0.0.0/8]\n", forwarded ? "server:\n  forwarded_header: true\n" : "");
    }

    /** One GET from 127.0.0.1 with these header lines; the headers the backend received. */
    private HttpHeaders send(String... headerLines) throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get(HOST, "/", headerLines).status()).isEqualTo(200);
        }
        return backend.lastReceived().headers();
    }

    // ---- X-Forwarded-For ----------------------------------------------------------------------------------

    @Test
    void forwardedForIsSetWhenAbsentAndAppendedToFromAnUntrustedPeer() throws Exception {
        startUntrusted(false);
        assertThat(send().getAll("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(send("X-Forwarded-For: 203.0.113.7").getAll("x-forwarded-for"))
                .containsExactly("203.0.113.7, 127.0.0.1");
        assertThat(send("X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.2").getAll("x-forwarded-for"))
                .containsExactly("203.0.113.7, 198.51.100.2, 127.0.0.1");
    }

    @Test
    void forwardedForIsAppendedToFromATrustedPeer() throws Exception {
        startTrusted(false);
        assertThat(send("X-Forwarded-For: 203.0.113.7").getAll("x-forwarded-for"))
                .containsExactly("203.0.113.7, 127.0.0.1");
    }

    // ---- X-Forwarded-Proto and X-Forwarded-Host ------------------------------------------------------------

    @Test
    void protoAndHostFromAnUntrustedPeerAreReplaced() throws Exception {
        startUntrusted(false);
        HttpHeaders h = send("X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example");

        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.getAll("x-forwarded-host")).containsExactly(HOST);
        assertThat(h.get("host")).isEqualTo(HOST);
    }

    @Test
    void protoAndHostFromAPeerOutsideTheTrustedSourcesAreReplaced() throws Exception {
        start("geo:\n  trusted_header: x-loc\n  trusted_sources: [10.0.0.0/8]\n", "");
        HttpHeaders h = send("X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example");

        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.getAll("x-forwarded-host")).containsExactly(HOST);
    }

    @Test
    void protoAndHostFromATrustedPeerAreKept() throws Exception {
        startTrusted(false);
        HttpHeaders h = send("X-Forwarded-Proto: https", "X-Forwarded-Host: www.example");

        assertThat(h.getAll("x-forwarded-proto")).containsExactly("https");
        assertThat(h.getAll("x-forwarded-host")).containsExactly("www.example");
    }

    @Test
    void aTrustedPeerThatSentNoneGetsMeridiansOwn() throws Exception {
        startTrusted(false);
        HttpHeaders h = send();

        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.getAll("x-forwarded-host")).containsExactly(HOST);
    }

    @Test
    void trustIsPerPeerAddressOnOneProxy() throws Exception {
        start("geo:\n  trusted_sources: [127.0.0.2/32]\n", "");
        try (RawHttpClient edge = new RawHttpClient(proxy.address(), InetAddress.getByName("127.0.0.2"));
             RawHttpClient direct = new RawHttpClient(proxy.address())) {
            assertThat(edge.get(HOST, "/", "X-Forwarded-Proto: https").status()).isEqualTo(200);
            assertThat(backend.lastReceived().headers().getAll("x-forwarded-proto")).containsExactly("https");
            assertThat(backend.lastReceived().headers().get("x-forwarded-for")).isEqualTo("127.0.0.2");
            assertThat(direct.get(HOST, "/", "X-Forwarded-Proto: https").status()).isEqualTo(200);
            assertThat(backend.lastReceived().headers().getAll("x-forwarded-proto")).containsExactly("http");
            assertThat(edge.get(HOST, "/", "X-Forwarded-Proto: https").status()).isEqualTo(200);
            assertThat(backend.lastReceived().headers().getAll("x-forwarded-proto")).containsExactly("https");
        }
    }

    // ---- X-Request-Id ---------------------------------------------------------------------------------------

    @Test
    void anUntrustedPeersRequestIdIsReplaced() throws Exception {
        startUntrusted(false);
        String first = send("X-Request-Id: abc-123").get("x-request-id");
        String second = send("X-Request-Id: abc-123").get("x-request-id");

        assertThat(first).matches(ID);
        assertThat(second).matches(ID).isNotEqualTo(first);
        assertThat(backend.lastReceived().headers().getAll("x-request-id")).hasSize(1);
    }

    @Test
    void aTrustedPeersRequestIdIsKept() throws Exception {
        startTrusted(false);
        assertThat(send("X-Request-Id: abc-123").getAll("x-request-id")).containsExactly("abc-123");
    }

    @Test
    void aRequestIdIsGeneratedWhenAbsentFromAnyPeer() throws Exception {
        startTrusted(false);
        assertThat(send().get("x-request-id")).matches(ID);
        proxy.close();
        startUntrusted(false);
        assertThat(send().get("x-request-id")).matches(ID);
    }

    // ---- Forwarded (RFC 7239) -------------------------------------------------------------------------------

    @Test
    void forwardedIsOffByDefaultAndTheClientsPassesUntouched() throws Exception {
        startUntrusted(false);
        assertThat(send().contains("forwarded")).isFalse();
        assertThat(send("Forwarded: for=203.0.113.7;proto=https").getAll("forwarded"))
                .containsExactly("for=203.0.113.7;proto=https");
    }

    @Test
    void forwardedWhenOnIsSetForEveryRequest() throws Exception {
        startUntrusted(true);
        assertThat(send().getAll("forwarded")).containsExactly("for=127.0.0.1;proto=http;host=\"" + HOST + "\"");
    }

    @Test
    void anUntrustedPeersForwardedIsReplaced() throws Exception {
        startUntrusted(true);
        assertThat(send("Forwarded: for=203.0.113.7;proto=https").getAll("forwarded"))
                .containsExactly("for=127.0.0.1;proto=http;host=\"" + HOST + "\"");
    }

    @Test
    void aTrustedPeersForwardedIsAppendedTo() throws Exception {
        startTrusted(true);
        assertThat(send("Forwarded: for=203.0.113.7;proto=https", "Forwarded: for=198.51.100.2").getAll("forwarded"))
                .containsExactly("for=203.0.113.7;proto=https, for=198.51.100.2, for=127.0.0.1;proto=http;host=\""
                        + HOST + "\"");
    }
}
