package dev.meridian.proxy.server;

import static dev.meridian.proxy.server.ForwardingHeaders.Field.FORWARDED;
import static dev.meridian.proxy.server.ForwardingHeaders.Field.X_FORWARDED_FOR;
import static dev.meridian.proxy.server.ForwardingHeaders.Field.X_FORWARDED_HOST;
import static dev.meridian.proxy.server.ForwardingHeaders.Field.X_FORWARDED_PROTO;
import static dev.meridian.proxy.server.ForwardingHeaders.Field.X_REQUEST_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.server.ForwardingHeaders.Field;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The forwarding rules alone, no sockets: what each header becomes from a trusted and an untrusted peer. */
class ForwardingHeadersDecideTest {
    private static final String PEER = "192.0.2.10";

    /** What the client sent, by field; absent fields are null. */
    private final Map<Field, CharSequence> sent = new EnumMap<>(Field.class);
    private final List<Field> order = new ArrayList<>();

    private Map<Field, CharSequence> decide(boolean trusted, String peer, String host, boolean forwarded) {
        Map<Field, CharSequence> out = new EnumMap<>(Field.class);
        order.clear();
        ForwardingHeaders.decide(trusted, peer, "http", host, sent.get(X_FORWARDED_FOR), sent.get(X_FORWARDED_PROTO),
                sent.get(X_FORWARDED_HOST), sent.get(X_REQUEST_ID), sent.get(FORWARDED), forwarded, (field, value) -> {
                    assertThat(out).as("each field is given once").doesNotContainKey(field);
                    out.put(field, value);
                    order.add(field);
                });
        return out;
    }

    private Map<Field, CharSequence> untrusted() {
        return decide(false, PEER, "shop.example", false);
    }

    private Map<Field, CharSequence> trusted() {
        return decide(true, PEER, "shop.example", false);
    }

    @Test
    void aBareRequestGetsEveryHeaderSetInFieldOrder() {
        Map<Field, CharSequence> out = decide(false, PEER, "shop.example", true);

        assertThat(out.get(X_FORWARDED_FOR)).isEqualTo(PEER);
        assertThat(out.get(X_FORWARDED_PROTO)).isEqualTo("http");
        assertThat(out.get(X_FORWARDED_HOST)).isEqualTo("shop.example");
        assertThat(out.get(X_REQUEST_ID).toString()).matches("[0-9a-f]{32}");
        assertThat(out.get(FORWARDED)).isEqualTo("for=192.0.2.10;proto=http;host=shop.example");
        assertThat(order).containsExactly(Field.values());
    }

    @Test
    void forwardedForIsAppendedToFromAnyPeer() {
        sent.put(X_FORWARDED_FOR, "203.0.113.7, 198.51.100.2");

        assertThat(untrusted().get(X_FORWARDED_FOR)).isEqualTo("203.0.113.7, 198.51.100.2, " + PEER);
        assertThat(trusted().get(X_FORWARDED_FOR)).isEqualTo("203.0.113.7, 198.51.100.2, " + PEER);
        sent.put(X_FORWARDED_FOR, " ");
        assertThat(untrusted().get(X_FORWARDED_FOR)).isEqualTo(PEER);
    }

    @Test
    void protoAndHostAreReplacedForAnUntrustedPeerAndKeptForATrustedOne() {
        String proto = "https";
        String host = "www.example";
        sent.put(X_FORWARDED_PROTO, proto);
        sent.put(X_FORWARDED_HOST, host);

        assertThat(untrusted().get(X_FORWARDED_PROTO)).isEqualTo("http");
        assertThat(untrusted().get(X_FORWARDED_HOST)).isEqualTo("shop.example");
        // Kept means the same value object: a caller can tell nothing changed.
        assertThat(trusted().get(X_FORWARDED_PROTO)).isSameAs(proto);
        assertThat(trusted().get(X_FORWARDED_HOST)).isSameAs(host);
    }

    @Test
    void aTrustedPeerWithoutTheHeadersGetsMeridiansOwn() {
        assertThat(trusted().get(X_FORWARDED_PROTO)).isEqualTo("http");
        assertThat(trusted().get(X_FORWARDED_HOST)).isEqualTo("shop.example");
        sent.put(X_FORWARDED_PROTO, "");
        assertThat(trusted().get(X_FORWARDED_PROTO)).isEqualTo("http");
    }

    @Test
    void withoutAHostAnUntrustedClientsForwardedHostIsNotSent() {
        sent.put(X_FORWARDED_HOST, "evil.example");

        assertThat(decide(false, PEER, null, false)).doesNotContainKey(X_FORWARDED_HOST);
        assertThat(decide(false, PEER, "", false)).doesNotContainKey(X_FORWARDED_HOST);
        assertThat(decide(true, PEER, null, false).get(X_FORWARDED_HOST)).isEqualTo("evil.example");
    }

    @Test
    void aRequestIdIsKeptFromATrustedPeerOnly() {
        String id = "abc-123";
        sent.put(X_REQUEST_ID, id);

        assertThat(trusted().get(X_REQUEST_ID)).isSameAs(id);
        CharSequence replaced = untrusted().get(X_REQUEST_ID);
        assertThat(replaced.toString()).matches("[0-9a-f]{32}");
        assertThat(untrusted().get(X_REQUEST_ID)).isNotEqualTo(replaced);
    }

    @Test
    void anUnusableRequestIdIsReplacedEvenFromATrustedPeer() {
        sent.put(X_REQUEST_ID, "x".repeat(ForwardingHeaders.MAX_REQUEST_ID_LENGTH + 1));
        assertThat(trusted().get(X_REQUEST_ID).toString()).matches("[0-9a-f]{32}");
        sent.put(X_REQUEST_ID, "x".repeat(ForwardingHeaders.MAX_REQUEST_ID_LENGTH));
        assertThat(trusted().get(X_REQUEST_ID)).hasSize(ForwardingHeaders.MAX_REQUEST_ID_LENGTH);
        sent.put(X_REQUEST_ID, "  ");
        assertThat(trusted().get(X_REQUEST_ID).toString()).matches("[0-9a-f]{32}");
    }

    @Test
    void forwardedIsLeftAsItCameWhenDisabled() {
        assertThat(untrusted()).doesNotContainKey(FORWARDED);
        String client = "for=203.0.113.7";
        sent.put(FORWARDED, client);
        assertThat(untrusted().get(FORWARDED)).isSameAs(client);
    }

    @Test
    void forwardedIsAppendedToFromATrustedPeerAndReplacedForAnUntrustedOne() {
        sent.put(FORWARDED, "for=203.0.113.7;proto=https");

        assertThat(decide(true, PEER, "shop.example", true).get(FORWARDED))
                .isEqualTo("for=203.0.113.7;proto=https, for=192.0.2.10;proto=http;host=shop.example");
        assertThat(decide(false, PEER, "shop.example", true).get(FORWARDED))
                .isEqualTo("for=192.0.2.10;proto=http;host=shop.example");
    }

    @Test
    void anIpv6NodeIsBracketedAndQuotedAndAHostWithAPortQuoted() {
        assertThat(decide(false, "2001:db8::1", "shop.example:8443", true).get(FORWARDED))
                .isEqualTo("for=\"[2001:db8::1]\";proto=http;host=\"shop.example:8443\"");
        assertThat(decide(false, "2001:db8::1", "[2001:db8::2]:80", true).get(FORWARDED))
                .isEqualTo("for=\"[2001:db8::1]\";proto=http;host=\"[2001:db8::2]:80\"");
        assertThat(decide(false, "2001:db8::1", null, true).get(FORWARDED))
                .isEqualTo("for=\"[2001:db8::1]\";proto=http");
        assertThat(decide(false, "2001:db8::1", null, true).get(X_FORWARDED_FOR)).isEqualTo("2001:db8::1");
    }

    @Test
    void quotesAndBackslashesInAHostAreEscaped() {
        assertThat(ForwardingHeaders.forwardedElement(PEER, "http", "a\"b\\c"))
                .isEqualTo("for=192.0.2.10;proto=http;host=\"a\\\"b\\\\c\"");
    }

    @Test
    void fieldsAreFoundByNameInAnyCase() {
        assertThat(Field.of("X-Forwarded-For")).isEqualTo(X_FORWARDED_FOR);
        assertThat(Field.of("FORWARDED")).isEqualTo(FORWARDED);
        assertThat(Field.of("x-request-id")).isEqualTo(X_REQUEST_ID);
        assertThat(Field.of("x-forwarded-fox")).isNull();
        assertThat(Field.of("via")).isNull();
    }
}
