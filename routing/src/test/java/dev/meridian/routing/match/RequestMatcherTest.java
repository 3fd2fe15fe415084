package dev.meridian.routing.match;

import static dev.meridian.routing.Fixtures.exactPath;
import static dev.meridian.routing.Fixtures.headers;
import static dev.meridian.routing.Fixtures.match;
import static dev.meridian.routing.Fixtures.withHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.config.RouteMatch;
import dev.meridian.routing.HeaderLookup;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestMatcherTest {
    private static final HeaderLookup NONE = HeaderLookup.NONE;

    @Test
    void exactHostBeatsWildcardWhichBeatsAnyHostWhateverTheDeclaredOrder() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match(null, "/"), "any")
                .add(match("*.example.com", "/"), "wildcard")
                .add(match("api.example.com", "/"), "exact")
                .build();

        assertThat(m.match("api.example.com", "/x", NONE)).isEqualTo("exact");
        assertThat(m.match("www.example.com", "/x", NONE)).isEqualTo("wildcard");
        assertThat(m.match("other.org", "/x", NONE)).isEqualTo("any");
        assertThat(m.match(null, "/x", NONE)).isEqualTo("any");
    }

    @Test
    void wildcardMatchesDeeperSubdomainsButNotTheBareDomainAndTheLongestWins() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match("*.example.com", null), "example")
                .add(match("*.eu.example.com", null), "eu")
                .build();

        assertThat(m.match("a.example.com", "/", NONE)).isEqualTo("example");
        assertThat(m.match("a.b.example.com", "/", NONE)).isEqualTo("example");
        assertThat(m.match("x.eu.example.com", "/", NONE)).isEqualTo("eu");
        assertThat(m.match("eu.example.com", "/", NONE)).isEqualTo("example");
        assertThat(m.match("example.com", "/", NONE)).isNull();
        assertThat(m.match(".example.com", "/", NONE)).isNull();
        assertThat(m.match("notexample.com", "/", NONE)).isNull();
    }

    @Test
    void longestPrefixWinsAndNoPathConditionIsThePrefixOfLengthZero() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(RouteMatch.ANY, "catch-all")
                .add(match(null, "/"), "root")
                .add(match(null, "/api"), "api")
                .add(match(null, "/api/v1"), "v1")
                .build();

        assertThat(m.match("h", "/api/v1/users", NONE)).isEqualTo("v1");
        assertThat(m.match("h", "/api/v2/users", NONE)).isEqualTo("api");
        assertThat(m.match("h", "/apix", NONE)).isEqualTo("api");
        assertThat(m.match("h", "/ap", NONE)).isEqualTo("root");
        assertThat(m.match("h", "*", NONE)).isEqualTo("catch-all");
        assertThat(m.match("h", "", NONE)).isEqualTo("catch-all");
    }

    @Test
    void exactPathBeatsAnyPrefixButOnlyForThatPath() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match(null, "/health"), "prefix")
                .add(exactPath(null, "/health"), "exact")
                .build();

        assertThat(m.match("h", "/health", NONE)).isEqualTo("exact");
        assertThat(m.match("h", "/health/deep", NONE)).isEqualTo("prefix");
        assertThat(m.match("h", "/healt", NONE)).isNull();
    }

    @Test
    void tiesGoToDeclaredOrder() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match(null, "/api"), "first")
                .add(match(null, "/api"), "second")
                .build();

        assertThat(m.match("h", "/api/x", NONE)).isEqualTo("first");
    }

    @Test
    void headerConditionsRequirePresenceOrExactValue() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(withHeader(null, "/", "x-canary", "yes"), "canary")
                .add(withHeader(null, "/", "x-debug", null), "debug")
                .build();

        assertThat(m.match("h", "/", headers(Map.of("X-Canary", "yes")))).isEqualTo("canary");
        assertThat(m.match("h", "/", headers(Map.of("x-canary", "YES")))).isNull();
        assertThat(m.match("h", "/", headers(Map.of("x-debug", "")))).isEqualTo("debug");
        assertThat(m.match("h", "/", NONE)).isNull();
    }

    @Test
    void failedHeadersFallToTheNextCandidateThenToShorterPrefixes() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match(null, "/"), "root")
                .add(withHeader(null, "/api", "x-beta", null), "api-beta")
                .add(match(null, "/api"), "api")
                .add(withHeader(null, "/api/v1", "x-beta", null), "v1-beta")
                .build();

        assertThat(m.match("h", "/api/v1", headers(Map.of("x-beta", "1")))).isEqualTo("v1-beta");
        assertThat(m.match("h", "/api/v1", NONE)).isEqualTo("api");
        assertThat(m.match("h", "/other", NONE)).isEqualTo("root");
    }

    @Test
    void whenNothingInAHostGroupMatchesTheNextHostGroupIsTried() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(withHeader("api.example.com", "/", "x-exact", null), "exact")
                .add(withHeader("*.api.example.com", "/", "x-deep", null), "deep-wildcard")
                .add(withHeader("*.example.com", "/", "x-wild", null), "wildcard")
                .add(match(null, "/"), "any")
                .add(match("api.example.com", "/admin"), "admin")
                .build();

        assertThat(m.match("api.example.com", "/", headers(Map.of("x-exact", "1")))).isEqualTo("exact");
        assertThat(m.match("api.example.com", "/", headers(Map.of("x-wild", "1")))).isEqualTo("wildcard");
        assertThat(m.match("api.example.com", "/", NONE)).isEqualTo("any");
        assertThat(m.match("v.api.example.com", "/", headers(Map.of("x-deep", "1", "x-wild", "1"))))
                .isEqualTo("deep-wildcard");
        assertThat(m.match("v.api.example.com", "/", headers(Map.of("x-wild", "1")))).isEqualTo("wildcard");
        assertThat(m.match("api.example.com", "/admin", headers(Map.of("x-wild", "1")))).isEqualTo("admin");
    }

    @Test
    void hostCaseAndPortAndTrailingDotAreIgnored() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match("API.Example.com", null), "api")
                .add(match("*.Example.COM", null), "wild")
                .add(match("[::1]", null), "v6")
                .build();

        assertThat(m.match("api.example.com", "/", NONE)).isEqualTo("api");
        assertThat(m.match("Api.EXAMPLE.com:8443", "/", NONE)).isEqualTo("api");
        assertThat(m.match("api.example.com.", "/", NONE)).isEqualTo("api");
        assertThat(m.match("api.example.com.:80", "/", NONE)).isEqualTo("api");
        assertThat(m.match("WWW.example.com:80", "/", NONE)).isEqualTo("wild");
        assertThat(m.match("[::1]:8080", "/", NONE)).isEqualTo("v6");
    }

    @Test
    void theQueryIsIgnored() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match(null, "/api"), "api")
                .add(match(null, "/api/v1"), "v1")
                .add(exactPath(null, "/health"), "health")
                .build();

        assertThat(m.match("h", "/api?next=/api/v1", NONE)).isEqualTo("api");
        assertThat(m.match("h", "/health?verbose=1", NONE)).isEqualTo("health");
        assertThat(m.match("h", "/health/?verbose=1", NONE)).isNull();
    }

    @Test
    void noMatchingRouteGivesNull() {
        RequestMatcher<String> m = RequestMatcher.<String>builder()
                .add(match("api.example.com", "/api"), "api")
                .build();

        assertThat(m.match("api.example.com", "/web", NONE)).isNull();
        assertThat(m.match("www.example.com", "/api", NONE)).isNull();
        assertThat(m.match(null, "/api", NONE)).isNull();
        assertThat(RequestMatcher.<String>builder().build().match("h", "/", NONE)).isNull();
    }

    @Test
    void aPathWithAQueryMarkIsRefusedSinceItCouldNeverMatch() {
        assertThatThrownBy(() -> RequestMatcher.<String>builder().add(exactPath(null, "/a?b"), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/a?b");
    }

    @Test
    void manyHostsAndPrefixesStillResolveEachToItsOwnRoute() {
        RequestMatcher.Builder<String> b = RequestMatcher.builder();
        for (int h = 0; h < 100; h++) {
            for (int p = 0; p < 10; p++) {
                b.add(match("svc" + h + ".example.com", "/api/v" + p), h + ":" + p);
            }
        }
        RequestMatcher<String> m = b.build();

        for (int h = 0; h < 100; h++) {
            for (int p = 0; p < 10; p++) {
                assertThat(m.match("SVC" + h + ".example.com", "/api/v" + p + "/items?q=1", NONE))
                        .isEqualTo(h + ":" + p);
            }
        }
    }
}
