package dev.meridian.proxy.server;

import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.routing.geo.GeoLocator;

/**
 * Where one connection's client is, and whether its peer is trusted. The peer address is fixed for the connection,
 * so whether it is a trusted source and where the address alone places it are worked out once per locator (a reload
 * brings a new one) and kept; only the trusted header is read per request, and only from a trusted peer. Confined to
 * the connection's event loop.
 */
final class ConnectionLocation {
    private final byte[] peer;
    private GeoLocator locator;
    private boolean trusted;
    private boolean trustedSource;
    private boolean addressKnown;
    private ClientLocation byAddress;

    /** @param peer the TCP peer's address, 4 or 16 bytes */
    ConnectionLocation(byte[] peer) {
        this.peer = peer;
    }

    /** The client's location under {@code current}: the trusted header, else the address; null when unknown. */
    ClientLocation locate(GeoLocator current, HeaderLookup headers) {
        if (current != locator) {
            locator = current;
            trusted = current.trusts(peer);
            trustedSource = current.isTrustedSource(peer);
            addressKnown = false;
        }
        if (trusted) {
            ClientLocation stated = current.readTrustedHeader(headers.get(current.trustedHeader()));
            if (stated != null) {
                return stated;
            }
        }
        if (!addressKnown) {
            byAddress = current.locateAddress(peer);
            addressKnown = true;
        }
        return byAddress;
    }

    /** Whether the peer may state its location, under the locator of the last {@link #locate} call. */
    boolean trustedPeer() {
        return trusted;
    }

    /**
     * Whether the peer is in {@code geo.trusted_sources} under the locator of the last {@link #locate} call, a
     * trusted header configured or not: its forwarding headers are kept.
     */
    boolean trustedSource() {
        return trustedSource;
    }
}
