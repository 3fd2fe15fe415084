package dev.meridian.routing;

import dev.meridian.config.EndpointConfig;
import java.net.InetSocketAddress;

/**
 * What an endpoint is bound to as of one table: its config and the address resolved from it. Held as one immutable
 * value so a reader never sees the config of one reload with the address of another.
 */
record EndpointBinding(EndpointConfig config, InetSocketAddress address) {

    /** Resolves the host name now (blocking DNS for names; none for IP literals). */
    static EndpointBinding resolve(EndpointConfig config) {
        return new EndpointBinding(config, new InetSocketAddress(config.host(), config.port()));
    }
}
