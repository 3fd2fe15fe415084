package dev.meridian.routing.explain;

/**
 * One endpoint as a decision saw it.
 *
 * @param id           the endpoint id
 * @param region       its region
 * @param jurisdiction where its data lives (its own, else its region's)
 * @param status       its health status now
 * @param priority     its configured priority level
 * @param removedBy    the filter that removed it: {@code compliance}, {@code drain}, {@code maintenance},
 *                     {@code status}, {@code weight}, {@code priority}; null when it could be picked
 * @param weight       the weight a pick gives it now (effective: slow start and degradation applied)
 * @param inFlight     requests in flight
 * @param latencyMs    its Peak-EWMA response time estimate
 * @param distanceKm   great-circle distance from the client to its region; NaN when either place is unknown
 * @param cost         its configured cost
 * @param panic        whether its level routes in panic mode (healthy or not)
 */
public record Candidate(String id, String region, String jurisdiction, String status, int priority,
                        String removedBy, int weight, int inFlight, double latencyMs, double distanceKm, double cost,
                        boolean panic) {
}
