package dev.meridian.proxy.http1;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
    /** The bytes each String was made of, compared in bulk: a String's characters are read one call at a time. */
    private byte[][] made;

    /** Field {@code position}'s value {@code bytes[start, end)} as a String. */
    String value(int position, byte[] bytes, int start, int end) {
        if (position >= POSITIONS) {
            return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        }
        if (values == null) {
            values = new String[POSITIONS];
            made = new byte[POSITIONS][];
        }
        byte[] known = made[position];
        if (known != null && Arrays.equals(known, 0, known.length, bytes, start, end)) {
            return values[position];
        }
        String value = new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        values[position] = value;
        made[position] = Arrays.copyOfRange(bytes, start, end);
        return value;
    }
}
