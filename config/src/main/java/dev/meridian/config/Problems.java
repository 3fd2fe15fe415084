package dev.meridian.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects problems while loading goes on, so one run reports everything instead of stopping at the first.
 */
final class Problems {
    private static final Comparator<ConfigProblem> BY_POSITION =
            Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

    private final String file;
    private final List<ConfigProblem> found = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, int column, String message, String hint) {
        found.add(new ConfigProblem(file, line, column, message, hint));
    }

    void add(YamlNode at, String message, String hint) {
        add(at.line(), at.column(), message, hint);
    }

    /** Problems found so far: a binder compares counts to tell whether one item read cleanly. */
    int size() {
        return found.size();
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    /** Sorted by line, then column; a stable sort keeps problems at the same spot in the order they were found. */
    List<ConfigProblem> sorted() {
        List<ConfigProblem> copy = new ArrayList<>(found);
        copy.sort(BY_POSITION);
        return List.copyOf(copy);
    }
}
