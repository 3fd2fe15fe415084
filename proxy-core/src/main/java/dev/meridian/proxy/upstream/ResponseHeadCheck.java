package dev.meridian.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Checks a response head (status line and header fields, RFC 9112 §4-6) byte for byte before Netty's decoder reads
 * it. The decoder is lenient where a proxy must not be: it takes {@code HTTP/2.0} or status 2000, truncates a
 * header name at a space ({@code Content-Length x: 5} becomes {@code Content-Length}), strips the space before a
 * colon, unfolds obsolete line folding, and reads until close a body whose transfer coding it does not know. Each
 * of those is refused here instead; the decoder then parses a head known to be well formed.
 *
 * <p>Incremental: each call checks only the lines completed since the previous one, so a head trickling in byte by
 * byte costs linear time. Reset before each response head.
 */
final class ResponseHeadCheck {
    /** The longest status line: far beyond any real one, small enough to bound the buffering. */
    static final int MAX_STATUS_LINE = 8 * 1024;
    private static final boolean[] TOKEN = new boolean[128];
    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }
    /** Goes on while the bytes are a header name; stops at the colon, or at whatever else ends it. */
    private static final ByteProcessor TOKEN_BYTES = ResponseHeadCheck::tokenByte;
    private static final ByteProcessor FIELD_VALUE_BYTES = ResponseHeadCheck::fieldValueByte;
    private static final ByteProcessor DIGITS = b -> b >= '0' && b <= '9';
    private static final int MAX_QUOTED = 40;

    enum Result { INCOMPLETE, COMPLETE, INVALID }

    private final int maxHeaderBytes;
    /** Bytes of the head, from the reader index, already checked: always whole lines. */
    private int checked;
    private boolean statusSeen;
    private boolean http10;
    private int headerBytes;
    private int contentLengths;
    private String transferEncoding;
    private String problem;
    private boolean tooLarge;

    /** @param maxHeaderBytes the most bytes the header fields may take, line ends included */
    ResponseHeadCheck(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    void reset() {
        checked = 0;
        statusSeen = false;
        http10 = false;
        headerBytes = 0;
        contentLengths = 0;
        transferEncoding = null;
        problem = null;
        tooLarge = false;
    }

    /** What is wrong with the head, once {@link #check} said {@link Result#INVALID}. */
    String problem() {
        return problem;
    }

    /** The head was refused for its size rather than its form. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** Checks the head at {@code buf}'s reader index, which must stay put until the head is complete. */
    Result check(ByteBuf buf) {
        int base = buf.readerIndex();
        int end = buf.writerIndex();
        while (true) {
            int lineStart = base + checked;
            int lf = buf.indexOf(lineStart, end, (byte) '\n');
            if (lf < 0) {
                int partial = end - lineStart;
                if (!statusSeen && partial > MAX_STATUS_LINE) {
                    return tooLarge("status line longer than " + MAX_STATUS_LINE + " bytes");
                }
                if (statusSeen && headerBytes + partial > maxHeaderBytes) {
                    return tooLarge("response headers larger than " + maxHeaderBytes + " bytes");
                }
                return Result.INCOMPLETE;
            }
            if (lf == lineStart || buf.getByte(lf - 1) != '\r') {
                return invalid("bare LF at the end of a " + (statusSeen ? "header line" : "status line"));
            }
            int lineEnd = lf - 1;
            checked += lf + 1 - lineStart;
            if (!statusSeen) {
                statusSeen = true;
                if (lineEnd - lineStart > MAX_STATUS_LINE) {
                    return tooLarge("status line longer than " + MAX_STATUS_LINE + " bytes");
                }
                statusLine(buf, lineStart, lineEnd);
            } else if (lineEnd == lineStart) {
                framing();
                return problem == null ? Result.COMPLETE : Result.INVALID;
            } else {
                headerBytes += lf + 1 - lineStart;
                if (headerBytes > maxHeaderBytes) {
                    return tooLarge("response headers larger than " + maxHeaderBytes + " bytes");
                }
                field(buf, lineStart, lineEnd);
            }
            if (problem != null) {
                return Result.INVALID;
            }
        }
    }

    /** {@code HTTP/1.x SP 3DIGIT [SP reason]}; a missing reason is tolerated, as many servers leave it out. */
    private void statusLine(ByteBuf buf, int start, int end) {
        int len = end - start;
        if (len < 12 || !startsWith(buf, start, "HTTP/1.") || (buf.getByte(start + 7) != '0'
                && buf.getByte(start + 7) != '1') || buf.getByte(start + 8) != ' ') {
            problem = "status line '" + quote(buf, start, end) + "' is not HTTP/1.0 or HTTP/1.1";
            return;
        }
        http10 = buf.getByte(start + 7) == '0';
        int code = 0;
        for (int i = start + 9; i < start + 12; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                problem = "status line '" + quote(buf, start, end) + "' has no three-digit status code";
                return;
            }
            code = code * 10 + (b - '0');
        }
        if (len > 12 && buf.getByte(start + 12) != ' ') {
            problem = "status line '" + quote(buf, start, end) + "' has no three-digit status code";
            return;
        }
        if (code < 100 || code > 599) {
            problem = "status code " + code + " is outside 100-599";
            return;
        }
        if (code == 101) {
            problem = "101 Switching Protocols, which Meridian never asks for";
            return;
        }
        if (end > start + 13 && buf.forEachByte(start + 13, end - start - 13, FIELD_VALUE_BYTES) >= 0) {
            problem = "control character in the status line's reason phrase";
        }
    }

    private void field(ByteBuf buf, int start, int end) {
        byte first = buf.getByte(start);
        if (first == ' ' || first == '\t') {
            problem = "obsolete line folding in the response headers";
            return;
        }
        // forEachByte checks the buffer once per line, where getByte would check it per byte.
        int colon = buf.forEachByte(start, end - start, TOKEN_BYTES);
        if (colon < 0) {
            problem = "header line '" + quote(buf, start, end) + "' has no colon";
            return;
        }
        byte stop = buf.getByte(colon);
        if (stop == ' ' || stop == '\t') {
            problem = "whitespace in or after the header name '" + quote(buf, start, colon) + "'";
            return;
        }
        if (stop != ':') {
            problem = "invalid character in the header name '" + quote(buf, start, Math.min(end, colon + 1)) + "'";
            return;
        }
        if (colon == start) {
            problem = "header line with an empty name";
            return;
        }
        if (end > colon + 1 && buf.forEachByte(colon + 1, end - colon - 1, FIELD_VALUE_BYTES) >= 0) {
            problem = "control character in the value of header '" + quote(buf, start, colon) + "'";
            return;
        }
        if (nameIs(buf, start, colon, "content-length")) {
            contentLengths++;
            if (!decimal(buf, colon + 1, end)) {
                problem = "invalid Content-Length '" + truncate(value(buf, colon + 1, end)) + "'";
            }
        } else if (nameIs(buf, start, colon, "transfer-encoding")) {
            String value = value(buf, colon + 1, end);
            transferEncoding = transferEncoding == null ? value : transferEncoding + ", " + value;
        }
    }

    /** The framing rules of RFC 9112 §6, as a proxy that writes its own framing needs them. */
    private void framing() {
        if (contentLengths > 1) {
            problem = "several Content-Length headers";
        } else if (transferEncoding != null && http10) {
            problem = "Transfer-Encoding in an HTTP/1.0 response";
        } else if (transferEncoding != null && contentLengths > 0) {
            problem = "both Content-Length and Transfer-Encoding";
        } else if (transferEncoding != null && !transferEncoding.trim().equalsIgnoreCase("chunked")) {
            // A coding other than chunked would reach the client undecoded, or unframed if chunked is not last.
            problem = "Transfer-Encoding '" + truncate(transferEncoding)
                    + "': only a single 'chunked' coding is relayed";
        }
    }

    private Result invalid(String what) {
        problem = what;
        return Result.INVALID;
    }

    private Result tooLarge(String what) {
        tooLarge = true;
        return invalid(what);
    }

    private static boolean startsWith(ByteBuf buf, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (buf.getByte(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Compares a header name in place, ignoring ASCII case: no string per header line. */
    private static boolean nameIs(ByteBuf buf, int start, int end, String lowerCase) {
        if (end - start != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < lowerCase.length(); i++) {
            byte b = buf.getByte(start + i);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** tchar of RFC 9110 §5.6.2. */
    static boolean tokenByte(byte b) {
        return b >= 0 && TOKEN[b];
    }

    /** 1 to 18 digits between optional whitespace: a Content-Length, read in place (no string per response). */
    private static boolean decimal(ByteBuf buf, int start, int end) {
        while (start < end && isOws(buf.getByte(start))) {
            start++;
        }
        while (end > start && isOws(buf.getByte(end - 1))) {
            end--;
        }
        return end > start && end - start <= 18 && buf.forEachByte(start, end - start, DIGITS) < 0;
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    /** field-vchar, SP and HTAB of RFC 9110 §5.5; obs-text (bytes 0x80-0xFF) is allowed, as the RFC allows it. */
    private static boolean fieldValueByte(byte b) {
        return b == '\t' || b >= 0x20 && b != 0x7f || b < 0;
    }

    private static String value(ByteBuf buf, int start, int end) {
        return buf.toString(start, end - start, StandardCharsets.ISO_8859_1).trim();
    }

    /** A piece of the offending bytes for the reason line: printable ASCII only, and short. */
    private static String quote(ByteBuf buf, int start, int end) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end && sb.length() < MAX_QUOTED; i++) {
            byte b = buf.getByte(i);
            sb.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
        return end - start > MAX_QUOTED ? sb + "..." : sb.toString();
    }

    private static String truncate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > MAX_QUOTED ? printable.substring(0, MAX_QUOTED) + "..." : printable;
    }
}
