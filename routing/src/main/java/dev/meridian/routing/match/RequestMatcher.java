package dev.meridian.routing.match;

import dev.meridian.config.RouteMatch;
import dev.meridian.routing.HeaderLookup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the route of a request, without allocating and without scanning the routes. Host groups are tried in
 * order, exact host, then {@code *.suffix} wildcards longest first, then routes without a host; the first group
 * with a route whose path and headers match answers. Within a group an exact path beats prefixes, the longest
 * prefix wins and ties go to declared order (see {@link PathTrie}). Immutable and thread-safe.
 *
 * <pre>{@code
 * RequestMatcher<Route> m = RequestMatcher.<Route>builder().add(route.config().match(), route).build();
 * Route r = m.match(request.headers().get(HOST), request.uri(), request.headers()::get);
 * }</pre>
 *
 * @param <R> what a match returns
 */
public final class RequestMatcher<R> {
    private final HostTable<PathTrie<R>> exactHosts;
    private final HostTable<WildcardGroup<R>> wildcards;
    private final PathTrie<R> anyHost;

    private RequestMatcher(HostTable<PathTrie<R>> exactHosts, HostTable<WildcardGroup<R>> wildcards,
                           PathTrie<R> anyHost) {
        this.exactHosts = exactHosts;
        this.wildcards = wildcards;
        this.anyHost = anyHost;
    }

    /** A builder to which routes are added in declared order. */
    public static <R> Builder<R> builder() {
        return new Builder<>();
    }

    /**
     * The payload of the matching route, or null.
     *
     * @param host    the Host header as received (any case, optional port and trailing dot), or null
     * @param uri     the request target in origin form; the query is ignored
     * @param headers the request's headers, for header conditions
     */
    public R match(CharSequence host, CharSequence uri, HeaderLookup headers) {
        if (host != null) {
            long endAndHash = HostName.endAndForwardHash(host);
            int end = (int) (endAndHash >>> 32);
            if (!exactHosts.isEmpty()) {
                PathTrie<R> paths = exactHosts.get(host, 0, end, (int) endAndHash);
                R r = paths == null ? null : paths.match(uri, headers);
                if (r != null) {
                    return r;
                }
            }
            if (!wildcards.isEmpty()) {
                for (WildcardGroup<R> g = longestWildcard(host, end); g != null; g = g.shorter) {
                    R r = g.paths.match(uri, headers);
                    if (r != null) {
                        return r;
                    }
                }
            }
        }
        return anyHost == null ? null : anyHost.match(uri, headers);
    }

    /**
     * Walks the host right to left, so each suffix's hash is ready when its dot is reached; the last hit is the
     * longest suffix. A dot at index 0 would leave an empty label for the {@code *}, so it is not a candidate.
     */
    private WildcardGroup<R> longestWildcard(CharSequence host, int end) {
        WildcardGroup<R> longest = null;
        int hash = 0;
        for (int i = end - 1; i > 0; i--) {
            char c = host.charAt(i);
            hash = Ascii.hashStep(hash, c);
            if (c == '.' && wildcards.hasLength(end - i)) {
                WildcardGroup<R> g = wildcards.get(host, i, end, hash);
                if (g != null) {
                    longest = g;
                }
            }
        }
        return longest;
    }

    /** The routes of one {@code *.suffix}, and the group of the next shorter suffix to fall back to. */
    private static final class WildcardGroup<R> {
        final PathTrie<R> paths;
        final WildcardGroup<R> shorter;

        WildcardGroup(PathTrie<R> paths, WildcardGroup<R> shorter) {
            this.paths = paths;
            this.shorter = shorter;
        }
    }

    /** Collects routes in declared order; not thread-safe. */
    public static final class Builder<R> {
        private final Map<String, PathTrie.Builder<R>> exact = new LinkedHashMap<>();
        /** Keyed by the suffix with its leading dot: {@code *.example.com} is {@code .example.com}. */
        private final Map<String, PathTrie.Builder<R>> wildcard = new LinkedHashMap<>();
        private PathTrie.Builder<R> any;

        private Builder() {
        }

        /**
         * Adds a route; call in declared order, which breaks ties.
         *
         * @param match what the route matches; null matches everything
         * @throws IllegalArgumentException when a path or prefix contains {@code '?'}, which could never match
         */
        public Builder<R> add(RouteMatch match, R payload) {
            RouteMatch m = match == null ? RouteMatch.ANY : match;
            Candidate<R> candidate = new Candidate<>(payload, HeaderCondition.of(m.headers()));
            PathTrie.Builder<R> paths = groupFor(m.host());
            if (m.path() != null) {
                paths.addExact(m.path(), candidate);
            } else {
                paths.addPrefix(m.pathPrefix() == null ? "" : m.pathPrefix(), candidate);
            }
            return this;
        }

        private PathTrie.Builder<R> groupFor(String host) {
            if (host == null || host.equals("*")) {
                if (any == null) {
                    any = new PathTrie.Builder<>();
                }
                return any;
            }
            if (host.startsWith("*.")) {
                return wildcard.computeIfAbsent(HostName.normalize(host.substring(1)), k -> new PathTrie.Builder<>());
            }
            return exact.computeIfAbsent(HostName.normalize(host), k -> new PathTrie.Builder<>());
        }

        /** The immutable matcher; the builder may be dropped afterwards. */
        public RequestMatcher<R> build() {
            Map<String, PathTrie<R>> exactTries = new HashMap<>();
            exact.forEach((host, paths) -> exactTries.put(host, paths.build()));
            return new RequestMatcher<>(new HostTable<>(exactTries, false), new HostTable<>(wildcardGroups(), true),
                    any == null ? null : any.build());
        }

        /** Shortest suffixes first, so each group's fallback exists by the time it is linked. */
        private Map<String, WildcardGroup<R>> wildcardGroups() {
            List<String> suffixes = new ArrayList<>(wildcard.keySet());
            suffixes.sort(Comparator.comparingInt(String::length));
            Map<String, WildcardGroup<R>> groups = new HashMap<>();
            for (String suffix : suffixes) {
                WildcardGroup<R> fallback = longestProperSuffix(suffix, groups);
                groups.put(suffix, new WildcardGroup<>(wildcard.get(suffix).build(), fallback));
            }
            return groups;
        }

        private static <G> G longestProperSuffix(String suffix, Map<String, G> shorter) {
            for (int i = suffix.indexOf('.', 1); i > 0; i = suffix.indexOf('.', i + 1)) {
                G g = shorter.get(suffix.substring(i));
                if (g != null) {
                    return g;
                }
            }
            return null;
        }
    }
}
