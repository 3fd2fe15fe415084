package dev.meridian.routing.geo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JurisdictionsTest {
    @Test
    void theTwentySevenMemberStatesAreEu() {
        assertThat(Jurisdictions.euMembers()).hasSize(27)
                .contains("DE", "FR", "IE", "GR", "HR", "CY", "MT", "LU").doesNotContain("GB", "CH", "NO", "EL");
        for (String member : Jurisdictions.euMembers()) {
            assertThat(Jurisdictions.of(member)).as(member).isSameAs(Jurisdictions.EU);
        }
    }

    @Test
    void theUnitedKingdomIsUk() {
        assertThat(Jurisdictions.of("GB")).isSameAs(Jurisdictions.UK);
    }

    @Test
    void everyOtherCountryIsItsOwn() {
        assertThat(Jurisdictions.of("US")).isEqualTo("US");
        assertThat(Jurisdictions.of("CH")).isEqualTo("CH");
        assertThat(Jurisdictions.of("NO")).isEqualTo("NO");
        assertThat(Jurisdictions.of("JP")).isEqualTo("JP");
        assertThat(Jurisdictions.of("XK")).isEqualTo("XK");
    }

    @Test
    void anyCaseGivesTheCanonicalInstance() {
        assertThat(Jurisdictions.of("de")).isSameAs(Jurisdictions.EU);
        assertThat(Jurisdictions.country("us")).isEqualTo("US").isSameAs(Jurisdictions.country("US"));
        assertThat(Jurisdictions.of(new StringBuilder("Jp"))).isSameAs(Jurisdictions.of("JP"));
    }

    @Test
    void whatIsNotACountryHasNoJurisdiction() {
        assertThat(Jurisdictions.of("XX")).isNull();
        assertThat(Jurisdictions.of("UK")).isNull();
        assertThat(Jurisdictions.of("DEU")).isNull();
        assertThat(Jurisdictions.of("D")).isNull();
        assertThat(Jurisdictions.of("1A")).isNull();
        assertThat(Jurisdictions.of("")).isNull();
        assertThat(Jurisdictions.of(null)).isNull();
    }
}
