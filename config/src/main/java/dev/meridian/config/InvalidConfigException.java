package dev.meridian.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown where a caller needs a config and got problems instead; the message lists them all.
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigProblem> problems;

    public InvalidConfigException(List<ConfigProblem> problems) {
        super(problems.size() + " problem(s) in config:\n"
                + problems.stream().map(ConfigProblem::format).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
