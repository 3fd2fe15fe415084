package dev.meridian.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of loading a config: a valid config, or every problem found (never both).
 */
public record ConfigResult(MeridianConfig config, List<ConfigProblem> problems) {
    public ConfigResult {
        problems = List.copyOf(problems);
        if ((config == null) == problems.isEmpty()) {
            throw new IllegalArgumentException("exactly one of config and problems");
        }
    }

    public static ConfigResult valid(MeridianConfig config) {
        return new ConfigResult(config, List.of());
    }

    public static ConfigResult invalid(List<ConfigProblem> problems) {
        return new ConfigResult(null, problems);
    }

    public boolean ok() {
        return config != null;
    }

    /** The config, or an exception whose message lists every problem, one per line. */
    public MeridianConfig orThrow() {
        if (config == null) {
            throw new InvalidConfigException(problems);
        }
        return config;
    }

    public String describeProblems() {
        return problems.stream().map(ConfigProblem::format).collect(Collectors.joining("\n"));
    }
}
