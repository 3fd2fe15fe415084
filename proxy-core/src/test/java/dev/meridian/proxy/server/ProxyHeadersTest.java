package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** {@link ProxyHeaders#prepareRequest} on Netty headers: the policy's answer, one line per forwarding header. */
class ProxyHeadersTest {

    @Test
    void repeatedLinesAreJoinedBeforeTheyAreAppendedToAndLeaveAsOne() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("X-Forwarded-For", "203.0.113.7")
                .add("X-Forwarded-For", "198.51.100.2")
                .add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-Proto", "https");

        ProxyHeaders.prepareRequest(h, "127.0.0.1", false, "shop.example", "1.1", false);

        assertThat(h.getAll("x-forwarded-for")).containsExactly("203.0.113.7, 198.51.100.2, 127.0.0.1");
        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.getAll("x-forwarded-host")).containsExactly("shop.example");
        assertThat(h.getAll("x-request-id")).singleElement().asString().matches("[0-9a-f]{32}");
        assertThat(h.getAll("via")).containsExactly("1.1 meridian");
    }

    @Test
    void aHeaderThePolicyDoesNotSendIsRemoved() {
        HttpHeaders h = new DefaultHttpHeaders().add("X-Forwarded-Host", "evil.example");

        ProxyHeaders.prepareRequest(h, "127.0.0.1", false, null, "1.0", false);

        assertThat(h.contains("x-forwarded-host")).isFalse();
        assertThat(h.get("via")).isEqualTo("1.0 meridian");
    }

    @Test
    void aTrustedPeersValuesStayAndForwardedIsAppendedTo() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-Host", "www.example")
                .add("X-Request-Id", "edge-42")
                .add("Forwarded", "for=203.0.113.7;proto=https")
                .add("Connection", "x-hop")
                .add("X-Hop", "gone");

        ProxyHeaders.prepareRequest(h, "10.0.0.5", true, "origin.internal", "1.1", true);

        assertThat(h.get("x-forwarded-proto")).isEqualTo("https");
        assertThat(h.get("x-forwarded-host")).isEqualTo("www.example");
        assertThat(h.get("x-request-id")).isEqualTo("edge-42");
        assertThat(h.getAll("forwarded"))
                .containsExactly("for=203.0.113.7;proto=https, for=10.0.0.5;proto=http;host=origin.internal");
        assertThat(h.contains("x-hop")).isFalse();
        assertThat(h.contains("connection")).isFalse();
    }

    @Test
    void theShortFormTreatsThePeerAsUntrusted() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("X-Forwarded-Proto", "https")
                .add("X-Request-Id", "chosen-by-client")
                .add("Forwarded", "for=unknown");

        ProxyHeaders.prepareRequest(h, "127.0.0.1", "a", "1.1");

        assertThat(h.get("x-forwarded-proto")).isEqualTo("http");
        assertThat(h.get("x-request-id")).matches("[0-9a-f]{32}");
        assertThat(h.get("forwarded")).isEqualTo("for=unknown");
    }
}
