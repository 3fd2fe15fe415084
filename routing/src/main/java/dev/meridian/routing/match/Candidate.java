package dev.meridian.routing.match;

import dev.meridian.routing.HeaderLookup;

/**
 * A route as the matcher sees it once host and path have matched: the payload to return and its header conditions.
 */
final class Candidate<R> {
    private final R payload;
    private final HeaderCondition[] conditions;

    Candidate(R payload, HeaderCondition[] conditions) {
        this.payload = payload;
        this.conditions = conditions;
    }

    R payload() {
        return payload;
    }

    boolean accepts(HeaderLookup headers) {
        for (HeaderCondition condition : conditions) {
            if (!condition.holds(headers)) {
                return false;
            }
        }
        return true;
    }

    /** The payload of the first candidate, in array order, whose headers hold; null when none. */
    static <R> R first(Candidate<R>[] candidates, HeaderLookup headers) {
        for (Candidate<R> candidate : candidates) {
            if (candidate.accepts(headers)) {
                return candidate.payload;
            }
        }
        return null;
    }
}
