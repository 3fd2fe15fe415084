package dev.meridian.routing.balance;

import dev.meridian.routing.geo.ClientLocation;
import java.util.function.Function;

/**
 * What a cluster's regions look like from one client location (distances, nearest-first order), kept per location
 * instance. Locations resolved from the config's tables are shared by every request from that place, so the
 * trigonometry is done once per place rather than per pick.
 *
 * <p>Open addressing on the identity hash, probing a few slots, without locks: an entry is immutable and its fields
 * final, so a plain array publishes it safely; a racing reader sees an older entry or none and computes again. A hit
 * allocates nothing. Beyond a few hundred distinct places in use at once, entries start to evict each other and a
 * miss costs a small allocation and the trigonometry; a location built per request always misses.
 */
final class LocationCache {
    private static final int SIZE = 256;
    private static final int PROBES = 4;

    /** A location's figures: km per region index, and region indices nearest first. */
    record Entry(ClientLocation location, double[] km, int[] order) {
    }

    private final Entry[] entries = new Entry[SIZE];
    private final Function<ClientLocation, Entry> compute;

    LocationCache(Function<ClientLocation, Entry> compute) {
        this.compute = compute;
    }

    Entry get(ClientLocation location) {
        int home = System.identityHashCode(location);
        int free = -1;
        for (int p = 0; p < PROBES; p++) {
            int i = (home + p) & (SIZE - 1);
            Entry e = entries[i];
            if (e == null) {
                free = free < 0 ? i : free;
            } else if (e.location() == location) {
                return e;
            }
        }
        Entry e = compute.apply(location);
        // All probed slots taken: evict the home slot's entry, a choice as good as any without bookkeeping.
        entries[free >= 0 ? free : home & (SIZE - 1)] = e;
        return e;
    }
}
