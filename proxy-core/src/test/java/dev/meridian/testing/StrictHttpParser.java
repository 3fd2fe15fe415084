package dev.meridian.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An HTTP/1.1 request parser written from RFC 9112's grammar, sharing no code with Netty, for tests to judge bytes
 * by: what an upstream received from the proxy ({@link Side#UPSTREAM}: only the canonical framing Meridian writes),
 * and what a client sent ({@link Side#CLIENT}: the language the proxy accepts, so a test can tell what the proxy
 * should have done with it).
 *
 * <p>Where the grammar leaves room that Netty and this parser might fill differently (chunk extensions, the
 * {@code Expect} header other than {@code 100-continue}), a client-side parse answers {@link Unsure} rather than guess.
 */
public final class StrictHttpParser {
    /** Whose bytes are parsed. */
    public enum Side { CLIENT, UPSTREAM }

    public record Field(String name, String value) {
    }

    /** One complete request: the head as sent (values without their OWS) and the body, unchunked. */
    public record Request(String method, String target, String version, List<Field> fields, byte[] body,
                          boolean chunked) {
        public String header(String name) {
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f.value();
                }
            }
            return null;
        }

        public int count(String name) {
            int n = 0;
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    n++;
                }
            }
            return n;
        }

        /** The host the request is for: the authority of an absolute-form target, or Host. */
        public String host() {
            int start = authorityStart(target);
            return start < 0 ? header("host") : target.substring(start, authorityEnd(target, start));
        }

        /** The target in origin form, as the proxy sends it upstream. */
        public String originTarget() {
            int start = authorityStart(target);
            if (start < 0) {
                return target;
            }
            int end = authorityEnd(target, start);
            String rest = target.substring(end);
            return rest.isEmpty() ? "/" : rest.charAt(0) == '/' ? rest : "/" + rest;
        }

        /** Whether the connection ends after this request's response. */
        public boolean closesConnection() {
            boolean close = hasConnectionToken("close");
            return version.equals("HTTP/1.0") ? close || !hasConnectionToken("keep-alive") : close;
        }

        /**
         * The end-to-end fields a proxy forwards unchanged, names lower-cased: without hop-by-hop fields (and those
         * Connection names), framing, Host, and the forwarding fields a proxy adds to.
         */
        public List<Field> endToEndFields() {
            List<String> named = new ArrayList<>();
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase("connection")) {
                    for (String token : f.value().split(",")) {
                        named.add(token.trim().toLowerCase(Locale.ROOT));
                    }
                }
            }
            List<Field> out = new ArrayList<>();
            for (Field f : fields) {
                String name = f.name().toLowerCase(Locale.ROOT);
                if (!NOT_END_TO_END.contains(name) && !named.contains(name)) {
                    out.add(new Field(name, f.value()));
                }
            }
            return out;
        }

        private boolean hasConnectionToken(String token) {
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase("connection")) {
                    for (String t : f.value().split(",")) {
                        if (t.trim().equalsIgnoreCase(token)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /** What one parse found. */
    public sealed interface Result permits Complete, Incomplete, Invalid, Unsure {
    }

    /** A request ending at {@code end} (exclusive). */
    public record Complete(Request request, int end) implements Result {
    }

    /** The bytes end before the request does. */
    public record Incomplete() implements Result {
    }

    /** Not a request the grammar (and the proxy's rules) allow; {@code status} is the answer a server owes. */
    public record Invalid(int status, String reason) implements Result {
    }

    /** Allowed or not depending on details this parser does not model. */
    public record Unsure(String reason) implements Result {
    }

    private static final Set<String> NOT_END_TO_END = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "content-length", "host", "via", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-request-id", "expect");
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final String AUTHORITY_SYMBOLS = "-._~%:[]!$&'()*+,;=";

    private final byte[] in;
    private final int limit;
    private final Side side;
    private int pos;

    private StrictHttpParser(byte[] in, int from, int to, Side side) {
        this.in = in;
        this.pos = from;
        this.limit = to;
        this.side = side;
    }

    /** Parses one request from {@code in[from, to)}. */
    public static Result parse(byte[] in, int from, int to, Side side) {
        try {
            return new StrictHttpParser(in, from, to, side).request();
        } catch (NeedMore e) {
            return new Incomplete();
        }
    }

    public static Result parse(byte[] in, Side side) {
        return parse(in, 0, in.length, side);
    }

    /** Thrown when the bytes run out; control flow only. */
    private static final class NeedMore extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedMore() {
            super(null, null, false, false);
        }
    }

    private Result request() {
        if (side == Side.CLIENT) {
            while (peek() == '\r') {
                pos++;
                if (next() != '\n') {
                    return bad("bare CR before the request line");
                }
            }
        }
        String line = line();
        if (line == null) {
            return bad("bare CR or LF in the request line");
        }
        String[] parts = line.split(" ", -1);
        if (parts.length != 3) {
            return bad("request line is not three parts separated by single spaces");
        }
        String method = parts[0];
        String target = parts[1];
        String version = parts[2];
        if (method.isEmpty() || !method.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) {
            return bad("method is not upper-case letters, '-', '_'");
        }
        if (!version.matches("HTTP/[0-9]\\.[0-9]")) {
            return bad("malformed version");
        }
        if (!version.equals("HTTP/1.1") && !(version.equals("HTTP/1.0") && side == Side.CLIENT)) {
            return new Invalid(505, "unsupported version " + version);
        }
        String targetProblem = targetProblem(method, target);
        if (targetProblem != null) {
            return bad(targetProblem);
        }
        List<Field> fields = new ArrayList<>();
        Result fieldProblem = fields(fields);
        if (fieldProblem != null) {
            return fieldProblem;
        }
        Request head = new Request(method, target, version, fields, new byte[0], false);
        Result framing = checkHead(head);
        if (framing != null) {
            return framing;
        }
        String te = head.header("transfer-encoding");
        String cl = head.header("content-length");
        if (te != null) {
            return chunkedBody(head);
        }
        byte[] body = new byte[0];
        if (cl != null) {
            long n = Long.parseLong(cl);
            if (limit - pos < n) {
                throw new NeedMore();
            }
            body = java.util.Arrays.copyOfRange(in, pos, pos + (int) n);
            pos += (int) n;
        }
        return new Complete(new Request(method, target, version, fields, body, false), pos);
    }

    private Result fields(List<Field> fields) {
        while (true) {
            if (peek() == ' ' || peek() == '\t') {
                return bad("obsolete line folding");
            }
            String line = line();
            if (line == null) {
                return bad("bare CR or LF in a field line");
            }
            if (line.isEmpty()) {
                return null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return bad("field line without a name and colon");
            }
            String name = line.substring(0, colon);
            if (!name.chars().allMatch(StrictHttpParser::isTchar)) {
                return bad("field name '" + name + "' is not a token");
            }
            String value = trimOws(line.substring(colon + 1));
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    return bad("control character in field '" + name + "'");
                }
            }
            fields.add(new Field(name, value));
        }
    }

    private Result checkHead(Request head) {
        int hosts = head.count("host");
        if (hosts > 1) {
            return bad("more than one Host");
        }
        String host = head.header("host");
        if (host == null && head.version().equals("HTTP/1.1")) {
            return bad("no Host");
        }
        if (host != null && !isAuthority(host)) {
            return bad("invalid Host");
        }
        int start = authorityStart(head.target());
        if (start > 0) {
            String authority = head.target().substring(start, authorityEnd(head.target(), start));
            if (authority.isEmpty() || !isAuthority(authority)) {
                return bad("invalid authority in the target");
            }
            if (host != null && !host.equalsIgnoreCase(authority)) {
                return bad("authority disagrees with Host");
            }
        }
        int encodings = head.count("transfer-encoding");
        int lengths = head.count("content-length");
        if (encodings > 0 && lengths > 0) {
            return bad("both Content-Length and Transfer-Encoding");
        }
        if (encodings > 0) {
            if (encodings > 1 || head.version().equals("HTTP/1.0")) {
                return bad("Transfer-Encoding repeated or in HTTP/1.0");
            }
            String te = head.header("transfer-encoding");
            if (side == Side.UPSTREAM ? !te.equals("chunked") : !te.equalsIgnoreCase("chunked")) {
                return bad("Transfer-Encoding other than chunked");
            }
        }
        if (lengths > 1) {
            return bad("more than one Content-Length");
        }
        if (lengths == 1) {
            String cl = head.header("content-length");
            boolean digits = !cl.isEmpty() && cl.length() <= 18 && cl.chars().allMatch(c -> c >= '0' && c <= '9');
            if (!digits || (side == Side.UPSTREAM && cl.length() > 1 && cl.charAt(0) == '0')) {
                return bad("invalid Content-Length '" + cl + "'");
            }
        }
        if (side == Side.CLIENT && head.count("expect") > 0 && !(head.count("expect") == 1
                && head.version().equals("HTTP/1.1") && head.header("expect").equalsIgnoreCase("100-continue"))) {
            return new Unsure("an expectation other than 100-continue");  // 417, and maybe the body skipped
        }
        return null;
    }

    private Result chunkedBody(Request head) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                return bad("bare CR or LF in a chunk size line");
            }
            int digits = 0;
            while (digits < sizeLine.length() && Character.digit(sizeLine.charAt(digits), 16) >= 0) {
                digits++;
            }
            if (digits == 0) {
                return bad("chunk size is not hexadecimal");
            }
            if (digits < sizeLine.length()) {
                if (side == Side.CLIENT && sizeLine.charAt(digits) == ';') {
                    return new Unsure("chunk extension");
                }
                return bad("junk after the chunk size");
            }
            String hex = sizeLine.substring(0, digits).replaceFirst("^0+(?=.)", "");
            if (hex.length() > 8 || Long.parseLong(hex, 16) > Integer.MAX_VALUE) {
                return bad("chunk size overflow");
            }
            int size = Integer.parseInt(hex, 16);
            if (size == 0) {
                List<Field> trailers = new ArrayList<>();
                Result trailerProblem = fields(trailers);
                if (trailerProblem != null) {
                    return trailerProblem;
                }
                Request r = new Request(head.method(), head.target(), head.version(), head.fields(),
                        body.toByteArray(), true);
                return new Complete(r, pos);
            }
            if (limit - pos < size) {
                throw new NeedMore();
            }
            body.write(in, pos, size);
            pos += size;
            if (next() != '\r' || next() != '\n') {
                return bad("chunk data not followed by CRLF");
            }
        }
    }

    /** A CRLF-terminated line without its CRLF; null when it has a bare CR or LF. */
    private String line() {
        int start = pos;
        while (true) {
            byte b = next();
            if (b == '\n') {
                return null;
            }
            if (b == '\r') {
                if (next() != '\n') {
                    return null;
                }
                return new String(in, start, pos - 2 - start, StandardCharsets.ISO_8859_1);
            }
        }
    }

    private byte next() {
        if (pos >= limit) {
            throw new NeedMore();
        }
        return in[pos++];
    }

    private byte peek() {
        if (pos >= limit) {
            throw new NeedMore();
        }
        return in[pos];
    }

    private String targetProblem(String method, String target) {
        if (target.isEmpty() || !target.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return "target has control, space or non-ASCII characters";
        }
        if (target.charAt(0) == '/') {
            return null;
        }
        if (side == Side.UPSTREAM) {
            return "upstream target not in origin form";
        }
        if (target.equals("*")) {
            return method.equals("OPTIONS") ? null : "'*' without OPTIONS";
        }
        return authorityStart(target) > 0 || method.equals("CONNECT") ? null : "target of no known form";
    }

    private static int authorityStart(String target) {
        String lower = target.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
    }

    private static int authorityEnd(String target, int start) {
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    private static boolean isAuthority(String s) {
        return s.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || AUTHORITY_SYMBOLS.indexOf(c) >= 0);
    }

    private static boolean isTchar(int c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || TCHAR_SYMBOLS.indexOf(c) >= 0);
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

    private static Invalid bad(String reason) {
        return new Invalid(400, reason);
    }
}
