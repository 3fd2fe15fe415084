package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("id", "address", "region", "zone", "weight", "priority");

    @Test
    void suggestsTheClosestKeyForTypos() {
        assertThat(Suggestions.closest("wieght", KEYS)).isEqualTo("weight");
        assertThat(Suggestions.closest("adress", KEYS)).isEqualTo("address");
        assertThat(Suggestions.closest("regoin", KEYS)).isEqualTo("region");
    }

    @Test
    void staysQuietWhenNothingIsClose() {
        assertThat(Suggestions.closest("timeout", KEYS)).isNull();
        assertThat(Suggestions.closest("x", KEYS)).isNull();
        assertThat(Suggestions.closest("anything", List.of())).isNull();
    }

    @Test
    void hintListsTheCandidatesAfterTheGuess() {
        assertThat(Suggestions.hint("zome", KEYS, "allowed keys"))
                .isEqualTo("did you mean 'zone'? allowed keys: id, address, region, zone, weight, priority");
        assertThat(Suggestions.hint("timeout", List.of("a"), "allowed keys")).isEqualTo("allowed keys: a");
        assertThat(Suggestions.hint("x", List.of(), "declared clusters")).isEqualTo("declared clusters: none");
    }

    @Test
    void transpositionCostsOneEdit() {
        assertThat(Suggestions.distance("ab", "ba")).isEqualTo(1);
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    }
}
