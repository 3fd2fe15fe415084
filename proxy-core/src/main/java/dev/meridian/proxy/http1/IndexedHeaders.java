package dev.meridian.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.IllegalReferenceCountException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request's header fields as the client sent them: the bytes of its head and the offsets of each name and value,
 * found by the one pass that validated them ({@link RequestHeadParser}). Nothing is decoded until asked for, so the
 * fields Meridian never looks at cost nothing but their offsets, and go upstream as the bytes they arrived as
 * ({@link #writeTo}).
 *
 * <p>Edits are kept beside the bytes: a removed field is a bit, a field set or added is an extra line written after
 * the client's. That is all a proxy does to a request head (drop the hop-by-hop fields, add the forwarding ones,
 * write its own framing). Lookups compare names case-insensitively byte by byte; a head has a few dozen fields at
 * most, so a scan beats building a map. A parsed request's headers are pooled with it: its values are made
 * Strings only when asked for, and the String a connection's previous request was given for the same bytes is given
 * again ({@link ValueMemo}). Confined to one event loop, like the request it belongs to.
 */
public final class IndexedHeaders extends DerivedHttpHeaders {
    private static final int NAME_START = 0;
    private static final int NAME_END = 1;
    private static final int VALUE_START = 2;
    private static final int VALUE_END = 3;
    private static final int CRLF = ('\r' << 8) | '\n';

    private byte[] bytes;
    /** Four offsets into {@link #bytes} per field: name start and end, value start and end (OWS trimmed). */
    private int[] offsets;
    private int count;
    /** The connection's Strings of values asked for before; null: every value asked for is made anew. */
    private ValueMemo memo;
    /** The request these headers belong to went back to its pool: reading them is a use after release. */
    private boolean released;
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

    private IndexedHeaders() {
        released = true;
    }

    /**
     * Headers for a pooled message, which owns them: released until {@link #reset} gives them a head, and again
     * from the message's last release ({@link #recycle}).
     */
    public static IndexedHeaders pooled() {
        return new IndexedHeaders();
    }

    /** The fields of a new head, read into {@code bytes} and {@code offsets} (owned by the message); no edits. */
    public void reset(byte[] bytes, int[] offsets, int count) {
        reset(bytes, offsets, count, null);
    }

    void reset(byte[] bytes, int[] offsets, int count, ValueMemo memo) {
        this.bytes = bytes;
        this.offsets = offsets;
        this.count = count;
        this.memo = memo;
        released = false;
    }

    /** The request is done with: the edits are dropped (what they held may go), and nothing may read these. */
    public void recycle() {
        released = true;
        removedLow = 0;
        removedHigh = null;
        removedCount = 0;
        replaced = null;
        if (extraNames != null) {
            Arrays.fill(extraNames, 0, extraCount, null);
            Arrays.fill(extraValues, 0, extraCount, null);
        }
        extraCount = 0;
        memo = null;
    }

    private void ensureLive() {
        if (released) {
            throw new IllegalReferenceCountException(0);
        }
    }

    /** Writes the fields as header lines: the client's kept ones byte for byte, then the ones set here. */
    public void writeTo(ByteBuf out) {
        ensureLive();
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
        ensureLive();
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
        ensureLive();
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
                    // A token that names a hop-by-hop header anyway (the usual "keep-alive") needs no note.
                    if (b > a && !isAnyOf(a, b, endToEnd) && !isAnyOf(a, b, hopByHop)) {
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
        if (name instanceof AsciiString ascii) {
            return sameAsciiIgnoringCase(start, ascii);  // Netty's header names: their bytes, without a call per char
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

    private boolean sameAsciiIgnoringCase(int start, AsciiString name) {
        byte[] other = name.array();
        int offset = name.arrayOffset();
        for (int k = 0; k < name.length(); k++) {
            int a = bytes[start + k];
            int b = other[offset + k];
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
        ensureLive();
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
        int end = offsets[4 * i + VALUE_END];
        return memo != null ? memo.value(i, bytes, start, end)
                : new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String get(CharSequence name) {
        ensureLive();
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
    public boolean contains(CharSequence name) {
        ensureLive();
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

    /**
     * As Netty's headers answer it (for {@code HttpUtil.isKeepAlive} and {@code isTransferEncodingChunked}): whether
     * a field of that name lists {@code value} among its comma-separated, trimmed elements. The client's values are
     * read in place, so the check that runs on every request makes no String.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        ensureLive();
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name) && !removed(i)) {
                if (replaced != null && replaced[i] != null ? CommaLists.has(replaced[i], value, ignoreCase)
                        : CommaLists.has(bytes, offsets[4 * i + VALUE_START], offsets[4 * i + VALUE_END], value,
                                ignoreCase)) {
                    return true;
                }
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extraNames[i], name)
                    && CommaLists.has(extraValues[i], value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> getAll(CharSequence name) {
        ensureLive();
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
    public List<Map.Entry<String, String>> entries() {
        ensureLive();
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
    public int size() {
        ensureLive();
        return count - removedCount + extraCount;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        ensureLive();
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
    public HttpHeaders remove(CharSequence name) {
        ensureLive();
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
        ensureLive();
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
