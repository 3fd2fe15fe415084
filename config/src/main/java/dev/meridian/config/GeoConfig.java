package dev.meridian.config;

import java.util.List;

/**
 * Where a client is: the trusted header (honoured only from {@code trustedSources}), else the CIDR table, else the
 * MaxMind database when one is configured.
 *
 * @param trustedHeader   header name carrying the client's location, null: none
 * @param trustedSources  CIDRs of peers (e.g. a CDN) whose {@code trustedHeader} is believed
 * @param cidrs           longest prefix wins
 * @param maxmindDatabase path to a GeoIP2/GeoLite2 City or Country database, null: none
 */
public record GeoConfig(String trustedHeader, List<String> trustedSources, List<GeoCidr> cidrs,
                        String maxmindDatabase) {
    public static final GeoConfig NONE = new GeoConfig(null, List.of(), List.of(), null);

    public GeoConfig {
        trustedSources = List.copyOf(trustedSources);
        cidrs = List.copyOf(cidrs);
    }
}
