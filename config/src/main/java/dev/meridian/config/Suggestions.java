package dev.meridian.config;

import java.util.Collection;

/**
 * "Did you mean" for misspelt keys and names: the closest candidate within a small edit distance.
 */
final class Suggestions {
    /** Two edits catch transpositions ("wieght") and a dropped or doubled letter without suggesting nonsense. */
    private static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /** The candidate closest to {@code input}, or null when none is close enough to be a plausible typo. */
    static String closest(String input, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(input, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        // A one-letter input is "two edits" from every two-letter candidate; that is no evidence of a typo.
        return bestDistance <= MAX_DISTANCE && bestDistance < input.length() ? best : null;
    }

    /**
     * A hint listing the candidates, led by a suggestion when there is one:
     * {@code did you mean 'weight'? allowed keys: id, weight}.
     */
    static String hint(String input, Collection<String> candidates, String label) {
        String list = label + ": " + (candidates.isEmpty() ? "none" : String.join(", ", candidates));
        String guess = closest(input, candidates);
        return guess == null ? list : "did you mean '" + guess + "'? " + list;
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions, each costing one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[a.length()][b.length()];
    }
}
