/**
 * Balancing: eligible sets published atomically per cluster ({@link dev.meridian.routing.balance.ClusterSlot}), and
 * weighted tables precomputed at publish time so a pick is arithmetic on a per-event-loop ticket.
 */
package dev.meridian.routing.balance;
