package dev.meridian.proxy.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the client connections open, in total and per client address, and says whether one more may open. Shared by
 * every event loop; per connection, never per request. An address leaves the map when its last connection closes,
 * so a scan from many addresses leaves nothing behind.
 */
final class ConnectionLimiter {
    /** Whether a connection may stay open, and if not, which limit refused it. */
    enum Verdict { ADMITTED, OVER_TOTAL, OVER_PER_CLIENT }

    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionLimiter(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /**
     * Counts a new connection from {@code client}, unless a limit refuses it: then nothing is counted. Racing
     * connections may each see the other's count and both be refused near the limit; never both admitted past it.
     */
    Verdict acquire(InetAddress client) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Verdict.OVER_TOTAL;
        }
        // merge and computeIfPresent lock only the address's bin, so counts and removals never race.
        if (perClient.merge(client, 1, Integer::sum) > maxPerClient) {
            release(client);
            return Verdict.OVER_PER_CLIENT;
        }
        return Verdict.ADMITTED;
    }

    /** A connection {@link #acquire} admitted has closed. */
    void release(InetAddress client) {
        perClient.computeIfPresent(client, (address, n) -> n == 1 ? null : n - 1);
        total.decrementAndGet();
    }

    int open() {
        return total.get();
    }

    int maxTotal() {
        return maxTotal;
    }

    int maxPerClient() {
        return maxPerClient;
    }

    /** Addresses with a connection open: what the map holds, for tests that look for leaked entries. */
    int clientsTracked() {
        return perClient.size();
    }
}
