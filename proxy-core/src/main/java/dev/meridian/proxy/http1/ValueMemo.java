package dev.meridian.proxy.http1;

import java.nio.charset.StandardCharsets;

/**
 * The header values one connection's requests were asked for as Strings, kept by field position: a keep-alive client
 * sends the same fields in the same order on every request (Host above all, which routing, the framing checks and the
 * access log each ask for), so the String made for one request is handed out again for the next when the bytes are
 * the same, and a value costs a comparison instead of an allocation. A String is returned only for exactly the bytes
 * it was made of: the position only decides which one is compared.
 *
 * <p>One per connection (its parser's), never shared between clients; confined to the connection's event loop.
 */
final class ValueMemo {
    /** The first fields are the ones asked for; values further down are made each time. */
    private static final int POSITIONS = 16;

    private String[] values;

    /** Field {@code position}'s value {@code bytes[start, end)} as a String. */
    String value(int position, byte[] bytes, int start, int end) {
        if (position >= POSITIONS) {
            return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        }
        if (values == null) {
            values = new String[POSITIONS];
        }
        String known = values[position];
        if (known != null && sameBytes(known, bytes, start, end)) {
            return known;
        }
        String made = new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        values[position] = made;
        return made;
    }

    private static boolean sameBytes(String s, byte[] bytes, int start, int end) {
        if (s.length() != end - start) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (s.charAt(i - start) != (bytes[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }
}
