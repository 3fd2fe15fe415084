package dev.meridian.routing.match;

import dev.meridian.routing.HeaderLookup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routes of one host group, by path: a radix trie whose nodes hold the routes of an exact path and of a path
 * prefix ending there. One walk down the request path finds the exact node and the deepest prefix node; each prefix
 * node links to the nearest shorter one, so falling back when headers fail needs no second walk and no allocation.
 * Candidate order: exact path, then prefixes longest first; declared order within a node.
 */
final class PathTrie<R> {
    private final Node<R> root;

    private PathTrie(Node<R> root) {
        this.root = root;
    }

    /**
     * The first route whose path and headers match. The path is {@code uri} up to its first {@code '?'}; no key
     * contains one (the builder refuses them), so a walk reaching the query has already left the trie.
     */
    R match(CharSequence uri, HeaderLookup headers) {
        int length = uri.length();
        Node<R> node = root;
        Node<R> deepestPrefix = root.prefix.length > 0 ? root : null;
        Node<R> exact = null;
        int pos = 0;
        while (true) {
            if (pos == length || uri.charAt(pos) == '?') {
                exact = node;
                break;
            }
            Node<R> child = node.child(uri.charAt(pos));
            if (child == null || !child.edgeMatches(uri, pos, length)) {
                break;
            }
            pos += child.edge.length;
            node = child;
            if (node.prefix.length > 0) {
                deepestPrefix = node;
            }
        }
        if (exact != null && exact.exact.length > 0) {
            R r = Candidate.first(exact.exact, headers);
            if (r != null) {
                return r;
            }
        }
        for (Node<R> n = deepestPrefix; n != null; n = n.shorterPrefix) {
            R r = Candidate.first(n.prefix, headers);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static final class Node<R> {
        private static final char[] NO_CHARS = new char[0];
        /** Up to this many children a scan beats a binary search; keys are sorted either way. */
        private static final int LINEAR_SEARCH_MAX = 8;

        /** The characters from the parent to this node; the first one is the parent's key for this child. */
        final char[] edge;
        final Candidate<R>[] exact;
        final Candidate<R>[] prefix;
        /** The nearest ancestor with prefix routes: where to fall back when none of {@link #prefix} accepts. */
        final Node<R> shorterPrefix;
        private char[] firstChars = NO_CHARS;
        private Node<R>[] children;

        Node(char[] edge, Candidate<R>[] exact, Candidate<R>[] prefix, Node<R> shorterPrefix) {
            this.edge = edge;
            this.exact = exact;
            this.prefix = prefix;
            this.shorterPrefix = shorterPrefix;
        }

        Node<R> child(char c) {
            char[] keys = firstChars;
            if (keys.length > LINEAR_SEARCH_MAX) {
                int i = Arrays.binarySearch(keys, c);
                return i >= 0 ? children[i] : null;
            }
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == c) {
                    return children[i];
                }
            }
            return null;
        }

        boolean edgeMatches(CharSequence uri, int pos, int length) {
            char[] e = edge;
            if (length - pos < e.length) {
                return false;
            }
            for (int i = 1; i < e.length; i++) {
                if (e[i] != uri.charAt(pos + i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Collects routes in declared order. Not thread-safe; used once per table build. */
    static final class Builder<R> {
        private final BuildNode<R> root = new BuildNode<>();

        void addExact(String path, Candidate<R> candidate) {
            nodeFor(path).exact.add(candidate);
        }

        void addPrefix(String prefix, Candidate<R> candidate) {
            nodeFor(prefix).prefix.add(candidate);
        }

        private BuildNode<R> nodeFor(String key) {
            if (key.indexOf('?') >= 0) {
                throw new IllegalArgumentException("path: '" + key + "' (expected: no '?', the query is not matched)");
            }
            BuildNode<R> node = root;
            for (int i = 0; i < key.length(); i++) {
                node = node.children.computeIfAbsent(key.charAt(i), c -> new BuildNode<>());
            }
            return node;
        }

        PathTrie<R> build() {
            return new PathTrie<>(compile(root, Node.NO_CHARS, null));
        }

        private static <R> Node<R> compile(BuildNode<R> b, char[] edge, Node<R> shorterPrefix) {
            Node<R> node = new Node<>(edge, toArray(b.exact), toArray(b.prefix), shorterPrefix);
            Node<R> prefixForChildren = node.prefix.length > 0 ? node : shorterPrefix;
            int n = b.children.size();
            char[] firstChars = new char[n];
            @SuppressWarnings("unchecked")
            Node<R>[] children = (Node<R>[]) new Node<?>[n];
            int i = 0;
            for (Map.Entry<Character, BuildNode<R>> e : b.children.entrySet()) {
                StringBuilder label = new StringBuilder().append(e.getKey().charValue());
                BuildNode<R> end = e.getValue();
                // Chains of single-child nodes without routes collapse into one edge: fewer hops per match.
                while (end.isPassThrough()) {
                    Map.Entry<Character, BuildNode<R>> only = end.children.firstEntry();
                    label.append(only.getKey().charValue());
                    end = only.getValue();
                }
                firstChars[i] = e.getKey();
                children[i] = compile(end, label.toString().toCharArray(), prefixForChildren);
                i++;
            }
            node.firstChars = firstChars;
            node.children = children;
            return node;
        }

        @SuppressWarnings("unchecked")
        private static <R> Candidate<R>[] toArray(List<Candidate<R>> list) {
            return list.toArray((Candidate<R>[]) new Candidate<?>[0]);
        }
    }

    private static final class BuildNode<R> {
        final TreeMap<Character, BuildNode<R>> children = new TreeMap<>();
        final List<Candidate<R>> exact = new ArrayList<>();
        final List<Candidate<R>> prefix = new ArrayList<>();

        boolean isPassThrough() {
            return children.size() == 1 && exact.isEmpty() && prefix.isEmpty();
        }
    }
}
