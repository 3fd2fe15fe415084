package dev.meridian.proxy.upstream;

import static dev.meridian.proxy.upstream.FieldBytes.FIELD_VALUE;
import static dev.meridian.proxy.upstream.FieldBytes.TOKEN;
import static dev.meridian.proxy.upstream.FieldBytes.decimal;
import static dev.meridian.proxy.upstream.FieldBytes.indexOfLf;
import static dev.meridian.proxy.upstream.FieldBytes.isDigit;
import static dev.meridian.proxy.upstream.FieldBytes.isOws;
import static dev.meridian.proxy.upstream.FieldBytes.nameIs;
import static dev.meridian.proxy.upstream.FieldBytes.quote;
import static dev.meridian.proxy.upstream.FieldBytes.startsWith;
import static dev.meridian.proxy.upstream.FieldBytes.truncate;

import dev.meridian.proxy.http1.IndexedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A response head (status line and header fields, RFC 9112 §4-6), or the trailer section of a chunked body, read
 * in one pass that validates while it finds the line ends: each byte is looked at once, against a table, and the
 * offsets of every field's name and value (from the head's first byte in the received buffer) are kept, so that the
 * {@link HttpResponse} is built from them without another look at the bytes.
 *
 * <p>Refused, where a lenient HTTP/1.1 parser would guess: {@code HTTP/2.0} or status 2000, a space in or after a
 * header name ({@code Content-Length x: 5} must not become {@code Content-Length}), obsolete line folding, control
 * characters, bare LF, several or malformed Content-Lengths, and any transfer coding other than a lone
 * {@code chunked}, which would reach the client undecoded or unframed.
 *
 * <p>The bytes are copied out of the (usually direct) buffer in bulk, a few hundred at a time, and scanned as an
 * array: a bounds-checked {@code getByte} per byte costs about 40 % more. Incremental: a head trickling in is
 * scanned line by line as each line completes, the unfinished line again on the next call. Reset before each head.
 */
final class ResponseHead {
    /** The longest status line: far beyond any real one, small enough to bound the buffering. */
    static final int MAX_STATUS_LINE = 8 * 1024;
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS =
            DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final int FIRST_COPY = 512;
    private static final int KEPT_SCRATCH = 8 * 1024;
    /** Results of one line's scan, besides the index past its LF. */
    private static final int NEED_MORE = 0;
    private static final int FAILED = -1;
    private static final int SLOW = -2;

    enum Result { INCOMPLETE, COMPLETE, INVALID }

    private final int maxHeaderBytes;
    private final int maxBuffered;
    /** The section's bytes from the buffer's reader index: {@code [0, copied)}. */
    private byte[] bytes = new byte[FIRST_COPY];
    private int copied;
    /** Bytes of whole lines already checked. */
    private int scanned;
    private boolean trailerSection;
    private boolean statusSeen;
    private boolean http10;
    private int code;
    private int reasonStart;
    private int reasonEnd;
    /** Bytes of the field lines, line ends included, for the size limit. */
    private int fieldBytes;
    /** Per field: name start, name end, value start, value end (without OWS). */
    private int[] fields = new int[4 * 16];
    private int count;
    private int contentLengths;
    private int contentLengthField;
    private long contentLength;
    private int transferEncodings;
    private String problem;
    private boolean tooLarge;
    /** The request this head answers asked to switch protocols: a 101 is its answer, not a fault. */
    private boolean switchAsked;

    /** @param maxHeaderBytes the most bytes the header fields (or the trailer fields) may take, line ends included */
    ResponseHead(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        // Enough that a section not complete within it has certainly passed one of the limits.
        this.maxBuffered = MAX_STATUS_LINE + maxHeaderBytes + 8;
        reset(false);
    }

    int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /** Whether the request being answered asked to switch protocols (Upgrade): only then is a 101 valid. */
    void switchAsked(boolean asked) {
        switchAsked = asked;
    }

    /** Starts over, for a response head or, with {@code trailers}, for a chunked body's trailer section. */
    void reset(boolean trailers) {
        if (bytes.length > KEPT_SCRATCH) {
            bytes = new byte[FIRST_COPY];  // a huge head is rare: its scratch is not kept for the connection's life
        }
        trailerSection = trailers;
        copied = 0;
        scanned = 0;
        statusSeen = trailers;
        http10 = false;
        code = 0;
        fieldBytes = 0;
        count = 0;
        contentLengths = 0;
        contentLengthField = -1;
        contentLength = -1;
        transferEncodings = 0;
        problem = null;
        tooLarge = false;
    }

    /** What is wrong with the section, once {@link #scan} said {@link Result#INVALID}. */
    String problem() {
        return problem;
    }

    /** The section was refused for its size rather than its form. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** Bytes of the whole section, the empty line's CRLF included, once complete. */
    int length() {
        return scanned;
    }

    int status() {
        return code;
    }

    boolean chunked() {
        return transferEncodings > 0;
    }

    /** The declared body length; -1 without a Content-Length. */
    long contentLength() {
        return contentLength;
    }

    /** Scans the section at {@code in}'s reader index, which must stay put until the section is complete. */
    Result scan(ByteBuf in) {
        int available = Math.min(in.readableBytes(), maxBuffered);
        while (true) {
            if (copied < available) {
                int n = Math.min(available - copied, Math.max(FIRST_COPY, copied));
                if (copied + n > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(copied + n, bytes.length * 2));
                }
                in.getBytes(in.readerIndex() + copied, bytes, copied, n);
                copied += n;
            }
            Result result = lines();
            if (result != null) {
                return result;
            }
            if (copied >= available) {
                return unfinishedLine();
            }
        }
    }

    /** Checks the lines completed within the copied bytes; null when the section goes on past them. */
    private Result lines() {
        byte[] a = bytes;
        int end = copied;
        if (!statusSeen) {
            int next = statusLine(a, end);
            if (next == NEED_MORE) {
                return null;
            }
            if (next == FAILED) {
                return Result.INVALID;
            }
            statusSeen = true;
            scanned = next;
        }
        while (scanned < end) {
            int start = scanned;
            if (a[start] == '\r' && start + 1 < end && a[start + 1] == '\n') {
                scanned = start + 2;
                return trailerSection ? Result.COMPLETE : framing();
            }
            int next = fieldLine(a, start, end);
            if (next == SLOW) {
                next = strictLine(a, start, end);
            }
            if (next == NEED_MORE) {
                return null;
            }
            if (next == FAILED) {
                return Result.INVALID;
            }
            scanned = next;
        }
        return null;
    }

    /** No line end yet: the size alone may decide. */
    private Result unfinishedLine() {
        int partial = copied - scanned;
        if (partial > 0 && bytes[copied - 1] == '\r') {
            partial--;  // a CR waiting for its LF may end the line (or the section): no part of its length yet
        }
        if (!statusSeen) {
            if (partial > MAX_STATUS_LINE) {
                return tooLarge("status line longer than " + MAX_STATUS_LINE + " bytes");
            }
        } else if (fieldBytes + partial > maxHeaderBytes) {
            return tooLarge(sectionTooLarge());
        }
        return Result.INCOMPLETE;
    }

    /**
     * {@code HTTP/1.x SP 3DIGIT [SP reason]}; a missing reason is tolerated, as many servers leave it out.
     *
     * @return the index past the line's LF, {@link #NEED_MORE} or {@link #FAILED}
     */
    private int statusLine(byte[] a, int end) {
        // The usual line, read once: fixed positions, then the reason up to its CRLF.
        if (end >= 14 && a[0] == 'H' && a[1] == 'T' && a[2] == 'T' && a[3] == 'P' && a[4] == '/' && a[5] == '1'
                && a[6] == '.' && (a[7] == '1' || a[7] == '0') && a[8] == ' ' && isDigit(a[9]) && isDigit(a[10])
                && isDigit(a[11])) {
            int i = 12;
            if (a[12] == ' ') {
                i = 13;
                while (i < end && FIELD_VALUE[a[i] & 0xff]) {
                    i++;
                }
            }
            if (i + 1 < end && a[i] == '\r' && a[i + 1] == '\n') {
                return i > MAX_STATUS_LINE ? tooLargeLine() : statusFields(a, i) ? i + 2 : FAILED;
            }
            if (i >= end || i + 1 == end && a[i] == '\r') {
                return NEED_MORE;
            }
        }
        int lf = indexOfLf(a, 0, end);
        if (lf < 0) {
            return NEED_MORE;
        }
        if (lf == 0 || a[lf - 1] != '\r') {
            return fail("bare LF at the end of a status line");
        }
        int lineEnd = lf - 1;
        if (lineEnd > MAX_STATUS_LINE) {
            return tooLargeLine();
        }
        if (lineEnd < 12 || !startsWith(a, "HTTP/1.") || (a[7] != '0' && a[7] != '1') || a[8] != ' ') {
            return fail("status line '" + quote(a, 0, lineEnd) + "' is not HTTP/1.0 or HTTP/1.1");
        }
        if (!isDigit(a[9]) || !isDigit(a[10]) || !isDigit(a[11]) || lineEnd > 12 && a[12] != ' ') {
            return fail("status line '" + quote(a, 0, lineEnd) + "' has no three-digit status code");
        }
        for (int i = 13; i < lineEnd; i++) {
            if (!FIELD_VALUE[a[i] & 0xff]) {
                if (!statusFields(a, lineEnd)) {
                    return FAILED;  // a bad status code is told before a bad reason
                }
                return fail("control character in the status line's reason phrase");
            }
        }
        return statusFields(a, lineEnd) ? lf + 1 : FAILED;
    }

    private int tooLargeLine() {
        tooLarge("status line longer than " + MAX_STATUS_LINE + " bytes");
        return FAILED;
    }

    /** The version, status code and reason of a well-formed status line ending at {@code lineEnd}. */
    private boolean statusFields(byte[] a, int lineEnd) {
        http10 = a[7] == '0';
        code = (a[9] - '0') * 100 + (a[10] - '0') * 10 + (a[11] - '0');
        if (code < 100 || code > 599) {
            problem = "status code " + code + " is outside 100-599";
            return false;
        }
        if (code == 101 && !switchAsked) {
            problem = "101 Switching Protocols to a request that asked for no upgrade";
            return false;
        }
        int start = Math.min(13, lineEnd);
        int end = lineEnd;
        while (start < end && isOws(a[start])) {
            start++;
        }
        while (end > start && isOws(a[end - 1])) {
            end--;
        }
        reasonStart = start;
        reasonEnd = end;
        return true;
    }

    /**
     * The common field line ({@code token ":" OWS value OWS CRLF}) in one pass; anything else goes to
     * {@link #strictLine}, which tells what is wrong in the order the checks have always been made.
     */
    private int fieldLine(byte[] a, int start, int end) {
        int i = start;
        while (i < end && TOKEN[a[i] & 0xff]) {
            i++;
        }
        if (i >= end) {
            return NEED_MORE;
        }
        if (a[i] != ':' || i == start) {
            return SLOW;
        }
        int colon = i++;
        while (i < end && FIELD_VALUE[a[i] & 0xff]) {
            i++;
        }
        if (i >= end || a[i] == '\r' && i + 1 == end) {
            return NEED_MORE;
        }
        if (a[i] != '\r' || a[i + 1] != '\n') {
            return SLOW;
        }
        fieldBytes += i + 2 - start;
        if (fieldBytes > maxHeaderBytes) {
            tooLarge(sectionTooLarge());
            return FAILED;
        }
        return field(a, start, colon, i) ? i + 2 : FAILED;
    }

    /** One field line, checked whole once its LF is there: the slow path, for lines with something wrong. */
    private int strictLine(byte[] a, int start, int end) {
        int lf = indexOfLf(a, start, end);
        if (lf < 0) {
            return NEED_MORE;
        }
        String line = trailerSection ? "trailer" : "header";
        if (lf == start || a[lf - 1] != '\r') {
            return fail("bare LF at the end of a " + line + " line");
        }
        int lineEnd = lf - 1;
        fieldBytes += lf + 1 - start;
        if (fieldBytes > maxHeaderBytes) {
            tooLarge(sectionTooLarge());
            return FAILED;
        }
        byte first = a[start];
        if (first == ' ' || first == '\t') {
            return fail("obsolete line folding in the response " + line + "s");
        }
        int colon = start;
        while (colon < lineEnd && TOKEN[a[colon] & 0xff]) {
            colon++;
        }
        if (colon == lineEnd) {
            return fail(line + " line '" + quote(a, start, lineEnd) + "' has no colon");
        }
        byte stop = a[colon];
        if (stop == ' ' || stop == '\t') {
            return fail("whitespace in or after the " + line + " name '" + quote(a, start, colon) + "'");
        }
        if (stop != ':') {
            return fail("invalid character in the " + line + " name '"
                    + quote(a, start, Math.min(lineEnd, colon + 1)) + "'");
        }
        if (colon == start) {
            return fail(line + " line with an empty name");
        }
        for (int i = colon + 1; i < lineEnd; i++) {
            if (!FIELD_VALUE[a[i] & 0xff]) {
                return fail("control character in the value of " + line + " '" + quote(a, start, colon) + "'");
            }
        }
        return field(a, start, colon, lineEnd) ? lf + 1 : FAILED;
    }

    /** Records a well-formed field, and checks what framing depends on. */
    private boolean field(byte[] a, int start, int colon, int lineEnd) {
        int valueStart = colon + 1;
        int valueEnd = lineEnd;
        while (valueStart < valueEnd && isOws(a[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && isOws(a[valueEnd - 1])) {
            valueEnd--;
        }
        int nameLength = colon - start;
        if (trailerSection) {
            // Framing fields have no place in trailers: dropped, as Netty's decoder drops them.
            if (nameIs(a, start, nameLength, "content-length") || nameIs(a, start, nameLength, "transfer-encoding")
                    || nameIs(a, start, nameLength, "trailer")) {
                return true;
            }
        } else if (nameIs(a, start, nameLength, "content-length")) {
            contentLengths++;
            contentLength = decimal(a, valueStart, valueEnd);
            if (contentLength < 0) {
                problem = "invalid Content-Length '" + truncate(a, valueStart, valueEnd) + "'";
                return false;
            }
            contentLengthField = count;
        } else if (nameIs(a, start, nameLength, "transfer-encoding")) {
            transferEncodings++;
        }
        if (4 * count + 4 > fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        int at = 4 * count++;
        fields[at] = start;
        fields[at + 1] = colon;
        fields[at + 2] = valueStart;
        fields[at + 3] = valueEnd;
        return true;
    }

    /** The framing rules of RFC 9112 §6, as a proxy that writes its own framing needs them. */
    private Result framing() {
        if (contentLengths > 1) {
            problem = "several Content-Length headers";
        } else if (transferEncodings > 0 && http10) {
            problem = "Transfer-Encoding in an HTTP/1.0 response";
        } else if (transferEncodings > 0 && contentLengths > 0) {
            problem = "both Content-Length and Transfer-Encoding";
        } else if (transferEncodings > 0) {
            String codings = transferCodings();
            if (transferEncodings > 1 || !codings.equalsIgnoreCase("chunked")) {
                // A coding other than chunked would reach the client undecoded, or unframed if chunked is not last.
                problem = "Transfer-Encoding '" + truncate(codings) + "': only a single 'chunked' coding is relayed";
            }
        }
        return problem == null ? Result.COMPLETE : Result.INVALID;
    }

    /** The Transfer-Encoding values, joined as one list. */
    private String transferCodings() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int at = 4 * i;
            if (nameIs(bytes, fields[at], fields[at + 1] - fields[at], "transfer-encoding")) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(new String(bytes, fields[at + 2], fields[at + 3] - fields[at + 2],
                        StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    /**
     * The response the complete head describes, its headers filled from the offsets without validation (the scan
     * did it). Bodyless (HEAD, 1xx, 204, 304), it loses its Transfer-Encoding, as with Netty's decoder: the proxy
     * must not announce a chunked body it will not send.
     */
    HttpResponse response(boolean bodyless) {
        // The endpoint's lines stay bytes: the client gets the ones kept byte for byte (IndexedHeaders.writeTo), from
        // the pooled response's own arrays.
        int used = count == 0 ? 0 : fields[4 * count - 1];
        ParsedResponse response = ParsedResponse.POOL.take();
        response.ready(http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, responseStatus(), bytes, used, fields,
                count);
        IndexedHeaders headers = response.indexedHeaders();
        if (contentLengthField >= 0 && bytes[fields[4 * contentLengthField + 2]] == '0'
                && fields[4 * contentLengthField + 3] - fields[4 * contentLengthField + 2] > 1) {
            headers.replaceValue(contentLengthField, Long.toString(contentLength));  // "007" goes as "7"
        }
        if (bodyless && transferEncodings > 0) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        return response;
    }

    /** The end of a chunked body, with the trailer fields of the complete section. */
    LastHttpContent trailers() {
        if (count == 0) {
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        HttpHeaders trailers = TRAILERS.newHeaders();
        for (int i = 0; i < count; i++) {
            int at = 4 * i;
            trailers.add(new AsciiString(bytes, fields[at], fields[at + 1] - fields[at], true),
                    value(bytes, fields[at + 2], fields[at + 3]));
        }
        return new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
    }

    private static AsciiString value(byte[] a, int start, int end) {
        return start == end ? AsciiString.EMPTY_STRING : new AsciiString(a, start, end - start, true);
    }

    /** The standard status object when the reason is the standard one, as Netty's decoder picks it. */
    private HttpResponseStatus responseStatus() {
        HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        String phrase = standard.reasonPhrase();
        int length = reasonEnd - reasonStart;
        boolean same = phrase.length() == length;
        for (int i = 0; same && i < length; i++) {
            same = phrase.charAt(i) == (bytes[reasonStart + i] & 0xff);
        }
        return same ? standard
                : new HttpResponseStatus(code, new String(bytes, reasonStart, length, StandardCharsets.ISO_8859_1));
    }

    private String sectionTooLarge() {
        return "response " + (trailerSection ? "trailers" : "headers") + " larger than " + maxHeaderBytes + " bytes";
    }

    private int fail(String what) {
        problem = what;
        return FAILED;
    }

    private Result tooLarge(String what) {
        tooLarge = true;
        problem = what;
        return Result.INVALID;
    }
}
