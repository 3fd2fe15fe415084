package dev.meridian.proxy.server;

import dev.meridian.config.ScoreWeights;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.geo.ClientLocation;

/**
 * What the pickers need to know of the current exchange: its hash key, its client's location, its route's score
 * weights. One per connection, reused for every exchange. The event loop's {@link PickContext} is shared by every
 * connection on the loop, so the exchange re-applies these before each of its picks (first try, retries, hedges).
 */
final class RequestAttributes {
    private boolean hasHash;
    private long hash;
    private ClientLocation location;
    private ScoreWeights scoreWeights = ScoreWeights.DEFAULT;

    void reset() {
        hasHash = false;
        hash = 0;
        location = null;
        scoreWeights = ScoreWeights.DEFAULT;
    }

    void hash(long keyHash) {
        hasHash = true;
        hash = keyHash;
    }

    void location(ClientLocation clientLocation) {
        location = clientLocation;
    }

    ClientLocation location() {
        return location;
    }

    void scoreWeights(ScoreWeights weights) {
        scoreWeights = weights;
    }

    /** Sets these as the context's request attributes; returns the context, ready to pick. */
    PickContext applyTo(PickContext ctx) {
        ctx.beginRequest().location(location).scoreWeights(scoreWeights);
        if (hasHash) {
            ctx.hash(hash);
        }
        return ctx;
    }
}
