package dev.meridian.testing;

import dev.meridian.testing.StrictHttpParser.Field;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The response side of {@link StrictHttpParser}: what an upstream sent, judged by RFC 9112's grammar and the rules
 * Meridian relays responses under, sharing no code with Netty or with Meridian's decoder, for tests to hold the
 * decoder to. Written as plainly as it can be, line by line with regular expressions: slow, and obviously right.
 *
 * <p>The rules beyond the grammar: the status line is {@code HTTP/1.0} or {@code HTTP/1.1}, a status of 100-599
 * other than 101, at most {@link #MAX_STATUS_LINE} bytes; the header fields (and separately the trailer fields) take
 * at most {@code maxHeaderBytes}, line ends included, and a section whose unfinished last line already passes that
 * is refused as too large; no obsolete line folding; at most one Content-Length, of 1 to 18 digits; Transfer-Encoding
 * only in HTTP/1.1, never with Content-Length, and only as one field whose value is {@code chunked} in any case. A
 * chunk size line is hex digits, optional whitespace, and an optional extension from {@code ;} on, of field-value
 * bytes, at most {@link #MAX_CHUNK_LINE} bytes before its CRLF. HEAD responses, 1xx, 204 and 304 have no body; a
 * response with neither length nor chunking ends at the close.
 */
public final class StrictResponseParser {
    public static final int MAX_STATUS_LINE = 8 * 1024;
    public static final int MAX_CHUNK_LINE = 8 * 1024;
    private static final Pattern STATUS_LINE =
            Pattern.compile("HTTP/1\\.([01]) ([0-9]{3})(?: ([\\t\\x20-\\x7e\\x80-\\xff]*))?");
    private static final Pattern FIELD_LINE =
            Pattern.compile("([!#$%&'*+\\-.^_`|~0-9A-Za-z]+):([\\t\\x20-\\x7e\\x80-\\xff]*)");
    private static final Pattern CHUNK_LINE =
            Pattern.compile("([0-9A-Fa-f]+)[ \\t]*(?:;[\\t\\x20-\\x7e\\x80-\\xff]*)?");

    /** One message: the head as sent (values and reason without their surrounding whitespace) and its body. */
    public record Response(String version, int status, String reason, List<Field> fields, byte[] body,
                           List<Field> trailers) {
        public List<Field> all(String name) {
            return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).toList();
        }
    }

    public sealed interface Result permits Complete, Incomplete, Invalid {
    }

    /** Interim responses, then the final one, which ends at {@code end} (exclusive). */
    public record Complete(List<Response> responses, int end) implements Result {
    }

    public record Incomplete() implements Result {
    }

    public record Invalid(String reason, boolean tooLarge) implements Result {
    }

    private static final BigInteger MAX_SIZE = BigInteger.valueOf(Integer.MAX_VALUE);

    private final byte[] in;
    private final boolean headRequest;
    private final int maxHeaderBytes;
    private final boolean closed;
    private int pos;

    private StrictResponseParser(byte[] in, boolean headRequest, int maxHeaderBytes, boolean closed) {
        this.in = in;
        this.headRequest = headRequest;
        this.maxHeaderBytes = maxHeaderBytes;
        this.closed = closed;
    }

    /**
     * Parses what answers one request: interim responses and the final one.
     *
     * @param closed the connection closed after {@code in}, which so ends a body without a length
     */
    public static Result parse(byte[] in, boolean headRequest, int maxHeaderBytes, boolean closed) {
        return new StrictResponseParser(in, headRequest, maxHeaderBytes, closed).responses();
    }

    /** The bytes end before the response does. */
    private static final class NeedMore extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedMore() {
            super(null, null, false, false);
        }
    }

    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean tooLarge;

        Refused(String reason, boolean tooLarge) {
            super(reason, null, false, false);
            this.tooLarge = tooLarge;
        }
    }

    private Result responses() {
        List<Response> responses = new ArrayList<>();
        try {
            while (true) {
                Response r = response();
                responses.add(r);
                if (r.status() >= 200) {
                    return new Complete(responses, pos);
                }
            }
        } catch (NeedMore e) {
            return new Incomplete();
        } catch (Refused e) {
            return new Invalid(e.getMessage(), e.tooLarge);
        }
    }

    private Response response() {
        String statusLine = line(-1, MAX_STATUS_LINE, "status line");
        Matcher m = STATUS_LINE.matcher(statusLine);
        if (!m.matches()) {
            throw new Refused("malformed status line", false);
        }
        String version = "HTTP/1." + m.group(1);
        int status = Integer.parseInt(m.group(2));
        if (status < 100 || status > 599 || status == 101) {
            throw new Refused("status " + status, false);
        }
        String reason = m.group(3) == null ? "" : trimOws(m.group(3));
        List<Field> fields = fields(false);
        List<Field> lengths = fields.stream().filter(f -> f.name().equalsIgnoreCase("content-length")).toList();
        List<Field> codings = fields.stream().filter(f -> f.name().equalsIgnoreCase("transfer-encoding")).toList();
        if (lengths.size() > 1) {
            throw new Refused("several Content-Length", false);
        }
        if (!codings.isEmpty() && (version.equals("HTTP/1.0") || !lengths.isEmpty() || codings.size() > 1
                || !codings.get(0).value().equalsIgnoreCase("chunked"))) {
            throw new Refused("Transfer-Encoding", false);
        }
        boolean bodyless = status < 200 || status == 204 || status == 304 || headRequest;
        byte[] body = new byte[0];
        List<Field> trailers = List.of();
        if (bodyless) {
            // no body, whatever the head says
        } else if (!codings.isEmpty()) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            trailers = chunked(chunks);
            body = chunks.toByteArray();
        } else if (!lengths.isEmpty()) {
            long n = Long.parseLong(lengths.get(0).value());
            if (in.length - pos < n) {
                throw new NeedMore();
            }
            body = Arrays.copyOfRange(in, pos, pos + (int) n);
            pos += (int) n;
        } else if (closed) {
            body = Arrays.copyOfRange(in, pos, in.length);
            pos = in.length;
        } else {
            throw new NeedMore();
        }
        return new Response(version, status, reason, fields, body, trailers);
    }

    /** Header fields, or with {@code trailer} trailer fields, up to and with the empty line. */
    private List<Field> fields(boolean trailer) {
        List<Field> fields = new ArrayList<>();
        int budget = maxHeaderBytes;
        while (true) {
            int start = pos;
            String line = line(budget, -1, "field line");
            if (line.isEmpty()) {
                return fields;
            }
            budget -= pos - start;
            if (budget < 0) {
                throw new Refused("fields too large", true);
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new Refused("obsolete line folding", false);
            }
            Matcher m = FIELD_LINE.matcher(line);
            if (!m.matches()) {
                throw new Refused("malformed field line", false);
            }
            Field f = new Field(m.group(1), trimOws(m.group(2)));
            if (!trailer && f.name().equalsIgnoreCase("content-length") && !f.value().matches("[0-9]{1,18}")) {
                throw new Refused("invalid Content-Length", false);
            }
            fields.add(f);
        }
    }

    private List<Field> chunked(ByteArrayOutputStream body) {
        while (true) {
            int start = pos;
            int lf = indexOf((byte) '\n', pos);
            if (lf < 0 ? in.length - start >= MAX_CHUNK_LINE + 2 : lf - start > MAX_CHUNK_LINE + 1) {
                throw new Refused("chunk size line too long", false);
            }
            if (lf < 0) {
                unfinishedChunkLine(start);
            }
            pos = lf + 1;
            if (lf == start || in[lf - 1] != '\r') {
                throw new Refused("bare LF in a chunk size line", false);
            }
            Matcher m = CHUNK_LINE.matcher(text(start, lf - 1));
            if (!m.matches()) {
                throw new Refused("malformed chunk size line", false);
            }
            BigInteger size = new BigInteger(m.group(1), 16);
            if (size.compareTo(MAX_SIZE) > 0) {
                throw new Refused("chunk size overflow", false);
            }
            if (size.signum() == 0) {
                return fields(true);
            }
            int n = size.intValue();
            if (in.length - pos < n) {
                throw new NeedMore();
            }
            body.write(in, pos, n);
            pos += n;
            if (in.length - pos >= 1 && in[pos] != '\r' || in.length - pos >= 2 && in[pos + 1] != '\n') {
                throw new Refused("chunk data not followed by CRLF", false);
            }
            if (in.length - pos < 2) {
                throw new NeedMore();
            }
            pos += 2;
        }
    }

    /** A chunk size line without its LF yet: refused when no ending could make it right, else more is needed. */
    private void unfinishedChunkLine(int start) {
        int end = in.length;
        if (end > start && in[end - 1] == '\r') {
            end--;
        }
        Matcher m = CHUNK_LINE.matcher(text(start, end));
        if (!m.matches() && !m.hitEnd()) {
            throw new Refused("malformed chunk size line", false);
        }
        int digits = start;
        while (digits < end && Character.digit(in[digits], 16) >= 0) {
            digits++;
        }
        if (digits > start && new BigInteger(text(start, digits), 16).compareTo(MAX_SIZE) > 0) {
            throw new Refused("chunk size overflow", false);
        }
        throw new NeedMore();
    }

    /**
     * A CRLF-terminated line without its CRLF. Refused on a bare LF, or when it (without the CRLF) is longer than
     * {@code maxLine}, or when a field line that has not ended yet already takes more than the {@code budget} left.
     */
    private String line(int budget, int maxLine, String what) {
        int start = pos;
        int lf = indexOf((byte) '\n', start);
        if (lf < 0) {
            int partial = in.length - start;
            if (partial > 0 && in[in.length - 1] == '\r') {
                partial--;
            }
            if (maxLine >= 0 && partial > maxLine || budget >= 0 && partial > budget) {
                throw new Refused(what + " too large before its end", true);
            }
            throw new NeedMore();
        }
        if (lf == start || in[lf - 1] != '\r') {
            throw new Refused("bare LF at the end of a " + what, false);
        }
        if (maxLine >= 0 && lf - 1 - start > maxLine) {
            throw new Refused(what + " too long", true);
        }
        pos = lf + 1;
        return text(start, lf - 1);
    }

    private int indexOf(byte b, int from) {
        for (int i = from; i < in.length; i++) {
            if (in[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private String text(int from, int to) {
        return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static String trimOws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
            b--;
        }
        return s.substring(a, b);
    }
}
