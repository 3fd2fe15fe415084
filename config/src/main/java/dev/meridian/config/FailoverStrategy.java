package dev.meridian.config;

import java.util.List;
import java.util.Locale;

/** How a failover shift moves traffic from its source to its target. */
public enum FailoverStrategy {
    /** All of it at once, then one hold under guard. */
    IMMEDIATE,
    /** In steps (default 10, 25, 50, 75, 100 %), a hold after each. */
    GRADUAL,
    /** 5 % first, then as gradual. */
    CANARY,
    /** Flip from one named group of endpoints to the other at once; aborting flips back at once. */
    BLUE_GREEN,
    /** One source endpoint at a time, in config order, a hold after each. */
    ROLLING;

    private static final List<Integer> GRADUAL_STEPS = List.of(10, 25, 50, 75, 100);
    private static final List<Integer> CANARY_STEPS = List.of(5, 10, 25, 50, 75, 100);

    /** The name as written in YAML and JSON: {@code blue_green}. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The strategy of that YAML name, or null. */
    public static FailoverStrategy named(String yamlName) {
        for (FailoverStrategy s : values()) {
            if (s.yamlName().equals(yamlName)) {
                return s;
            }
        }
        return null;
    }

    /** Whether the operator may set the steps (gradual and canary); the others have theirs by nature. */
    public boolean takesSteps() {
        return this == GRADUAL || this == CANARY;
    }

    /** The steps when none are given: percents of the source's traffic, rising, ending at 100. Empty for rolling. */
    public List<Integer> defaultSteps() {
        return switch (this) {
            case GRADUAL -> GRADUAL_STEPS;
            case CANARY -> CANARY_STEPS;
            case IMMEDIATE, BLUE_GREEN -> List.of(100);
            case ROLLING -> List.of();
        };
    }
}
