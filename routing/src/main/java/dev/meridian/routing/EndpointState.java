package dev.meridian.routing;

import dev.meridian.config.EndpointConfig;
import java.net.InetSocketAddress;

/**
 * One endpoint's identity and live figures. One instance per endpoint id, carried across reloads; figures are
 * atomics written by the data plane (and later the health subsystem) and read by pickers without locks.
 */
public final class EndpointState {

    public String id() {
        throw new UnsupportedOperationException("being written");
    }

    /** The endpoint's config as of the newest table that contains it. */
    public EndpointConfig config() {
        throw new UnsupportedOperationException("being written");
    }

    /** The resolved address to connect to. */
    public InetSocketAddress address() {
        throw new UnsupportedOperationException("being written");
    }

    public int inFlight() {
        throw new UnsupportedOperationException("being written");
    }

    /** A request was sent to this endpoint. */
    public void requestStarted() {
        throw new UnsupportedOperationException("being written");
    }

    /** A request sent to this endpoint ended, whatever the outcome. */
    public void requestEnded() {
        throw new UnsupportedOperationException("being written");
    }

    /** Requests ever sent here (started). */
    public long requestsTotal() {
        throw new UnsupportedOperationException("being written");
    }
}
