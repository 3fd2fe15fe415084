package dev.meridian.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's header fields as the client sent them: the bytes of its head and the offsets of each name and value,
 * found by the one pass that validated them ({@link RequestHeadParser}). Nothing is decoded until asked for, so the
 * fields Meridian never looks at cost nothing but their offsets, and go upstream as the bytes they arrived as
 * ({@link #writeTo}).
 *
 * <p>Edits are kept beside the bytes: a removed field is a bit, a field set or added is an extra line written after
 * the client's. That is all a proxy does to a request head (drop the hop-by-hop fields, add the forwarding ones,
 * write its own framing). Lookups compare names case-insensitively byte by byte; a head has a few dozen fields at
 * most, so a scan beats building a map. Confined to one event loop, like the request it belongs to.
 */
public final class IndexedHeaders extends HttpHeaders {
    private static final int NAME_START = 0;
    private static final int NAME_END = 1;
    private static final int VALUE_START = 2;
    private static final int VALUE_END = 3;
    private static final int CRLF = ('\r' << 8) | '\n';

    private final byte[] bytes;
    /** Four offsets into {@link #bytes} per field: name start and end, value start and end (OWS trimmed). */
    private final int[] offsets;
    private final int count;
    private long removedLow;
    private boolean[] removedHigh;
    private int removedCount;
    /** Values replaced in place (the field keeps its name as sent and its position); null until one is. */
    private CharSequence[] replaced;
    private CharSequence[] extraNames;
    private CharSequence[] extraValues;
    private int extraCount;

    /**
     * @param bytes   the message head's bytes (or any array holding its header lines), owned by these headers now
     * @param offsets four per field: name start, name end, value start, value end (OWS trimmed), in {@code bytes}
     * @param count   how many fields
     */
    public IndexedHeaders(byte[] bytes, int[] offsets, int count) {
        this.bytes = bytes;
        this.offsets = offsets;
        this.count = count;
    }

    /** Writes the fields as header lines: the client's kept ones byte for byte, then the ones set here. */
    public void writeTo(ByteBuf out) {
        for (int i = 0; i < count; i++) {
            if (!removed(i)) {
                int start = offsets[4 * i + NAME_START];
                if (replaced != null && replaced[i] != null) {
                    out.writeBytes(bytes, start, offsets[4 * i + NAME_END] - start);
                    out.writeByte(':').writeByte(' ');
                    BodyFraming.writeAscii(out, replaced[i]);
                } else {
                    out.writeBytes(bytes, start, offsets[4 * i + VALUE_END] - start);
                }
                out.writeShort(CRLF);
            }
        }
        for (int i = 0; i < extraCount; i++) {
            BodyFraming.writeAscii(out, extraNames[i]);
            out.writeByte(':').writeByte(' ');
            BodyFraming.writeAscii(out, extraValues[i]);
            out.writeShort(CRLF);
        }
    }

    /** How many bytes {@link #writeTo} writes at most, to size its buffer once. */
    public int writtenSizeHint() {
        int n = count == 0 ? 0 : offsets[4 * count - 1] - offsets[0];
        for (int i = 0; i < extraCount; i++) {
            n += extraNames[i].length() + extraValues[i].length() + 4;
        }
        return n + 2 * count;
    }

    private boolean removed(int i) {
        return i < 64 ? (removedLow & (1L << i)) != 0 : removedHigh != null && removedHigh[i - 64];
    }

    private void markRemoved(int i) {
        if (removed(i)) {
            return;
        }
        removedCount++;
        if (i < 64) {
            removedLow |= 1L << i;
        } else {
            if (removedHigh == null) {
                removedHigh = new boolean[count - 64];
            }
            removedHigh[i - 64] = true;
        }
    }

    /**
     * Drops the hop-by-hop fields (RFC 9110 §7.6.1) in one pass over the names: the {@code hopByHop} ones and every
     * one a Connection field lists, except the names in {@code endToEnd} (framing and Host, which no peer may name
     * away). Returns false, having changed nothing, when fields were added here already: the caller then does it
     * field by field.
     *
     * @param hopByHop lower-case names
     * @param endToEnd lower-case names a Connection token cannot remove
     */
    public boolean removeHopByHop(AsciiString[] hopByHop, AsciiString[] endToEnd) {
        if (extraCount > 0) {
            return false;
        }
        int[] named = null;  // start and end of each Connection token, in bytes
        int tokens = 0;
        for (int i = 0; i < count; i++) {
            if (!removed(i) && nameIs(i, HttpHeaderNames.CONNECTION)) {
                int p = offsets[4 * i + VALUE_START];
                int end = offsets[4 * i + VALUE_END];
                while (p <= end) {
                    int comma = p;
                    while (comma < end && bytes[comma] != ',') {
                        comma++;
                    }
                    int a = p;
                    int b = comma;
                    while (a < b && (bytes[a] == ' ' || bytes[a] == '\t')) {
                        a++;
                    }
                    while (b > a && (bytes[b - 1] == ' ' || bytes[b - 1] == '\t')) {
                        b--;
                    }
                    if (b > a && !isAnyOf(a, b, endToEnd)) {
                        if (named == null) {
                            named = new int[8];
                        } else if (2 * tokens + 2 > named.length) {
                            named = Arrays.copyOf(named, named.length * 2);
                        }
                        named[2 * tokens] = a;
                        named[2 * tokens + 1] = b;
                        tokens++;
                    }
                    p = comma + 1;
                }
            }
        }
        for (int i = 0; i < count; i++) {
            int start = offsets[4 * i + NAME_START];
            int end = offsets[4 * i + NAME_END];
            if (isAnyOf(start, end, hopByHop)) {
                markRemoved(i);
                continue;
            }
            for (int t = 0; t < tokens; t++) {
                if (sameIgnoringCase(start, end, named[2 * t], named[2 * t + 1])) {
                    markRemoved(i);
                    break;
                }
            }
        }
        return true;
    }

    private boolean isAnyOf(int start, int end, AsciiString[] lowerCaseNames) {
        int length = end - start;
        for (AsciiString name : lowerCaseNames) {
            if (name.length() == length && matchesLowerCase(start, name)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesLowerCase(int start, AsciiString lowerCase) {
        byte[] other = lowerCase.array();
        int offset = lowerCase.arrayOffset();
        for (int k = 0; k < lowerCase.length(); k++) {
            if (lower(bytes[start + k]) != other[offset + k]) {
                return false;
            }
        }
        return true;
    }

    private boolean sameIgnoringCase(int aStart, int aEnd, int bStart, int bEnd) {
        if (aEnd - aStart != bEnd - bStart) {
            return false;
        }
        for (int k = 0; k < aEnd - aStart; k++) {
            if (lower(bytes[aStart + k]) != lower(bytes[bStart + k])) {
                return false;
            }
        }
        return true;
    }

    private boolean nameIs(int i, CharSequence name) {
        int start = offsets[4 * i + NAME_START];
        int length = offsets[4 * i + NAME_END] - start;
        if (length != name.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            int a = bytes[start + k];
            int b = name.charAt(k);
            if (a != b && lower(a) != lower(b)) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    private String nameOf(int i) {
        int start = offsets[4 * i + NAME_START];
        return new String(bytes, start, offsets[4 * i + NAME_END] - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Replaces field {@code i}'s value, keeping the field where it is and its name as it was spelled: for a
     * normalisation ({@code Content-Length: 007} becomes {@code 7}) that should change nothing else.
     */
    public void replaceValue(int i, CharSequence value) {
        if (replaced == null) {
            replaced = new CharSequence[count];
        }
        replaced[i] = value;
    }

    private String valueOf(int i) {
        if (replaced != null && replaced[i] != null) {
            return replaced[i].toString();
        }
        int start = offsets[4 * i + VALUE_START];
        return new String(bytes, start, offsets[4 * i + VALUE_END] - start, StandardCharsets.ISO_8859_1);
    }

    /** Whether field {@code i}'s value equals {@code value}, ignoring case; no String made. */
    private boolean valueIs(int i, CharSequence value) {
        if (replaced != null && replaced[i] != null) {
            return AsciiString.contentEqualsIgnoreCase(replaced[i], value);
        }
        int start = offsets[4 * i + VALUE_START];
        int length = offsets[4 * i + VALUE_END] - start;
        if (length != value.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            int a = bytes[start + k] & 0xff;
            int b = value.charAt(k);
            if (a != b && lower(a) != lower(b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name) && !removed(i)) {
                return valueOf(i);
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extraNames[i], name)) {
                return extraValues[i].toString();
            }
        }
        return null;
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name) && !removed(i)) {
                return true;
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extraNames[i], name)) {
                return true;
            }
        }
        return false;
    }

    /** As {@link HttpUtil#isKeepAlive}'s and {@code isTransferEncodingChunked}'s lookups: a comma list, any case. */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name) && !removed(i) && (valueIs(i, value) || listHas(valueOf(i), value, ignoreCase))) {
                return true;
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extraNames[i], name)
                    && listHas(extraValues[i].toString(), value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listHas(String list, CharSequence value, boolean ignoreCase) {
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            String token = list.substring(start, end).trim();
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(token, value)
                    : AsciiString.contentEquals(token, value)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        List<String> all = new ArrayList<>(2);
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name) && !removed(i)) {
                all.add(valueOf(i));
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extraNames[i], name)) {
                all.add(extraValues[i].toString());
            }
        }
        return all;
    }

    @Override
    public Integer getInt(CharSequence name) {
        String v = get(name);
        try {
            return v == null ? null : Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        String v = get(name);
        try {
            return v == null ? null : Short.valueOf(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        java.util.Date date = io.netty.handler.codec.DateFormatter.parseHttpDate(v);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> all = new ArrayList<>(size());
        for (int i = 0; i < count; i++) {
            if (!removed(i)) {
                all.add(new AbstractMap.SimpleImmutableEntry<>(nameOf(i), valueOf(i)));
            }
        }
        for (int i = 0; i < extraCount; i++) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(extraNames[i].toString(), extraValues[i].toString()));
        }
        return all;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        List<Map.Entry<CharSequence, CharSequence>> all = new ArrayList<>(size());
        for (Map.Entry<String, String> e : entries()) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return all.iterator();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return count - removedCount + extraCount;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : entries()) {
            names.add(e.getKey());
        }
        return names;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        if (extraNames == null) {
            extraNames = new CharSequence[4];
            extraValues = new CharSequence[4];
        } else if (extraCount == extraNames.length) {
            extraNames = Arrays.copyOf(extraNames, extraCount * 2);
            extraValues = Arrays.copyOf(extraValues, extraCount * 2);
        }
        extraNames[extraCount] = name;
        extraValues[extraCount] = value instanceof CharSequence cs ? cs : String.valueOf(value);
        extraCount++;
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        for (Object v : values) {
            add(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        remove(name);
        return add(name, value);
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                markRemoved(i);
            }
        }
        int kept = 0;
        for (int i = 0; i < extraCount; i++) {
            if (!AsciiString.contentEqualsIgnoreCase(extraNames[i], name)) {
                extraNames[kept] = extraNames[i];
                extraValues[kept] = extraValues[i];
                kept++;
            }
        }
        for (int i = kept; i < extraCount; i++) {
            extraNames[i] = null;
            extraValues[i] = null;
        }
        extraCount = kept;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        for (int i = 0; i < count; i++) {
            markRemoved(i);
        }
        if (extraNames != null) {
            Arrays.fill(extraNames, null);
            Arrays.fill(extraValues, null);
        }
        extraCount = 0;
        return this;
    }
}
