package dev.meridian.routing.geo;

import dev.meridian.config.Cidr;
import dev.meridian.config.GeoCidr;
import dev.meridian.config.GeoConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.routing.HeaderLookup;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a client is, from the config's {@code geo} section. In order:
 * <ol>
 *   <li>the trusted header ({@code trusted_header}), only when the TCP peer is inside one of
 *       {@code trusted_sources} (e.g. a CDN's egress ranges) and only when well formed (see {@link TrustedHeader}
 *       for its forms: a region name, a country code, or {@code country=DE; lat=50.11; lon=8.68});</li>
 *   <li>the CIDR table ({@code cidrs}), longest prefix first, IPv4 and IPv6;</li>
 *   <li>the MaxMind database ({@code maxmind_database}) when one is configured;</li>
 *   <li>else unknown: null.</li>
 * </ol>
 *
 * <p>Immutable and part of the routing snapshot: a reload builds a new one and swaps it with the table. Building it
 * reads the MaxMind file, so never build on an event loop; lookups are lock-free, do no I/O and no name
 * resolution, and the common answers (a table entry, a region or a country from the header, a cached database
 * answer) are shared instances.
 */
public final class GeoLocator {
    /** Locates nobody. */
    public static final GeoLocator NONE = new GeoLocator(null, CidrTable.empty(), CidrTable.empty(),
            new LocationResolver(List.of()), null);

    private final String trustedHeader;
    private final CidrTable<Boolean> trustedSources;
    private final CidrTable<ClientLocation> table;
    private final LocationResolver resolver;
    private final MaxMindLocations maxmind;

    private GeoLocator(String trustedHeader, CidrTable<Boolean> trustedSources, CidrTable<ClientLocation> table,
                       LocationResolver resolver, MaxMindLocations maxmind) {
        this.trustedHeader = trustedHeader;
        this.trustedSources = trustedSources;
        this.table = table;
        this.resolver = resolver;
        this.maxmind = maxmind;
    }

    /** As {@link #of(MeridianConfig, GeoLocator)} with nothing to carry over. */
    public static GeoLocator of(MeridianConfig config) {
        return of(config, null);
    }

    /**
     * Builds the locator of a config. When {@code previous} read the same MaxMind file and the file has not changed,
     * its in-memory database and cache are reused rather than read again.
     *
     * @throws IllegalArgumentException when the geo section breaks a rule the loader should have enforced (a bad
     *                                  CIDR, a prefix listed twice, an undeclared region), or the MaxMind file
     *                                  cannot be read
     */
    public static GeoLocator of(MeridianConfig config, GeoLocator previous) {
        GeoConfig geo = config.geo();
        LocationResolver resolver = new LocationResolver(config.regions());
        CidrTable.Builder<Boolean> trusted = CidrTable.builder();
        Set<Cidr> distinct = new LinkedHashSet<>();
        for (String source : geo.trustedSources()) {
            Cidr cidr = Cidr.parse(source);
            if (cidr == null) {
                throw new IllegalArgumentException("geo.trusted_sources: '" + source
                        + "' (expected: an IPv4 or IPv6 prefix such as 203.0.113.0/24)");
            }
            if (distinct.add(cidr)) {
                trusted.add(cidr, Boolean.TRUE);
            }
        }
        CidrTable.Builder<ClientLocation> cidrs = CidrTable.builder();
        for (GeoCidr entry : geo.cidrs()) {
            Cidr cidr = Cidr.parse(entry.cidr());
            if (cidr == null) {
                throw new IllegalArgumentException("geo.cidrs: '" + entry.cidr()
                        + "' (expected: an IPv4 or IPv6 prefix such as 10.1.0.0/16)");
            }
            StringBuilder why = new StringBuilder();
            ClientLocation location = resolver.resolve(entry.region(), entry.country(), entry.jurisdiction(),
                    entry.latitude(), entry.longitude(), true, why);
            if (location == null) {
                throw new IllegalArgumentException("geo.cidrs " + entry.cidr() + ": " + why);
            }
            try {
                cidrs.add(cidr, location);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("geo.cidrs: " + e.getMessage(), e);
            }
        }
        MaxMindLocations maxmind = null;
        if (geo.maxmindDatabase() != null) {
            maxmind = MaxMindLocations.open(geo.maxmindDatabase(), previous == null ? null : previous.maxmind,
                    MaxMindLocations.DEFAULT_CACHE_SIZE);
        }
        String header = geo.trustedHeader() == null || geo.trustedHeader().isBlank() ? null : geo.trustedHeader();
        return new GeoLocator(header, trusted.build(), cidrs.build(), resolver, maxmind);
    }

    /** The header to read a trusted location from, or null when none is configured. */
    public String trustedHeader() {
        return trustedHeader;
    }

    /** Whether a request from this peer may state its location in the trusted header. */
    public boolean trusts(byte[] peerAddress) {
        return trustedHeader != null && isTrustedSource(peerAddress);
    }

    /**
     * Whether the peer is one of {@code trusted_sources}, with or without a trusted header: such a peer is a proxy
     * of the operator's, whose forwarding headers (X-Forwarded-Proto, X-Request-Id, ...) are kept.
     *
     * @param peerAddress the TCP peer, 4 or 16 bytes
     */
    public boolean isTrustedSource(byte[] peerAddress) {
        return trustedSources.lookup(peerAddress) != null;
    }

    /**
     * The client's location, or null when unknown.
     *
     * @param peerAddress        the TCP peer, 4 or 16 bytes
     * @param trustedHeaderValue the value of the {@link #trustedHeader()}, or null; ignored unless the peer is
     *                           trusted
     */
    public ClientLocation locate(byte[] peerAddress, CharSequence trustedHeaderValue) {
        if (trustedHeaderValue != null && trusts(peerAddress)) {
            ClientLocation stated = TrustedHeader.parse(trustedHeaderValue, resolver);
            if (stated != null) {
                return stated;
            }
        }
        return locateAddress(peerAddress);
    }

    /** As {@link #locate(byte[], CharSequence)}, reading the header only when the peer is trusted. */
    public ClientLocation locate(byte[] peerAddress, HeaderLookup headers) {
        ClientLocation stated = fromTrustedHeader(peerAddress, headers);
        return stated != null ? stated : locateAddress(peerAddress);
    }

    /** The location a trusted peer states in the header; null when untrusted, absent or malformed. */
    public ClientLocation fromTrustedHeader(byte[] peerAddress, HeaderLookup headers) {
        if (!trusts(peerAddress)) {
            return null;
        }
        return TrustedHeader.parse(headers.get(trustedHeader), resolver);
    }

    /**
     * The location a trusted header value states, or null when absent or malformed. Checks no trust: for callers
     * that asked {@link #trusts(byte[])} once per connection and keep the answer.
     */
    public ClientLocation readTrustedHeader(CharSequence value) {
        return TrustedHeader.parse(value, resolver);
    }

    /**
     * Where the address alone places the client: the CIDR table, then the MaxMind database; null when neither
     * knows. Depends only on the address and this locator, so a caller may keep it for a connection's lifetime.
     */
    public ClientLocation locateAddress(byte[] peerAddress) {
        ClientLocation location = table.lookup(peerAddress);
        if (location != null || maxmind == null) {
            return location;
        }
        return maxmind.locate(peerAddress);
    }

    /** The CIDR table's entry count, for logs and admin. */
    public int cidrCount() {
        return table.size();
    }

    /** Whether a MaxMind database is loaded. */
    public boolean hasDatabase() {
        return maxmind != null;
    }

    MaxMindLocations maxmind() {
        return maxmind;
    }

    @Override
    public String toString() {
        return "GeoLocator[header " + (trustedHeader == null ? "none" : trustedHeader) + " from "
                + trustedSources.size() + " sources, " + table.size() + " CIDRs, database "
                + (maxmind == null ? "none" : maxmind.path()) + "]";
    }
}
