package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

/** The assertion every invalid-config case makes: exactly one problem, with its message, hint and position. */
final class ProblemAssert {
    private ProblemAssert() {
    }

    static void onlyProblem(String description, String yaml, int line, int column, String message, String hint) {
        ConfigResult result = ConfigLoader.parse("test.yaml", yaml);

        assertThat(result.problems()).as(description + "\n" + yaml).singleElement().satisfies(p -> {
            assertThat(p.message()).contains(message);
            assertThat(p.hint()).contains(hint);
            assertThat(p.line()).as("line of " + p).isEqualTo(line);
            assertThat(p.column()).as("column of " + p).isEqualTo(column);
        });
    }
}
