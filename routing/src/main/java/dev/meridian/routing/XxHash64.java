package dev.meridian.routing;

/**
 * xxHash64 (Yann Collet's XXH64, little-endian), the 64-bit hash of consistent-hashing keys and of the points that
 * endpoints take on a ring or a Maglev table. Fast on short keys, and its output passes SMHasher, so a key's hash can
 * be placed on a table directly.
 *
 * <p>Header values are hashed as text without being encoded first: Netty decodes header bytes one char per byte
 * (ISO-8859-1), so {@link #hashLatin1} over the chars gives the hash of the bytes received, and allocates nothing.
 */
public final class XxHash64 {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private XxHash64() {
    }

    /** The hash of {@code data}. */
    public static long hash(byte[] data, long seed) {
        int len = data.length;
        int i = 0;
        long h;
        if (len >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            do {
                v1 = round(v1, u64(data, i));
                v2 = round(v2, u64(data, i + 8));
                v3 = round(v3, u64(data, i + 16));
                v4 = round(v4, u64(data, i + 24));
                i += 32;
            } while (i <= len - 32);
            h = converge(v1, v2, v3, v4);
        } else {
            h = seed + P5;
        }
        h += len;
        for (; i + 8 <= len; i += 8) {
            h = mix8(h, u64(data, i));
        }
        if (i + 4 <= len) {
            h = mix4(h, u32(data, i));
            i += 4;
        }
        for (; i < len; i++) {
            h = mix1(h, data[i] & 0xFF);
        }
        return avalanche(h);
    }

    /**
     * The hash of the bytes {@code s[from, to)} encodes in ISO-8859-1: each char's low byte. Equal to
     * {@link #hash(byte[], long)} over those bytes; for header text, which Netty decodes byte for char.
     */
    public static long hashLatin1(CharSequence s, int from, int to, long seed) {
        int len = to - from;
        int i = from;
        long h;
        if (len >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            do {
                v1 = round(v1, u64(s, i));
                v2 = round(v2, u64(s, i + 8));
                v3 = round(v3, u64(s, i + 16));
                v4 = round(v4, u64(s, i + 24));
                i += 32;
            } while (i <= to - 32);
            h = converge(v1, v2, v3, v4);
        } else {
            h = seed + P5;
        }
        h += len;
        for (; i + 8 <= to; i += 8) {
            h = mix8(h, u64(s, i));
        }
        if (i + 4 <= to) {
            h = mix4(h, u32(s, i));
            i += 4;
        }
        for (; i < to; i++) {
            h = mix1(h, s.charAt(i) & 0xFF);
        }
        return avalanche(h);
    }

    private static long round(long acc, long input) {
        return Long.rotateLeft(acc + input * P2, 31) * P1;
    }

    private static long converge(long v1, long v2, long v3, long v4) {
        long h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
        h = (h ^ round(0, v1)) * P1 + P4;
        h = (h ^ round(0, v2)) * P1 + P4;
        h = (h ^ round(0, v3)) * P1 + P4;
        return (h ^ round(0, v4)) * P1 + P4;
    }

    private static long mix8(long h, long k) {
        return Long.rotateLeft(h ^ round(0, k), 27) * P1 + P4;
    }

    private static long mix4(long h, long unsigned32) {
        return Long.rotateLeft(h ^ unsigned32 * P1, 23) * P2 + P3;
    }

    private static long mix1(long h, int unsigned8) {
        return Long.rotateLeft(h ^ unsigned8 * P5, 11) * P1;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ h >>> 32;
    }

    private static long u64(byte[] b, int i) {
        return u32(b, i) | u32(b, i + 4) << 32;
    }

    private static long u32(byte[] b, int i) {
        return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24;
    }

    private static long u64(CharSequence s, int i) {
        return u32(s, i) | u32(s, i + 4) << 32;
    }

    private static long u32(CharSequence s, int i) {
        return (s.charAt(i) & 0xFFL) | (s.charAt(i + 1) & 0xFFL) << 8 | (s.charAt(i + 2) & 0xFFL) << 16
                | (s.charAt(i + 3) & 0xFFL) << 24;
    }
}
