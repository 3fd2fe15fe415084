package dev.meridian.routing.balance;

import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;

/**
 * One policy's way of choosing a member of a priority level. Built with the level from its members and their
 * effective weights (index for index), immutable afterwards; a pick takes no lock and allocates nothing.
 */
interface LevelPicker {
    /**
     * @param ctx  the calling event loop's context: cursors, randomness, clock and the request's attributes
     * @param slot this level's cursor slot in {@code ctx}
     * @return a member, or null when the level has none
     */
    EndpointState pick(PickContext ctx, int slot);
}
