package dev.meridian.routing.match;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.HeaderMatch;
import dev.meridian.config.RouteMatch;
import dev.meridian.routing.HeaderLookup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The indexed matcher against a plain reading of the rules: a linear scan over host groups and sorted candidates.
 * Small alphabets make collisions (shared prefixes, nested wildcards, ties) the common case.
 */
class RequestMatcherPropertyTest {

    record Request(String host, String uri, String header) {
    }

    @Property(tries = 1000)
    void agreesWithALinearScanOfTheRules(@ForAll("routes") List<RouteMatch> routes,
                                         @ForAll("requests") List<Request> requests) {
        RequestMatcher.Builder<Integer> builder = RequestMatcher.builder();
        for (int i = 0; i < routes.size(); i++) {
            builder.add(routes.get(i), i);
        }
        RequestMatcher<Integer> matcher = builder.build();

        for (Request r : requests) {
            HeaderLookup headers = name -> name.equalsIgnoreCase("x-h") ? r.header() : null;
            assertThat(matcher.match(r.host(), r.uri(), headers))
                    .as("%s with routes %s", r, routes)
                    .isEqualTo(reference(routes, r));
        }
    }

    @Provide
    Arbitrary<List<RouteMatch>> routes() {
        Arbitrary<String> hosts = Arbitraries.of("a.com", "b.a.com", "c.b.a.com", "*.a.com", "*.b.a.com", "*.com",
                "A.COM:80").injectNull(0.3);
        Arbitrary<String> paths = Arbitraries.of("", "/", "/x", "/x/", "/x/y", "/xy", "/y");
        Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 2);
        Arbitrary<String> headerValues = Arbitraries.of("", "1").injectNull(0.3);
        Arbitrary<Boolean> withHeader = Arbitraries.of(true, false, false);
        Arbitrary<RouteMatch> route = Combinators.combine(hosts, paths, kinds, headerValues, withHeader)
                .as((host, path, kind, value, header) -> new RouteMatch(host,
                        kind == 1 ? path : null,
                        kind == 2 ? path : null,
                        header ? List.of(new HeaderMatch("X-H", value)) : List.of()));
        return route.list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<Request>> requests() {
        Arbitrary<String> hosts = Arbitraries.of("a.com", "A.Com:8080", "b.a.com.", "c.b.a.com", "d.c.b.a.com",
                "x.a.com", "com", "z.org").injectNull(0.1);
        Arbitrary<String> uris = Arbitraries.of("", "/", "/x", "/x/", "/x/y", "/x/y/z", "/xy?q=/x/y", "/y", "/x?",
                "*", "/z");
        Arbitrary<String> headers = Arbitraries.of("1", "2").injectNull(0.4);
        return Combinators.combine(hosts, uris, headers).as(Request::new).list().ofMinSize(1).ofMaxSize(10);
    }

    private static Integer reference(List<RouteMatch> routes, Request r) {
        List<Predicate<String>> groups = new ArrayList<>();
        if (r.host() != null) {
            String host = normalize(r.host());
            groups.add(h -> h != null && !h.startsWith("*.") && normalize(h).equals(host));
            for (int i = 1; i < host.length(); i++) {
                if (host.charAt(i) == '.') {
                    String suffix = host.substring(i);
                    groups.add(h -> h != null && h.startsWith("*.") && normalize(h.substring(1)).equals(suffix));
                }
            }
        }
        groups.add(Objects::isNull);
        int q = r.uri().indexOf('?');
        String path = q < 0 ? r.uri() : r.uri().substring(0, q);
        for (Predicate<String> group : groups) {
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < routes.size(); i++) {
                RouteMatch m = routes.get(i);
                boolean pathOk = m.path() != null ? m.path().equals(path)
                        : path.startsWith(m.pathPrefix() == null ? "" : m.pathPrefix());
                if (group.test(m.host()) && pathOk) {
                    candidates.add(i);
                }
            }
            candidates.sort(Comparator.comparingInt((Integer i) -> rank(routes.get(i))).thenComparingInt(i -> i));
            for (int i : candidates) {
                if (headersHold(routes.get(i), r.header())) {
                    return i;
                }
            }
        }
        return null;
    }

    /** Exact paths first, then prefixes longest first. */
    private static int rank(RouteMatch m) {
        if (m.path() != null) {
            return Integer.MIN_VALUE;
        }
        return -(m.pathPrefix() == null ? 0 : m.pathPrefix().length());
    }

    private static boolean headersHold(RouteMatch m, String header) {
        for (HeaderMatch h : m.headers()) {
            if (header == null || (h.value() != null && !h.value().equals(header))) {
                return false;
            }
        }
        return true;
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
