package dev.meridian.proxy.admin;

import dev.meridian.config.HashConfig;
import dev.meridian.config.HashKeyKind;
import dev.meridian.config.Policy;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.XxHash64;
import dev.meridian.routing.explain.ExplainRequest;
import dev.meridian.routing.geo.ClientLocation;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.NetUtil;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code /explain?host=&path=&client_ip=&header=name:value&location=...}: turns the query into the request the proxy
 * would see. {@code client_ip} is placed by the table's CIDR table and database, {@code location} is read as the
 * trusted location header would be (it wins over the address, as a trusted header does), and the consistent-hashing
 * key is hashed as the proxy hashes it when the route goes to one hashing cluster.
 */
final class ExplainQuery {
    private ExplainQuery() {
    }

    static ExplainRequest parse(QueryStringDecoder query, RoutingTable table) {
        Map<String, List<String>> p = query.parameters();
        String host = one(p, "host");
        String path = one(p, "path");
        if (path == null) {
            path = "/";
        } else if (!path.startsWith("/")) {
            throw new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST, "path must start with '/', got '" + path
                    + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : p.getOrDefault("header", List.of())) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST, "header must be name:value, got '"
                        + h + "'");
            }
            headers.put(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        String ip = one(p, "client_ip");
        byte[] address = null;
        if (ip != null) {
            address = NetUtil.createByteArrayFromIpAddressString(ip);
            if (address == null) {
                throw new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST, "client_ip must be an IPv4 or IPv6"
                        + " literal, got '" + ip + "'");
            }
        }
        String stated = one(p, "location");
        ClientLocation location = null;
        if (stated != null) {
            location = table.locator().readTrustedHeader(stated);
            if (location == null) {
                throw new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST, "unreadable location '" + stated
                        + "': write it as the trusted location header would carry it");
            }
        } else if (address != null) {
            location = table.locator().locateAddress(address);
        }
        ExplainRequest bare = new ExplainRequest(host, path, headers, location, OptionalLong.empty());
        return new ExplainRequest(host, path, headers, location, keyHash(table, bare, address));
    }

    /** The request's hash key when its route goes to one cluster that hashes; else none. */
    private static OptionalLong keyHash(RoutingTable table, ExplainRequest r, byte[] address) {
        Route route = table.match(r.host(), r.path(), name -> header(r.headers(), name));
        if (route == null || route.config().cluster() == null) {
            return OptionalLong.empty();
        }
        Cluster cluster = table.cluster(route.config().cluster());
        Policy policy = cluster.config().policy() == Policy.GEO ? cluster.config().geo().within()
                : cluster.config().policy();
        HashConfig hash = cluster.config().hash();
        if (hash == null || policy != Policy.RING_HASH && policy != Policy.MAGLEV) {
            return OptionalLong.empty();
        }
        if (hash.key() == HashKeyKind.CLIENT_IP) {
            return address == null ? OptionalLong.empty() : OptionalLong.of(XxHash64.hash(address, 0));
        }
        String value = hash.key() == HashKeyKind.HEADER ? header(r.headers(), hash.name())
                : cookie(header(r.headers(), "cookie"), hash.name());
        return value == null || value.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(XxHash64.hashLatin1(value, 0, value.length(), 0));
    }

    private static String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
                return part.substring(eq + 1).strip();
            }
        }
        return null;
    }

    private static String one(Map<String, List<String>> p, String key) {
        List<String> v = p.get(key);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }
}
