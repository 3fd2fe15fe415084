package dev.meridian.routing.match;

import dev.meridian.config.HeaderMatch;
import dev.meridian.routing.HeaderLookup;
import java.util.List;

/**
 * One header condition of a route: present when {@code value} is null, else exactly equal (case-sensitive value;
 * the {@link HeaderLookup} handles the name's case).
 */
record HeaderCondition(String name, String value) {
    static final HeaderCondition[] NONE = new HeaderCondition[0];

    static HeaderCondition[] of(List<HeaderMatch> matches) {
        if (matches.isEmpty()) {
            return NONE;
        }
        HeaderCondition[] conditions = new HeaderCondition[matches.size()];
        for (int i = 0; i < conditions.length; i++) {
            HeaderMatch m = matches.get(i);
            conditions[i] = new HeaderCondition(m.name(), m.value());
        }
        return conditions;
    }

    boolean holds(HeaderLookup headers) {
        String actual = headers.get(name);
        return actual != null && (value == null || value.equals(actual));
    }
}
