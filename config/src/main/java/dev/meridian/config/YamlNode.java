package dev.meridian.config;

import java.util.List;

/**
 * A YAML value with the 1-based line and column where it starts. Jackson's {@code JsonNode} drops positions, and every
 * config problem must point at its source, so the loader reads into this small tree instead.
 */
sealed interface YamlNode permits YamlNode.YamlMap, YamlNode.YamlList, YamlNode.YamlScalar {

    int line();

    int column();

    /** How the node reads in a message: "a map", "a list", "a string", "an integer", ... */
    String describe();

    /** A block or flow mapping; keys are unique (the reader reports and drops repeated ones). */
    record YamlMap(List<Entry> entries, int line, int column) implements YamlNode {
        public YamlMap {
            entries = List.copyOf(entries);
        }

        Entry entry(String key) {
            for (Entry e : entries) {
                if (e.key().text().equals(key)) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public String describe() {
            return "a map";
        }
    }

    /** One key and its value; the key keeps its own position for "unknown key" and "no value" problems. */
    record Entry(YamlScalar key, YamlNode value) {
    }

    record YamlList(List<YamlNode> items, int line, int column) implements YamlNode {
        public YamlList {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar as written, with the type the YAML resolver gave it: {@code "8080"} (quoted) is a string, {@code 8080}
     * an integer. The text is kept verbatim so messages quote what the operator typed; {@code number} is the value
     * Jackson decoded for integers and floats ({@code 0x1F}, {@code 1_000}), null otherwise.
     */
    record YamlScalar(String text, Kind kind, Number number, int line, int column) implements YamlNode {
        enum Kind { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

        boolean isNull() {
            return kind == Kind.NULL;
        }

        @Override
        public String describe() {
            return switch (kind) {
                case STRING -> "a string";
                case INTEGER -> "an integer";
                case FLOAT -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "no value";
            };
        }
    }
}
