package dev.meridian.proxy.server;

import dev.meridian.proxy.http1.ParsedRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The rules a request head must meet that need the whole head, after {@link dev.meridian.proxy.http1.RequestHeadParser}
 * read it (RFC 9112 §3 and §6, RFC 9110 §7.2): a method that is not an upper-case token, a request target of no
 * known form, a missing or repeated Host, an absolute-form target whose authority disagrees with Host, a
 * Transfer-Encoding other than one final {@code chunked}, Transfer-Encoding in HTTP/1.0.
 *
 * <p>What the parser refuses as it reads: a version other than HTTP/1.0 or 1.1, Content-Length with
 * Transfer-Encoding, several or non-decimal Content-Length values, control and non-ASCII bytes in the target, LF
 * without CR, obsolete line folding, control characters and non-tokens in header names and values; the chunked
 * framing is held to RFC 9112 §7.1 by {@link dev.meridian.proxy.http1.RequestBodyReader}.
 *
 * <p>The hot path runs {@link #check} once per request: scans, no regex, nothing allocated unless the request is
 * refused; a parsed request's target is read in place, not made a String for the check.
 */
final class RequestFraming {
    private static final int MAX_ECHO = 64;

    private RequestFraming() {
    }

    /**
     * @param hostLines     how many Host header lines the head had
     * @param encodingLines how many Transfer-Encoding header lines the head had
     * @return why the request is refused, or null when it may go on
     */
    static FramingViolation check(HttpRequest req, int hostLines, int encodingLines) {
        HttpVersion version = req.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            return new FramingViolation(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    version.text() + " is not supported: use HTTP/1.1");
        }
        String method = req.method().name();
        if (!isUpperCaseToken(method)) {
            return FramingViolation.badRequest("invalid method '" + printable(method)
                    + "': methods are upper-case letters, '-' and '_'");
        }
        CharSequence target = req instanceof ParsedRequest parsed ? parsed.target() : req.uri();
        String targetProblem = targetProblem(target, req.method());
        if (targetProblem != null) {
            return FramingViolation.badRequest(targetProblem);
        }
        HttpHeaders headers = req.headers();
        if (hostLines > 1) {
            return FramingViolation.badRequest("more than one Host header");
        }
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null && version.minorVersion() == 1) {
            return FramingViolation.badRequest("an HTTP/1.1 request needs a Host header");
        }
        if (host != null && !isAuthority(host, 0, host.length())) {
            return FramingViolation.badRequest("invalid Host '" + printable(host) + "'");
        }
        int authorityStart = absoluteFormAuthorityStart(target);
        if (authorityStart > 0) {
            int end = authorityEnd(target, authorityStart);
            if (end == authorityStart || !isAuthority(target, authorityStart, end)) {
                return FramingViolation.badRequest("invalid authority in the request target '"
                        + printable(target.toString()) + "'");
            }
            int length = end - authorityStart;
            if (host != null && !(host.length() == length
                    && AsciiString.regionMatches(host, true, 0, target, authorityStart, length))) {
                return FramingViolation.badRequest("the request target's authority '"
                        + printable(target.subSequence(authorityStart, end).toString()) + "' disagrees with Host '"
                        + printable(host) + "'");
            }
        }
        if (encodingLines > 0) {
            if (version.minorVersion() == 0) {
                // RFC 9112 §6.1: the framing of an HTTP/1.0 message with Transfer-Encoding is faulty.
                return FramingViolation.badRequest("Transfer-Encoding in an HTTP/1.0 request");
            }
            String coding = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
            if (encodingLines > 1 || coding == null || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(coding)) {
                // Any other coding would have to be decoded here, or passed on to be read differently upstream.
                return FramingViolation.badRequest("Transfer-Encoding must be exactly 'chunked'");
            }
        }
        return null;
    }

    /**
     * Sets the framing the upstream request carries, after the hop-by-hop headers were removed (so even a client's
     * {@code Connection: content-length} cannot unframe the body): {@code Transfer-Encoding: chunked} for a body
     * that is re-chunked, the canonical Content-Length of the decoded length otherwise, none for no body.
     *
     * @param contentLength the body length the decoder framed the request by; -1 for none or chunked
     */
    static void writeUpstreamFraming(HttpHeaders headers, boolean chunked, long contentLength) {
        if (chunked) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (contentLength >= 0) {
            String sent = headers.get(HttpHeaderNames.CONTENT_LENGTH);
            if (sent == null || !isCanonical(sent, contentLength)) {
                headers.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);  // "007" goes as "7"
            }
        }
    }

    /** Where the authority of an absolute-form target ({@code http://host/...}) starts; -1 for another form. */
    static int absoluteFormAuthorityStart(CharSequence target) {
        if (target.length() == 0 || target.charAt(0) == '/') {
            return -1;
        }
        if (AsciiString.regionMatches(target, true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (AsciiString.regionMatches(target, true, 0, "https://", 0, 8)) {
            return 8;
        }
        return -1;
    }

    /** The end of the authority starting at {@code start}: the path, the query, or the end of the target. */
    static int authorityEnd(CharSequence target, int start) {
        for (int i = start; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return target.length();
    }

    /** A string safe to echo in a one-line reason: control and non-ASCII characters as '?', long ones cut. */
    static String printable(String s) {
        return printable(s, MAX_ECHO);
    }

    /**
     * The same, cut at {@code max}: a decoder's own message quotes at most a header name or a few bytes of the
     * client's, so it may run longer than a bare echo before it stops telling the client what was wrong.
     */
    static String printable(String s, int max) {
        int n = Math.min(s.length(), max);
        StringBuilder out = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c >= 0x7f ? '?' : c);
        }
        return s.length() > max ? out.append("...").toString() : out.toString();
    }

    private static String targetProblem(CharSequence target, HttpMethod method) {
        if (target.length() == 0) {
            return "empty request target";
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "the request target has a control, space or non-ASCII character: percent-encode it";
            }
        }
        char first = target.charAt(0);
        if (first == '/') {
            return null;
        }
        if (target.length() == 1 && first == '*') {
            return HttpMethod.OPTIONS.equals(method) ? null : "the target '*' is for OPTIONS only";
        }
        if (absoluteFormAuthorityStart(target) > 0 || HttpMethod.CONNECT.equals(method)) {
            return null;
        }
        return "the request target must be a path ('/...') or an absolute http(s) URI";
    }

    private static boolean isUpperCaseToken(String method) {
        if (method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if ((c < 'A' || c > 'Z') && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code uri-host [ ":" port ]} (RFC 3986 §3.2): reg-name or IP-literal characters only, so no userinfo, no
     * whitespace, nothing a backend could split differently. Empty is allowed (RFC 9110 §7.2).
     */
    private static boolean isAuthority(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == ':' || c == '[' || c == ']'
                    || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*'
                    || c == '+' || c == ',' || c == ';' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value} is exactly the decimal digits of {@code length}, without allocating. */
    private static boolean isCanonical(String value, long length) {
        int n = value.length();
        if (n == 0 || n > 19 || (n > 1 && value.charAt(0) == '0')) {
            return false;
        }
        long parsed = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            parsed = parsed * 10 + (c - '0');
        }
        return parsed == length;
    }
}
