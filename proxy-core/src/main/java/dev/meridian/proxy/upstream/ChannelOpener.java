package dev.meridian.proxy.upstream;

import io.netty.channel.ChannelFuture;
import java.time.Duration;

/**
 * Where an {@link UpstreamPool} gets each new channel: a socket of the server's transport, or, for tests of what runs
 * above the pool, a channel in memory. The pool installs its codec and connection handler on the channel, then
 * connects it through its pipeline.
 */
@FunctionalInterface
public interface ChannelOpener {

    /**
     * A new channel on the pool's event loop, registered but not connected; a failed future when no channel could be
     * had (out of file descriptors), in which case nothing is registered.
     *
     * @param connectTimeout how long the channel's connect may take before it fails
     */
    ChannelFuture open(Duration connectTimeout);
}
