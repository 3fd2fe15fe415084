package dev.meridian.config;

import java.util.List;

/**
 * The keys one kind of YAML map may hold, and the words problems use for it.
 *
 * @param noun     "endpoint"
 * @param plural   "endpoints", for "expected a list of endpoints"
 * @param keys     every key the map may hold, in the order the documentation lists them
 * @param required the keys that must be present
 */
record Schema(String noun, String plural, List<String> keys, List<String> required) {
    Schema {
        keys = List.copyOf(keys);
        required = List.copyOf(required);
        if (!keys.containsAll(required)) {
            throw new IllegalArgumentException("required keys " + required + " not all among " + keys);
        }
    }

    /** "an endpoint", "a listener": the article follows the sound, which for these nouns is the first letter. */
    String withArticle() {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }
}
