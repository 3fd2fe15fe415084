package dev.meridian.health.probe;

import dev.meridian.routing.EndpointState;
import io.netty.channel.EventLoop;

/** One kind of check, run on a fresh connection of its own. */
interface Probe {
    /**
     * Starts one check of {@code endpoint}; call on {@code loop}. The callback runs once, on {@code loop}, at the
     * latest when the settings' timeout expires, and the connection is closed by then.
     */
    ProbeAttempt start(EventLoop loop, EndpointState endpoint, CheckSettings settings, ProbeCallback callback);
}
