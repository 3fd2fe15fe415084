package dev.meridian.proxy.server;

import io.netty.buffer.ByteBuf;

/**
 * Checks the raw bytes of one request head for what Netty's decoder accepts but normalizes away, so that no check
 * on the decoded request could see it any more:
 * <ul>
 *   <li>obsolete line folding (a header line starting with SP or HTAB): Netty joins it to the previous value;</li>
 *   <li>request-line separators other than one SP (two spaces, tabs, VT, FF): Netty splits on any run of them;</li>
 *   <li>an HTTP version not spelled exactly {@code HTTP/d.d} ({@code http/1.1}): Netty upper-cases it.</li>
 * </ul>
 * RFC 9112 §2.2, §3 and §5.2 require or allow rejecting all of these; a proxy must, since the upstream may read
 * such a head differently. Netty refuses the rest itself (whitespace before a colon, control characters, a CR or LF
 * alone), only later: this scanner also refuses a CR alone at the start of a line, or before the request line,
 * so such a head is answered at once rather than when an LF that may never come arrives.
 *
 * <p>Streaming: the decoder feeds each byte of a head once, in as many pieces as the head arrived in. The request
 * line is checked byte by byte; a header line costs a check of its first byte and a search for its LF (Netty's
 * SWAR {@code indexOf}). No allocation: the reasons are constants. Confined to the connection's event loop.
 */
final class RequestHeadScanner {
    static final String LEADING_JUNK = "the request line starts with whitespace or a control character";
    static final String REQUEST_LINE_SEPARATORS = "the request line must be method, target and version separated"
            + " by single spaces, with no control characters";
    static final String MALFORMED_VERSION = "malformed HTTP version: expected HTTP/1.1 or HTTP/1.0";
    static final String OBS_FOLD = "obsolete line folding (a header line starting with whitespace) is not allowed";
    static final String BARE_CR = "a CR not followed by LF in the request head";
    static final String BARE_LF = "a LF not preceded by CR in the request head";

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';
    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};

    /** Before the request line: empty lines only (RFC 9112 §2.2 lets a server skip them). */
    private static final int LEADING = 0;
    private static final int LEADING_CR = 1;
    private static final int METHOD = 2;
    private static final int TARGET = 3;
    private static final int VERSION = 4;
    private static final int REQUEST_LINE_CR = 5;
    private static final int LINE_START = 6;
    /** Inside a header line, after its first byte: only its end matters here. */
    private static final int FIELD = 7;
    private static final int END_CR = 8;
    private static final int DONE = 9;
    private static final int FAILED = 10;

    /** Scratch for the bytes checked one by one (the request line, each header line's first byte). */
    private final byte[] bytes = new byte[64];
    private int state = LEADING;
    /** Bytes of the current request-line token so far. */
    private int tokenLength;
    /** In {@link #FIELD}: the last byte scanned was a CR (the line may end in the next piece of the head). */
    private boolean lastWasCr;
    private String problem;

    /** Scans {@code buf}'s bytes from {@code from} (inclusive) to {@code to} (exclusive); stops at the head's end. */
    void scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to && state < DONE) {
            if (state >= LINE_START && state != FIELD) {
                process(buf.getByte(i++));  // a header line's first byte, or the head's last CRLF
                continue;
            }
            if (state != FIELD) {
                // Byte by byte from a copy: one bounds check per copy rather than per byte.
                int n = Math.min(to - i, bytes.length);
                buf.getBytes(i, bytes, 0, n);
                int k = 0;
                while (k < n && state != FIELD && state < DONE) {
                    if (state == METHOD || state == TARGET) {
                        int start = k;
                        while (k < n && isTokenByte(bytes[k])) {
                            k++;  // the common case, in a loop of its own: no state written per byte
                        }
                        tokenLength += k - start;
                        if (k == n) {
                            break;
                        }
                    }
                    process(bytes[k++]);
                }
                i += k;
                continue;
            }
            int lf = buf.indexOf(i, to, LF);
            if (lf < 0) {
                lastWasCr = buf.getByte(to - 1) == CR;
                return;
            }
            if (lf > i ? buf.getByte(lf - 1) != CR : !lastWasCr) {
                fail(BARE_LF);
                return;
            }
            state = LINE_START;
            i = lf + 1;
        }
    }

    /** The first problem found in the head so far, or null. */
    String problem() {
        return problem;
    }

    /** Ready for the next request head on the connection. */
    void reset() {
        state = LEADING;
        tokenLength = 0;
        lastWasCr = false;
        problem = null;
    }

    private void process(byte b) {
        switch (state) {
            case LEADING:
                if (b == CR) {
                    state = LEADING_CR;
                } else if (b <= SP || b == 0x7f) {
                    fail(b == LF ? BARE_LF : LEADING_JUNK);
                } else {
                    state = METHOD;
                    tokenLength = 1;
                }
                break;
            case LEADING_CR:
                if (b == LF) {
                    state = LEADING;
                } else {
                    fail(BARE_CR);
                }
                break;
            case METHOD:
            case TARGET:
                if (b == SP) {
                    if (tokenLength == 0) {
                        fail(REQUEST_LINE_SEPARATORS);
                    } else {
                        state++;
                        tokenLength = 0;
                    }
                } else if ((b >= 0 && b < SP) || b == 0x7f) {
                    // Netty would split on HT, VT, FF or CR as on SP, and read what follows as the target
                    fail(REQUEST_LINE_SEPARATORS);
                } else {
                    tokenLength++;
                }
                break;
            case VERSION:
                versionByte(b);
                break;
            case REQUEST_LINE_CR:
                if (b == LF) {
                    state = LINE_START;
                } else {
                    fail(BARE_CR);
                }
                break;
            case LINE_START:
                if (b == CR) {
                    state = END_CR;
                } else if (b == SP || b == HT) {
                    fail(OBS_FOLD);
                } else if (b == LF) {
                    fail(BARE_LF);
                } else {
                    state = FIELD;
                    lastWasCr = false;
                }
                break;
            case END_CR:
                if (b == LF) {
                    state = DONE;
                } else {
                    fail(BARE_CR);
                }
                break;
            default:
                break;
        }
    }

    /** Not a separator nor a control character; bytes above 0x7f are left to {@link RequestFraming}. */
    private static boolean isTokenByte(byte b) {
        return b > SP && b != 0x7f || b < 0;
    }

    /** {@code HTTP-version = "HTTP" "/" DIGIT "." DIGIT}, case-sensitive (RFC 9112 §2.3), then CRLF. */
    private void versionByte(byte b) {
        int i = tokenLength;
        if (b == CR) {
            if (i == 8) {
                state = REQUEST_LINE_CR;
            } else {
                fail(MALFORMED_VERSION);
            }
            return;
        }
        if (b == SP || b == HT || b == 0x0b || b == 0x0c) {
            fail(REQUEST_LINE_SEPARATORS);
            return;
        }
        boolean ok = i < 5 ? b == HTTP_SLASH[i]
                : i == 6 ? b == '.'
                : i < 8 && b >= '0' && b <= '9';
        if (!ok) {
            fail(b == LF ? BARE_LF : MALFORMED_VERSION);
            return;
        }
        tokenLength = i + 1;
    }

    private void fail(String why) {
        problem = why;
        state = FAILED;
    }
}
