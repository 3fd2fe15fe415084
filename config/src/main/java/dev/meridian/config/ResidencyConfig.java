package dev.meridian.config;

import java.util.List;
import java.util.Map;

/**
 * Data-residency rules of a route: a hard filter applied before priority, spill-over, panic mode, retries and every
 * policy. A request is never sent to an endpoint outside what its client's jurisdiction allows.
 *
 * @param allow   client jurisdiction to the endpoint jurisdictions that may serve it, e.g. EU: [EU], UK: [UK, EU];
 *                a client jurisdiction not listed is unrestricted
 * @param unknown for clients whose location is unknown: {@link #DENY}, or a jurisdiction whose rule applies
 * @param status  the answer when no compliant endpoint can take the request: 503 or 451
 */
public record ResidencyConfig(Map<String, List<String>> allow, String unknown, int status) {
    public static final String DENY = "deny";

    public ResidencyConfig {
        allow = Map.copyOf(allow);
    }
}
