package dev.meridian.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one request head (RFC 9112 §2-5) in a single pass that both validates every byte and records where each
 * part lies, so nothing is parsed twice and nothing Meridian does not look at is decoded: the result is a
 * {@link ParsedRequest} whose headers are offsets into the head's bytes ({@link IndexedHeaders}).
 *
 * <p>What it refuses, it refuses as soon as the offending byte arrives (a bare CR is not left waiting for an LF that
 * may never come): request-line separators other than one SP, a version not spelled {@code HTTP/d.d}, a version
 * other than 1.0 or 1.1 (505), a method not made of upper-case letters, '-' and '_', control or non-ASCII bytes in
 * the target, obsolete line folding, whitespace before a colon, a line without a colon, non-token bytes in a name,
 * control bytes in a value, CR or LF alone, a request line over its limit (414) and header fields over theirs
 * (431), and the framing fields a proxy cannot pass on: Content-Length that is not one run of digits, or given
 * twice, or given with Transfer-Encoding. The rules that need the whole head ({@code RequestFraming} in the server)
 * run on the result.
 *
 * <p>Resumable: a head may arrive in any number of pieces, each byte is looked at once. The bytes are copied, a
 * piece at a time, into an array that the loops index directly (a bounds-checked {@code ByteBuf} read per byte
 * costs about as much as the rest of the parse): the array of the pooled {@link ParsedRequest} the head becomes, so
 * the head is copied once, and a request costs no allocation ({@link LoopPool}). A connection holds a request
 * only from the first byte of a head until it is taken (or refused). One parser per connection, on its event loop.
 */
public final class RequestHeadParser {
    public enum Result { INCOMPLETE, COMPLETE, REFUSED }

    public static final String LEADING_JUNK = "the request line starts with whitespace or a control character";
    public static final String REQUEST_LINE_SEPARATORS = "the request line must be method, target and version"
            + " separated by single spaces, with no control characters";
    public static final String MALFORMED_VERSION = "malformed HTTP version: expected HTTP/1.1 or HTTP/1.0";
    public static final String OBS_FOLD = "obsolete line folding (a header line starting with whitespace) is not"
            + " allowed";
    public static final String BARE_CR = "a CR not followed by LF in the request head";
    public static final String BARE_LF = "a LF not preceded by CR in the request head";
    public static final String TARGET_BYTES = "the request target has a control, space or non-ASCII character:"
            + " percent-encode it";
    static final String EMPTY_NAME = "a header field with an empty name";
    static final String NAME_BYTES = "a header name with a character that is not allowed in a token";
    static final String SPACE_BEFORE_COLON = "whitespace between a header name and its colon is not allowed";
    static final String NO_COLON = "a header line without a colon";
    static final String VALUE_BYTES = "a header value with a control character";
    static final String CL_AND_TE = "both Content-Length and Transfer-Encoding: the body's framing would be ambiguous";
    static final String TWO_LENGTHS = "more than one Content-Length header";

    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final int SP = ' ';
    private static final int HT = '\t';
    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
    private static final int MAX_ECHO = 64;
    private static final byte[] NO_BYTES = new byte[0];
    private static final int[] NO_OFFSETS = new int[0];
    private static final long HIGHS = 0x8080808080808080L;
    /** Eight bytes of the head at once, in whatever order: the word tests look at every byte alike. */
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final byte METHOD_BYTE = 1;
    private static final byte TOKEN_BYTE = 2;
    private static final byte VALUE_BYTE = 4;
    private static final byte[] CLASS = new byte[256];
    static {
        for (int c = 'A'; c <= 'Z'; c++) {
            CLASS[c] |= METHOD_BYTE;
        }
        CLASS['-'] |= METHOD_BYTE;
        CLASS['_'] |= METHOD_BYTE;
        for (int c = '0'; c <= '9'; c++) {
            CLASS[c] |= TOKEN_BYTE;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            CLASS[c] |= TOKEN_BYTE;
            CLASS[c - 32] |= TOKEN_BYTE;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            CLASS[c] |= TOKEN_BYTE;
        }
        // field-value = field-vchar, SP, HTAB and obs-text (RFC 9110 §5.5)
        for (int c = 0x21; c <= 0xff; c++) {
            if (c != 0x7f) {
                CLASS[c] |= VALUE_BYTE;
            }
        }
        CLASS[SP] |= VALUE_BYTE;
        CLASS[HT] |= VALUE_BYTE;
    }

    private static final int LEADING = 0;
    private static final int LEADING_LF = 1;
    private static final int METHOD = 2;
    private static final int TARGET = 3;
    private static final int VERSION = 4;
    private static final int REQUEST_LINE_LF = 5;
    private static final int LINE_START = 6;
    private static final int NAME = 7;
    private static final int VALUE_OWS = 8;
    private static final int VALUE = 9;
    private static final int VALUE_LF = 10;
    private static final int END_LF = 11;
    private static final int DONE = 12;
    private static final int FAILED = 13;

    private final int maxRequestLine;
    private final int maxHeaderBytes;
    /** The head's bytes so far: {@link #request}'s array, or none between heads. */
    private byte[] buf = NO_BYTES;
    /** The pooled request the head is parsed into, from its first byte until it is taken or refused. */
    private ParsedRequest request;
    /** The connection's values made into Strings, handed to each of its requests. */
    private final ValueMemo memo = new ValueMemo();
    private int len;
    private int pos;
    private int state = LEADING;
    /** Bytes of empty lines before the request line: consumed, never copied. */
    private int leadingBytes;
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private int versionStart;
    private boolean badMethod;
    private boolean nonAsciiTarget;
    private int lineStart;
    private int nameEnd;
    private int valueStart;
    /** Bytes of the header lines completed so far, line ends not counted (as the limit is written). */
    private int headerBytes;
    private int[] offsets = NO_OFFSETS;
    private int count;
    private int hostLines;
    private int encodingLines;
    private int lengthLines;
    private long contentLength = -1;
    private int encodingField = -1;
    private int headEnd;
    private int status;
    private String reason;

    /**
     * @param maxRequestLine the longest request line, its CRLF not counted
     * @param maxHeaderBytes the most bytes the header lines may take, their CRLFs not counted
     */
    public RequestHeadParser(int maxRequestLine, int maxHeaderBytes) {
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /**
     * Reads the bytes {@code in[from, to)}, which follow the ones fed before for this head. Stops at the head's end:
     * {@link #consumed()} then says how many bytes from the first one fed were the head's.
     */
    public Result feed(ByteBuf in, int from, int to) {
        if (state == DONE) {
            return Result.COMPLETE;
        }
        if (state == FAILED) {
            return Result.REFUSED;
        }
        if (request == null) {
            request = ParsedRequest.POOL.take();
            buf = request.bytes;
            offsets = request.offsets;
        }
        Result result = read(in, from, to);
        if (result == Result.REFUSED || result == Result.INCOMPLETE && len == 0) {
            giveBack();  // refused, or nothing of a request line yet: the connection holds no request
        }
        return result;
    }

    private Result read(ByteBuf in, int from, int to) {
        while (from < to && state <= LEADING_LF) {
            // RFC 9112 §2.2: empty lines before a request line are skipped. Rare, so byte by byte.
            int c = in.getByte(from) & 0xff;
            if (state == LEADING_LF) {
                if (c != LF) {
                    return fail(BARE_CR);
                }
                state = LEADING;
            } else if (c == CR) {
                state = LEADING_LF;
            } else if (c <= SP || c == 0x7f) {
                return fail(c == LF ? BARE_LF : LEADING_JUNK);
            } else {
                state = METHOD;
                break;
            }
            from++;
            leadingBytes++;
        }
        while (from < to) {
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
                request.bytes = buf;
            }
            // As much as the array takes: a head is found in the first piece, a body behind it is not copied in vain.
            int n = Math.min(to - from, buf.length - len);
            in.getBytes(from, buf, len, n);
            len += n;
            from += n;
            Result r = parse();
            if (r != Result.INCOMPLETE) {
                return r;
            }
        }
        return Result.INCOMPLETE;
    }

    /** Bytes of the head, counted from the first byte fed: the empty lines before it, its CRLFs, all. */
    public int consumed() {
        return leadingBytes + headEnd;
    }

    /** The status a refused head is answered with: 400, 414, 431 or 505. */
    public int status() {
        return status;
    }

    /** Why the head was refused, one line in our words. */
    public String reason() {
        return reason;
    }

    /**
     * The head read, held once by the caller, who releases it when done with it: call once per
     * {@link Result#COMPLETE}, then {@link #reset()} for the next one. Nothing is copied: the request is the one the
     * head was parsed into.
     */
    public ParsedRequest take() {
        if (state != DONE || request == null) {
            throw new IllegalStateException("no complete head to take");
        }
        HttpVersion version = buf[versionStart + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        ParsedRequest taken = request;
        taken.ready(version, method(), targetStart, targetEnd, count, memo, hostLines, encodingLines, contentLength);
        request = null;
        buf = NO_BYTES;
        offsets = NO_OFFSETS;
        return taken;
    }

    /** Ready for the next head on the connection. */
    public void reset() {
        len = 0;
        pos = 0;
        state = LEADING;
        leadingBytes = 0;
        badMethod = false;
        nonAsciiTarget = false;
        headerBytes = 0;
        count = 0;
        hostLines = 0;
        encodingLines = 0;
        lengthLines = 0;
        contentLength = -1;
        encodingField = -1;
        headEnd = 0;
        status = 0;
        reason = null;
        giveBack();
    }

    /** The request the head was being parsed into goes back to the pool untaken. */
    private void giveBack() {
        if (request != null) {
            ParsedRequest.POOL.give(request);
            request = null;
        }
        buf = NO_BYTES;
        offsets = NO_OFFSETS;
    }

    /**
     * The state machine over the bytes copied so far. A header line's parts follow each other in the switch (falling
     * through from the name to the value to its line end), so a line costs one dispatch, not one per part; a part
     * cut off by the end of the bytes leaves its state for the next piece.
     */
    private Result parse() {
        final byte[] b = buf;
        final int n = len;
        int p = pos;
        while (p < n) {
            switch (state) {
                case METHOD: {
                    while (p < n) {
                        int c = b[p] & 0xff;
                        if (c == SP) {
                            break;
                        }
                        if (c < SP || c == 0x7f) {
                            return fail(REQUEST_LINE_SEPARATORS);
                        }
                        if ((CLASS[c] & METHOD_BYTE) == 0) {
                            badMethod = true;
                        }
                        p++;
                    }
                    if (p > maxRequestLine) {
                        return lineTooLong();
                    }
                    if (p < n) {
                        methodEnd = p;
                        targetStart = ++p;
                        state = TARGET;
                    }
                    break;
                }
                case TARGET: {
                    while (p + 8 <= n && !targetWordStops((long) WORD.get(b, p))) {
                        p += 8;
                    }
                    while (p < n) {
                        int c = b[p] & 0xff;
                        if (c == SP) {
                            break;
                        }
                        if (c < SP || c == 0x7f) {
                            return fail(REQUEST_LINE_SEPARATORS);
                        }
                        if (c > 0x7f) {
                            nonAsciiTarget = true;
                        }
                        p++;
                    }
                    if (p > maxRequestLine) {
                        return lineTooLong();
                    }
                    if (p < n) {
                        if (p == targetStart) {
                            return fail(REQUEST_LINE_SEPARATORS);
                        }
                        targetEnd = p;
                        versionStart = ++p;
                        state = VERSION;
                    }
                    break;
                }
                case VERSION: {
                    if (p == versionStart && p + 10 <= n && isUsualVersion(b, p)) {
                        // "HTTP/1.1" or "HTTP/1.0" and CRLF, all here: what the byte-by-byte path accepts, at once.
                        p += 10;
                        if (p - 2 > maxRequestLine) {
                            return lineTooLong();
                        }
                        if (!requestLineValid()) {
                            return Result.REFUSED;
                        }
                        state = LINE_START;
                        break;
                    }
                    int c = b[p] & 0xff;
                    int i = p - versionStart;
                    if (c == CR) {
                        if (i != 8) {
                            return fail(MALFORMED_VERSION);
                        }
                        state = REQUEST_LINE_LF;
                    } else if (c == SP || c == HT || c == 0x0b || c == 0x0c) {
                        return fail(REQUEST_LINE_SEPARATORS);
                    } else if (!(i < 5 ? c == HTTP_SLASH[i] : i == 6 ? c == '.' : i < 8 && c >= '0' && c <= '9')) {
                        return fail(c == LF ? BARE_LF : MALFORMED_VERSION);
                    }
                    if (++p > maxRequestLine + 1) {
                        return lineTooLong();
                    }
                    break;
                }
                case REQUEST_LINE_LF: {
                    if (b[p] != LF) {
                        return fail(BARE_CR);
                    }
                    if (p - 1 > maxRequestLine) {
                        return lineTooLong();
                    }
                    p++;
                    if (!requestLineValid()) {
                        return Result.REFUSED;
                    }
                    state = LINE_START;
                    break;
                }
                case LINE_START: {
                    int c = b[p] & 0xff;
                    if (c == CR) {
                        state = END_LF;
                        p++;
                        break;
                    } else if (c == SP || c == HT) {
                        return fail(OBS_FOLD);
                    } else if (c == LF) {
                        return fail(BARE_LF);
                    } else if (c == ':') {
                        return fail(EMPTY_NAME);
                    } else if ((CLASS[c] & TOKEN_BYTE) == 0) {
                        return fail(NAME_BYTES);
                    }
                    lineStart = p++;
                    state = NAME;
                }
                // fall through: the name goes on
                case NAME: {
                    while (p < n && (CLASS[b[p] & 0xff] & TOKEN_BYTE) != 0) {
                        p++;
                    }
                    if (p == n) {
                        break;
                    }
                    int c = b[p] & 0xff;
                    if (c != ':') {
                        return fail(c == SP || c == HT ? SPACE_BEFORE_COLON
                                : c == CR || c == LF ? NO_COLON : NAME_BYTES);
                    }
                    nameEnd = p++;
                    state = VALUE_OWS;
                }
                // fall through: the value follows the colon
                case VALUE_OWS: {
                    while (p < n && (b[p] == SP || b[p] == HT)) {
                        p++;
                    }
                    if (p == n) {
                        break;
                    }
                    valueStart = p;
                    state = VALUE;
                }
                // fall through
                case VALUE: {
                    while (true) {
                        while (p + 8 <= n && !valueWordStops((long) WORD.get(b, p))) {
                            p += 8;
                        }
                        if (p < n && b[p] == HT) {
                            p++;  // the one control byte a value may hold; rare, so it leaves the word loop
                            continue;
                        }
                        break;
                    }
                    while (p < n && (CLASS[b[p] & 0xff] & VALUE_BYTE) != 0) {
                        p++;
                    }
                    if (p == n) {
                        break;
                    }
                    int c = b[p] & 0xff;
                    if (c == LF) {
                        return fail(BARE_LF);
                    }
                    if (c != CR) {
                        return fail(VALUE_BYTES);
                    }
                    state = VALUE_LF;
                    if (++p == n) {
                        break;
                    }
                }
                // fall through: the LF after the value's CR
                case VALUE_LF: {
                    if (b[p] != LF) {
                        return fail(BARE_CR);
                    }
                    headerBytes += p - 1 - lineStart;
                    if (headerBytes > maxHeaderBytes) {
                        return headersTooLarge();
                    }
                    if (!fieldDone(p - 1)) {
                        return Result.REFUSED;
                    }
                    p++;
                    state = LINE_START;
                    break;
                }
                case END_LF: {
                    if (b[p] != LF) {
                        return fail(BARE_CR);
                    }
                    headEnd = ++p;
                    pos = p;
                    return headDone();
                }
                default:
                    throw new IllegalStateException("state " + state);
            }
        }
        pos = p;
        if (state >= NAME && state <= VALUE_LF && headerBytes + (p - lineStart) > maxHeaderBytes + 1) {
            return headersTooLarge();  // refused before the line ends: a client must not make us buffer past it
        }
        return Result.INCOMPLETE;
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0}, then CRLF, at {@code b[p]}: the version almost every request has. */
    private static boolean isUsualVersion(byte[] b, int p) {
        return b[p] == 'H' && b[p + 1] == 'T' && b[p + 2] == 'T' && b[p + 3] == 'P' && b[p + 4] == '/'
                && b[p + 5] == '1' && b[p + 6] == '.' && (b[p + 7] == '1' || b[p + 7] == '0') && b[p + 8] == CR
                && b[p + 9] == LF;
    }

    /**
     * Whether any of the 8 bytes in {@code w} is not a plain target byte (0x21-0x7e): SWAR tests from "Bit Twiddling
     * Hacks" (a byte below n: {@code (w - n*ONES) & ~w & HIGHS}, exact for n up to 0x80), so the common run of
     * ordinary bytes costs one read and a few operations per 8 bytes instead of a lookup per byte.
     */
    private static boolean targetWordStops(long w) {
        return ((((w - 0x2121212121212121L) & ~w) | w | hasZeroByte(w ^ 0x7f7f7f7f7f7f7f7fL)) & HIGHS) != 0;
    }

    /** Whether any of the 8 bytes in {@code w} is a control byte (below 0x20, or DEL): the end of a value or a fault. */
    private static boolean valueWordStops(long w) {
        return ((((w - 0x2020202020202020L) & ~w) | hasZeroByte(w ^ 0x7f7f7f7f7f7f7f7fL)) & HIGHS) != 0;
    }

    private static long hasZeroByte(long w) {
        return (w - 0x0101010101010101L) & ~w;
    }

    private boolean requestLineValid() {
        if (badMethod) {
            fail("invalid method '" + printable(0, methodEnd) + "': methods are upper-case letters, '-' and '_'");
            return false;
        }
        int major = buf[versionStart + 5] - '0';
        int minor = buf[versionStart + 7] - '0';
        if (major != 1 || minor > 1) {
            status = 505;
            reason = "HTTP/" + major + "." + minor + " is not supported: use HTTP/1.1";
            state = FAILED;
            return false;
        }
        if (nonAsciiTarget) {
            fail(TARGET_BYTES);
            return false;
        }
        return true;
    }

    /** Records the field just read; the framing fields are checked here, once. */
    private boolean fieldDone(int cr) {
        int end = cr;
        while (end > valueStart && (buf[end - 1] == SP || buf[end - 1] == HT)) {
            end--;
        }
        int start = valueStart;
        if (4 * count + 4 > offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(16, offsets.length * 2));
            request.offsets = offsets;
        }
        int at = 4 * count;
        offsets[at] = lineStart;
        offsets[at + 1] = nameEnd;
        offsets[at + 2] = start;
        offsets[at + 3] = end;
        int nameLength = nameEnd - lineStart;
        if (nameLength == 4 && nameIs("host")) {
            hostLines++;
        } else if (nameLength == 17 && nameIs("transfer-encoding")) {
            if (encodingField < 0) {
                encodingField = count;
            }
            encodingLines++;
        } else if (nameLength == 14 && nameIs("content-length")) {
            if (++lengthLines > 1) {
                fail(TWO_LENGTHS);
                return false;
            }
            contentLength = digits(start, end);
            if (contentLength < 0) {
                fail("invalid Content-Length '" + printable(start, end) + "': it must be one decimal number");
                return false;
            }
        }
        count++;
        return true;
    }

    private Result headDone() {
        if (lengthLines > 0 && encodingLines > 0) {
            return fail(CL_AND_TE);
        }
        state = DONE;
        return Result.COMPLETE;
    }

    private boolean nameIs(String lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            int c = buf[lineStart + i];
            if (c != lowerCase.charAt(i) && c + 32 != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code 1*DIGIT} as a long; -1 when empty, not all digits, or too large. */
    private long digits(int start, int end) {
        if (start == end) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private HttpMethod method() {
        int length = methodEnd;
        byte first = buf[0];
        if (length == 3 && first == 'G' && buf[1] == 'E' && buf[2] == 'T') {
            return HttpMethod.GET;
        }
        if (length == 4 && first == 'P' && buf[1] == 'O' && buf[2] == 'S' && buf[3] == 'T') {
            return HttpMethod.POST;
        }
        return HttpMethod.valueOf(new String(buf, 0, length, StandardCharsets.ISO_8859_1));
    }

    private String printable(int start, int end) {
        StringBuilder out = new StringBuilder(Math.min(end - start, MAX_ECHO) + 3);
        for (int i = start; i < end && i - start < MAX_ECHO; i++) {
            int c = buf[i] & 0xff;
            out.append(c < 0x20 || c >= 0x7f ? '?' : (char) c);
        }
        return end - start > MAX_ECHO ? out.append("...").toString() : out.toString();
    }

    private Result lineTooLong() {
        status = 414;
        reason = "request line longer than " + maxRequestLine + " bytes";
        state = FAILED;
        return Result.REFUSED;
    }

    private Result headersTooLarge() {
        status = 431;
        reason = "request headers larger than " + maxHeaderBytes + " bytes";
        state = FAILED;
        return Result.REFUSED;
    }

    private Result fail(String why) {
        status = 400;
        reason = why;
        state = FAILED;
        return Result.REFUSED;
    }
}
