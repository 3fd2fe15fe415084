package dev.meridian.proxy.server;

import dev.meridian.routing.EndpointState;
import java.util.Arrays;

/**
 * The endpoints one request was sent to, in order, so a retry or a hedge goes elsewhere. Reused across the
 * requests of a connection; grows only past four tries.
 */
final class TriedEndpoints {
    private EndpointState[] tried = new EndpointState[4];
    private int count;

    void add(EndpointState endpoint) {
        if (count == tried.length) {
            tried = Arrays.copyOf(tried, tried.length * 2);
        }
        tried[count++] = endpoint;
    }

    /** Tries so far, the first included. */
    int count() {
        return count;
    }

    /** The backing array, valid up to {@link #count()}: handed to the picker as is, with no copy. */
    EndpointState[] array() {
        return tried;
    }

    void clear() {
        Arrays.fill(tried, 0, count, null);
        count = 0;
    }
}
