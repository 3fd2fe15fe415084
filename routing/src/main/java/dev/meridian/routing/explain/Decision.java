package dev.meridian.routing.explain;

import java.util.List;

/**
 * Why a request goes where it goes: the route it matched, the cluster, what the residency rules allowed, every
 * endpoint of the cluster with the filter that removed it or the live figures it was judged on, and the winner.
 *
 * @param route        the matched route's name, or null when none matched (then nothing else is set)
 * @param cluster      the target cluster, or null (no route, or a split with no weight)
 * @param policy       the cluster's policy, in YAML spelling
 * @param client       the client's location as resolved, e.g. {@code DE/EU@52.5,13.4}, or {@code unknown}
 * @param allowed      the endpoint jurisdictions the residency rules allow: {@code any}, {@code EU|UK}, or empty
 *                     when the client is refused outright
 * @param candidates   every endpoint of the cluster, in config order
 * @param winner       the endpoint a pick chose now, or null when none can take the request
 * @param outcome      one line: where the request goes, or the status and reason it would be refused with
 */
public record Decision(String route, String cluster, String policy, String client, String allowed,
                       List<Candidate> candidates, String winner, String outcome) {
    public Decision {
        candidates = List.copyOf(candidates);
    }

    /** The short form for the {@code x-meridian-decision} response header. */
    public String shortForm() {
        return "route=" + route + "; cluster=" + cluster + "; policy=" + policy + "; endpoint=" + winner
                + "; client=" + client + "; allowed=" + allowed;
    }
}
