package dev.meridian.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.meridian.config.YamlNode.Entry;
import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlMap;
import dev.meridian.config.YamlNode.YamlScalar;
import dev.meridian.config.YamlNode.YamlScalar.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text into a {@link YamlNode} tree from Jackson's streaming parser, so that every node keeps the position
 * of its first character. Repeated map keys and aliases are reported here, because the token stream is the last place
 * that sees them.
 */
final class YamlTreeReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final YAMLParser parser;
    private final Problems problems;

    private YamlTreeReader(YAMLParser parser, Problems problems) {
        this.parser = parser;
        this.problems = problems;
    }

    /**
     * The document's root node, or null when there is none to bind: an empty document or a syntax error (reported,
     * since a tree cut short by bad syntax would only add misleading "missing key" problems).
     */
    static YamlNode read(String yaml, Problems problems) {
        try (YAMLParser parser = FACTORY.createParser(yaml)) {
            YamlTreeReader reader = new YamlTreeReader(parser, problems);
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(1, 1, "empty config", "expected a map with listeners, regions, clusters and routes");
                return null;
            }
            YamlNode root = reader.readValue(first);
            if (parser.nextToken() != null) {
                JsonLocation at = parser.currentTokenLocation();
                problems.add(at.getLineNr(), at.getColumnNr(), "more than one YAML document",
                        "a config is a single document; remove the '---' separator");
            }
            return root;
        } catch (JsonProcessingException e) {
            reportSyntaxError(e, problems);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from a string", e);
        }
    }

    private YamlNode readValue(JsonToken token) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        return switch (token) {
            case START_OBJECT -> readMap(at);
            case START_ARRAY -> readList(at);
            default -> readScalar(token, at);
        };
    }

    private YamlMap readMap(JsonLocation start) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, YamlScalar> seen = new HashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            JsonLocation keyAt = parser.currentTokenLocation();
            YamlScalar key =
                    new YamlScalar(parser.getText(), Kind.STRING, null, keyAt.getLineNr(), keyAt.getColumnNr());
            YamlNode value = readValue(parser.nextToken());
            YamlScalar first = seen.putIfAbsent(key.text(), key);
            if (first == null) {
                entries.add(new Entry(key, value));
            } else {
                problems.add(key, "duplicate key '" + key.text() + "'",
                        "first given at line " + first.line() + "; YAML keys must be unique within a map");
            }
        }
        expect(JsonToken.END_OBJECT, token);
        return new YamlMap(entries, start.getLineNr(), start.getColumnNr());
    }

    private YamlList readList(JsonLocation start) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
            items.add(readValue(token));
        }
        expect(JsonToken.END_ARRAY, token);
        return new YamlList(items, start.getLineNr(), start.getColumnNr());
    }

    private YamlScalar readScalar(JsonToken token, JsonLocation at) throws IOException {
        Kind kind = switch (token) {
            case VALUE_NUMBER_INT -> Kind.INTEGER;
            case VALUE_NUMBER_FLOAT -> Kind.FLOAT;
            case VALUE_TRUE, VALUE_FALSE -> Kind.BOOLEAN;
            case VALUE_NULL -> Kind.NULL;
            default -> Kind.STRING;
        };
        Number number = null;
        if (kind == Kind.INTEGER || kind == Kind.FLOAT) {
            try {
                number = parser.getNumberValue();
            } catch (StreamReadException e) {
                // The resolver calls ".inf" and ".nan" floats but Jackson cannot decode them; as strings they still
                // get a type error naming the field, rather than a syntax error that would stop all checking.
                kind = Kind.STRING;
            }
        }
        YamlScalar scalar = new YamlScalar(parser.getText(), kind, number, at.getLineNr(), at.getColumnNr());
        if (parser.isCurrentAlias()) {
            // Jackson hands an alias over as its anchor's name, which would silently bind the wrong value.
            problems.add(scalar, "YAML aliases are not supported", "write the value out instead of '*"
                    + scalar.text() + "'");
        }
        return scalar;
    }

    private static void expect(JsonToken expected, JsonToken actual) {
        if (actual != expected) {
            throw new IllegalStateException("YAML token stream out of shape: " + actual + " instead of " + expected);
        }
    }

    private static void reportSyntaxError(JsonProcessingException e, Problems problems) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark mark = marked.getProblemMark();
                String context = marked.getContext();
                String hint = context == null ? "check the indentation and quoting near this spot"
                        : context + (marked.getContextMark() == null ? ""
                                : " that starts at line " + (marked.getContextMark().getLine() + 1));
                problems.add(mark.getLine() + 1, mark.getColumn() + 1, "YAML syntax error: " + marked.getProblem(),
                        hint);
                return;
            }
        }
        JsonLocation at = e.getLocation();
        problems.add(at == null ? 1 : Math.max(1, at.getLineNr()), at == null ? 1 : Math.max(1, at.getColumnNr()),
                "YAML syntax error: " + e.getOriginalMessage(), "check the indentation and quoting near this spot");
    }
}
