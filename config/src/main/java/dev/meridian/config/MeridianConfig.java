package dev.meridian.config;

import java.util.List;
import java.util.Objects;

/**
 * A whole, validated Meridian configuration. Built only by {@link ConfigLoader}, which guarantees that every
 * cross-reference (route to cluster, endpoint to region) resolves.
 *
 * @param source    where the config came from (a file path or a name such as {@code <embedded demo>})
 * @param accessLog the JSON access log; off unless the config turns it on
 */
public record MeridianConfig(
        String source,
        List<ListenerConfig> listeners,
        AdminConfig admin,
        ServerConfig server,
        List<RegionConfig> regions,
        List<ClusterConfig> clusters,
        List<RouteConfig> routes,
        GeoConfig geo,
        AccessLogConfig accessLog) {

    /** A config that locates no client. */
    public MeridianConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, ServerConfig server,
                          List<RegionConfig> regions, List<ClusterConfig> clusters, List<RouteConfig> routes) {
        this(source, listeners, admin, server, regions, clusters, routes, null);
    }

    /** A config without an access log. */
    public MeridianConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, ServerConfig server,
                          List<RegionConfig> regions, List<ClusterConfig> clusters, List<RouteConfig> routes,
                          GeoConfig geo) {
        this(source, listeners, admin, server, regions, clusters, routes, geo, null);
    }

    public MeridianConfig {
        Objects.requireNonNull(source, "source");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(server, "server");
        regions = List.copyOf(regions);
        clusters = List.copyOf(clusters);
        routes = List.copyOf(routes);
        geo = geo == null ? GeoConfig.NONE : geo;
        accessLog = accessLog == null ? AccessLogConfig.OFF : accessLog;
    }

    public ClusterConfig cluster(String name) {
        for (ClusterConfig c : clusters) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    public RegionConfig region(String name) {
        for (RegionConfig r : regions) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }
}
