package dev.meridian.proxy.server;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.HashConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.XxHash64;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;

/**
 * The consistent-hashing key of a request to a {@code ring_hash} or {@code maglev} cluster (or a {@code geo} one
 * hashing within its regions), read where the cluster's {@code hash:} says: a header's value, a cookie's value, or
 * the client's IP address. One per connection: the address is hashed once, on first use.
 *
 * <p>A missing or empty key leaves the request without a hash, and the picker spreads it at random: hashing "" would
 * send every keyless client to one endpoint. Values are hashed as received (header text is one char per byte), so
 * reading a key allocates nothing unless the cookie sought is not in the first {@code Cookie} header.
 */
final class HashKeys {
    private boolean addressHashed;
    private boolean hasAddressHash;
    private long addressHash;

    /** Whether picks in {@code cluster} read a key hash. */
    static boolean hashes(ClusterConfig cluster) {
        Policy p = cluster.policy() == Policy.GEO ? cluster.geo().within() : cluster.policy();
        return p == Policy.RING_HASH || p == Policy.MAGLEV;
    }

    /** Sets the key hash of the request on {@code attributes} when {@code cluster} hashes and the key is there. */
    void apply(Cluster cluster, HttpHeaders headers, Channel client, RequestAttributes attributes) {
        if (cluster == null || !hashes(cluster.config())) {
            return;
        }
        HashConfig config = cluster.config().hash();
        switch (config.key()) {
            case HEADER -> {
                String value = headers.get(config.name());
                if (value != null && !value.isEmpty()) {
                    attributes.hash(XxHash64.hashLatin1(value, 0, value.length(), 0));
                }
            }
            case COOKIE -> cookie(headers, config.name(), attributes);
            case CLIENT_IP -> {
                if (!addressHashed) {
                    hashAddress(client.remoteAddress());
                }
                if (hasAddressHash) {
                    attributes.hash(addressHash);
                }
            }
            default -> throw new IllegalStateException("hash key kind: " + config.key());
        }
    }

    private void hashAddress(SocketAddress remote) {
        addressHashed = true;
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            addressHash = XxHash64.hash(inet.getAddress().getAddress(), 0);
            hasAddressHash = true;
        }
    }

    private static void cookie(HttpHeaders headers, String name, RequestAttributes attributes) {
        String first = headers.get(HttpHeaderNames.COOKIE);
        if (first == null) {
            return;
        }
        if (hashCookie(first, name, attributes)) {
            return;
        }
        // Rare: HTTP/1.1 clients send one Cookie header, but a proxy in front may have split them. The iteration
        // order is not the order received, so this looks through all of them, the first again among them.
        Iterator<? extends CharSequence> all = headers.valueCharSequenceIterator(HttpHeaderNames.COOKIE);
        while (all.hasNext()) {
            if (hashCookie(all.next(), name, attributes)) {
                return;
            }
        }
    }

    private static boolean hashCookie(CharSequence header, String name, RequestAttributes attributes) {
        long range = cookieValue(header, name);
        if (range < 0) {
            return false;
        }
        int from = (int) (range >>> 32);
        int to = (int) range;
        if (from < to) {
            attributes.hash(XxHash64.hashLatin1(header, from, to, 0));
        }
        return true;
    }

    /**
     * Where the value of cookie {@code name} is in a {@code Cookie} header ({@code a=1; b="2"}, RFC 6265 §4.2.1),
     * without its quotes: {@code from << 32 | to}, or -1 when the cookie is not there. Names are case-sensitive.
     */
    static long cookieValue(CharSequence header, String name) {
        int n = header.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSeparator(header.charAt(i))) {
                i++;
            }
            int nameFrom = i;
            while (i < n && header.charAt(i) != '=' && header.charAt(i) != ';') {
                i++;
            }
            int nameTo = i;
            while (nameTo > nameFrom && isSpace(header.charAt(nameTo - 1))) {
                nameTo--;
            }
            if (i == n || header.charAt(i) == ';') {
                continue;   // a bare token is not a cookie
            }
            i++;
            while (i < n && isSpace(header.charAt(i))) {
                i++;
            }
            int from = i;
            while (i < n && header.charAt(i) != ';') {
                i++;
            }
            int to = i;
            while (to > from && isSpace(header.charAt(to - 1))) {
                to--;
            }
            if (to - from >= 2 && header.charAt(from) == '"' && header.charAt(to - 1) == '"') {
                from++;
                to--;
            }
            if (nameTo - nameFrom == name.length() && regionEquals(header, nameFrom, name)) {
                return (long) from << 32 | to;
            }
        }
        return -1;
    }

    private static boolean regionEquals(CharSequence s, int from, String name) {
        for (int k = 0; k < name.length(); k++) {
            if (s.charAt(from + k) != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSeparator(char c) {
        return c == ';' || isSpace(c);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
