package dev.meridian.config;

import dev.meridian.config.YamlNode.Entry;
import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlMap;
import dev.meridian.config.YamlNode.YamlScalar;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.function.ObjIntConsumer;

/**
 * Typed, checked access to one YAML map. Every accessor reports what is wrong (unknown key, missing key, wrong type,
 * out of range) and still returns something usable, the default or a neutral value, so binding goes on and one run
 * finds every problem.
 */
final class Fields {
    private final YamlMap map;
    private final Schema schema;
    private final Problems problems;

    /** Wraps a map and reports each key the schema does not allow. */
    Fields(YamlMap map, Schema schema, Problems problems) {
        this.map = map;
        this.schema = schema;
        this.problems = problems;
        List<String> allowed = schema.keys();
        for (Entry e : map.entries()) {
            String key = e.key().text();
            if (!allowed.contains(key)) {
                problems.add(e.key(), "unknown key '" + key + "' in " + schema.withArticle(),
                        Suggestions.hint(key, allowed, "allowed keys"));
            }
        }
    }

    YamlMap map() {
        return map;
    }

    /** The key's own node, for problems about the key rather than its value; null when absent. */
    YamlScalar key(String key) {
        Entry e = map.entry(key);
        return e == null ? null : e.key();
    }

    /** Whether the key is present with a value; {@code zone:} with nothing after it counts as absent. */
    boolean has(String key) {
        Entry e = map.entry(key);
        return e != null && !isNull(e.value());
    }

    /** The value node, or null when absent; a missing required key is reported. */
    YamlNode value(String key) {
        Entry e = map.entry(key);
        if (e != null && !isNull(e.value())) {
            return e.value();
        }
        if (schema.required().contains(key)) {
            String hint = schema.withArticle() + " needs " + String.join(", ", schema.required());
            if (e == null) {
                problems.add(map, "missing required key '" + key + "'", hint);
            } else {
                problems.add(e.key(), "missing value for '" + key + "'", hint);
            }
        }
        return null;
    }

    /** A scalar's text (numbers and booleans as written), or null when absent or not a scalar. */
    String string(String key) {
        YamlScalar s = scalar(key, "a string", "a single value, quoted if it holds ':' or '#'");
        if (s == null) {
            return null;
        }
        if (s.text().isEmpty() && schema.required().contains(key)) {
            problems.add(s, "'" + key + "' is empty", schema.withArticle() + " needs a non-empty " + key);
            return null;
        }
        return s.text();
    }

    String string(String key, String defaultValue) {
        String s = string(key);
        return s == null ? defaultValue : s;
    }

    /** An integer in {@code min..max}, or {@code defaultValue} when absent or wrong. */
    int integer(String key, int defaultValue, int min, int max) {
        String range = max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
        YamlScalar s = scalar(key, "an integer", range);
        if (s == null) {
            return defaultValue;
        }
        if (s.kind() != YamlScalar.Kind.INTEGER) {
            boolean quotedNumber = s.kind() == YamlScalar.Kind.STRING && s.text().matches("-?\\d+");
            wrongType(key, s, "an integer", quotedNumber ? range + ", written without quotes" : range);
            return defaultValue;
        }
        BigInteger v = new BigInteger(s.number().toString());
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            problems.add(s, key + " " + s.text() + " out of range", range);
            return defaultValue;
        }
        return v.intValue();
    }

    /** A number (integer or decimal) in {@code min..max}, or 0 when absent or wrong. */
    double decimal(String key, double min, double max) {
        return decimal(key, 0, min, max);
    }

    /** A number (integer or decimal) in {@code min..max}, or {@code defaultValue} when absent or wrong. */
    double decimal(String key, double defaultValue, double min, double max) {
        return decimal(key, defaultValue, min, max, format(min) + ".." + format(max));
    }

    /** A number of at least {@code min}, with no upper bound worth writing in a hint. */
    double decimalAtLeast(String key, double defaultValue, double min) {
        return decimal(key, defaultValue, min, Double.MAX_VALUE, ">= " + format(min));
    }

    private double decimal(String key, double defaultValue, double min, double max, String range) {
        YamlScalar s = scalar(key, "a number", range);
        if (s == null) {
            return defaultValue;
        }
        if (s.kind() != YamlScalar.Kind.INTEGER && s.kind() != YamlScalar.Kind.FLOAT) {
            wrongType(key, s, "a number", range);
            return defaultValue;
        }
        double v = s.number().doubleValue();
        if (!(v >= min && v <= max)) {
            problems.add(s, key + " " + s.text() + " out of range", range);
            return defaultValue;
        }
        return v;
    }

    /**
     * {@code true} or {@code false}. A quoted "true" is refused like a quoted integer: the quotes say the operator
     * meant text, and guessing otherwise would hide the mistake.
     */
    boolean bool(String key, boolean defaultValue) {
        YamlScalar s = scalar(key, "a boolean", "true or false");
        if (s == null) {
            return defaultValue;
        }
        if (s.kind() != YamlScalar.Kind.BOOLEAN) {
            wrongType(key, s, "a boolean", "true or false");
            return defaultValue;
        }
        boolean isTrue = s.text().equalsIgnoreCase("true");
        if (!isTrue && !s.text().equalsIgnoreCase("false")) {
            // YAML 1.1 also reads yes/no/on/off as booleans, YAML 1.2 reads them as text: refused, not guessed.
            problems.add(s, "expected true or false for '" + key + "', got '" + s.text() + "'",
                    "write true or false; yes, no, on and off mean different things to different YAML tools");
            return defaultValue;
        }
        return isTrue;
    }

    /** A duration such as {@code 1m30s}; zero is refused unless {@code zeroAllowed}. */
    Duration duration(String key, Duration defaultValue, boolean zeroAllowed) {
        YamlScalar s = scalar(key, "a duration", Durations.EXAMPLES);
        if (s == null) {
            return defaultValue;
        }
        if (s.kind() == YamlScalar.Kind.INTEGER || s.kind() == YamlScalar.Kind.FLOAT
                || Durations.isBareNumber(s.text())) {
            problems.add(s, "duration " + s.text() + " has no unit", "durations need a unit, e.g. 5s");
            return defaultValue;
        }
        Duration d = Durations.parse(s.text());
        if (d == null) {
            problems.add(s, "bad duration '" + s.text() + "'", Durations.EXAMPLES);
            return defaultValue;
        }
        if (d.isZero() && !zeroAllowed) {
            problems.add(s, "'" + key + "' must be greater than zero", Durations.EXAMPLES);
            return defaultValue;
        }
        return d;
    }

    /** A byte size from 1 byte to {@link Integer#MAX_VALUE}. */
    int size(String key, int defaultValue) {
        return size(key, defaultValue, 1, Integer.MAX_VALUE, "1 byte up to 2047MiB");
    }

    /** A byte size in {@code min..max}; {@code range} says that range in the units operators write. */
    int size(String key, int defaultValue, int min, int max, String range) {
        return (int) longSize(key, defaultValue, min, max, range);
    }

    /** A byte size in {@code min..max} that may exceed {@code int}, such as a body size. */
    long longSize(String key, long defaultValue, long min, long max, String range) {
        YamlScalar s = scalar(key, "a size", Sizes.EXAMPLES);
        if (s == null) {
            return defaultValue;
        }
        long bytes = s.kind() == YamlScalar.Kind.FLOAT ? -1 : Sizes.parse(s.text());
        if (bytes < 0) {
            problems.add(s, "bad size '" + s.text() + "'", Sizes.EXAMPLES);
            return defaultValue;
        }
        if (bytes < min || bytes > max) {
            problems.add(s, key + " " + s.text() + " out of range", range);
            return defaultValue;
        }
        return bytes;
    }

    /** A rate in bytes per second, written with its unit ({@code 240B/s}), in {@code 0..max}. */
    int rate(String key, int defaultValue, int max, String range) {
        YamlScalar s = scalar(key, "a rate", Sizes.RATE_EXAMPLES);
        if (s == null) {
            return defaultValue;
        }
        long perSecond = s.kind() == YamlScalar.Kind.STRING ? Sizes.parseRate(s.text()) : -1;
        if (perSecond < 0) {
            problems.add(s, "bad rate '" + s.text() + "'", Sizes.RATE_EXAMPLES);
            return defaultValue;
        }
        if (perSecond > max) {
            problems.add(s, key + " " + s.text() + " out of range", range);
            return defaultValue;
        }
        return (int) perSecond;
    }

    /** The nested map under key, checked against its schema; null when absent or not a map. */
    Fields nested(String key, Schema nestedSchema) {
        YamlNode v = value(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof YamlMap m)) {
            problems.add(v, "expected a map for '" + key + "', got " + describe(v),
                    "indent " + String.join(", ", nestedSchema.keys()) + " under '" + key + ":'");
            return null;
        }
        return new Fields(m, nestedSchema, problems);
    }

    /** The list under key, or null when absent or not a list (reported, with {@code hint}). */
    YamlList list(String key, String hint) {
        YamlNode v = value(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof YamlList list)) {
            wrongType(key, v, "a list", hint);
            return null;
        }
        return list;
    }

    /**
     * Binds each map in the list under key, with its index; items that are not maps are reported and skipped.
     *
     * @return the list node, or null when absent or not a list
     */
    YamlList forEach(String key, Schema items, boolean nonEmpty, ObjIntConsumer<Fields> binder) {
        YamlNode v = value(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof YamlList list)) {
            problems.add(v, "expected a list of " + items.plural() + ", got " + describe(v),
                    "start each " + items.noun() + " with '- ' under '" + key + ":'");
            return null;
        }
        if (nonEmpty && list.items().isEmpty()) {
            problems.add(list, "'" + key + "' is empty", "at least one " + items.noun() + " is required");
        }
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            if (item instanceof YamlMap m) {
                binder.accept(new Fields(m, items, problems), i);
            } else {
                problems.add(item, "expected each item of '" + key + "' to be a map, got " + describe(item),
                        items.withArticle() + " takes: " + String.join(", ", items.keys()));
            }
        }
        return list;
    }

    private YamlScalar scalar(String key, String expected, String hint) {
        YamlNode v = value(key);
        if (v == null) {
            return null;
        }
        if (v instanceof YamlScalar s) {
            return s;
        }
        wrongType(key, v, expected, hint);
        return null;
    }

    private void wrongType(String key, YamlNode v, String expected, String hint) {
        problems.add(v, "expected " + expected + " for '" + key + "', got " + describe(v), hint);
    }

    static String describe(YamlNode v) {
        return v instanceof YamlScalar s ? s.describe() + " '" + s.text() + "'" : v.describe();
    }

    private static boolean isNull(YamlNode v) {
        return v instanceof YamlScalar s && s.isNull();
    }

    private static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
