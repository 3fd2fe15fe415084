package dev.meridian.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Frames a request body as it arrives: a Content-Length body is passed on as slices of the buffers it came in (no
 * copy), a chunked one is checked chunk by chunk (RFC 9112 §7.1: {@code 1*HEXDIG}, extensions without control
 * bytes, CRLF exactly where the sizes say, trailer fields as strict as header fields) and its data passed on the
 * same way. Each piece comes out as an {@code HttpContent}, the last as a {@code LastHttpContent}; a framing error
 * comes out as a failed {@code LastHttpContent} and nothing after it is read. One per connection, on its loop.
 */
public final class RequestBodyReader {
    /** Far beyond any real chunk-size line with extensions; small enough to bound what waits for its LF. */
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int CR = '\r';
    private static final int LF = '\n';

    private enum State { LENGTH, SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, DONE, FAILED }

    private final int maxTrailerBytes;
    private State state = State.DONE;
    private long remaining;
    private int sizeDigits;
    private int lineBytes;
    private int trailerBytes;
    private HttpHeaders trailers;

    /** @param maxTrailerBytes the most bytes trailer fields may take, as for header fields */
    public RequestBodyReader(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    /**
     * Starts the body of {@code request}.
     *
     * @return whether there is one; without, the caller emits the empty last content itself
     */
    public boolean start(ParsedRequest request) {
        if (request.chunked()) {
            state = State.SIZE;
            remaining = 0;
            sizeDigits = 0;
            lineBytes = 0;
            trailerBytes = 0;
            trailers = null;
            return true;
        }
        if (request.contentLength() > 0) {
            state = State.LENGTH;
            remaining = request.contentLength();
            return true;
        }
        state = State.DONE;
        return false;
    }

    /** The body ended (or failed): the next bytes on the connection are the next request's. */
    public boolean ended() {
        return state == State.DONE || state == State.FAILED;
    }

    public boolean failed() {
        return state == State.FAILED;
    }

    /** Reads what it can of the body from {@code in}; stops at its end, leaving the next request's bytes. */
    public void read(ByteBuf in, List<Object> out) {
        while (in.isReadable() && !ended()) {
            switch (state) {
                case LENGTH -> {
                    int n = (int) Math.min(in.readableBytes(), remaining);
                    ByteBuf piece = in.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DONE;
                        out.add(new DefaultLastHttpContent(piece));
                    } else {
                        out.add(new DefaultHttpContent(piece));
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(in.readableBytes(), remaining);
                    out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DATA_CR;
                    }
                }
                case TRAILER -> {
                    if (!readTrailerLine(in, out)) {
                        return;
                    }
                }
                default -> lineByte(in.readByte() & 0xff, out);
            }
        }
    }

    private void lineByte(int c, List<Object> out) {
        if (++lineBytes > MAX_CHUNK_LINE) {
            fail(out, "a chunk-size line longer than " + MAX_CHUNK_LINE + " bytes");
            return;
        }
        switch (state) {
            case SIZE -> {
                int digit = Character.digit(c, 16);
                if (digit >= 0 && c < 0x80) {
                    if (++sizeDigits > 15) {
                        fail(out, "a chunk size too large");
                        return;
                    }
                    remaining = remaining * 16 + digit;
                } else if (sizeDigits > 0 && c == ';') {
                    state = State.EXTENSION;
                } else if (sizeDigits > 0 && c == CR) {
                    state = State.SIZE_LF;
                } else {
                    fail(out, "a chunk size that is not a hexadecimal number");
                }
            }
            case EXTENSION -> {
                if (c == CR) {
                    state = State.SIZE_LF;
                } else if (c < 0x20 && c != '\t' || c == 0x7f) {
                    fail(out, "a control character in a chunk extension");
                }
            }
            case SIZE_LF -> {
                if (c != LF) {
                    fail(out, "a chunk-size line not ended by CRLF");
                    return;
                }
                lineBytes = 0;
                if (remaining == 0) {
                    state = State.TRAILER;
                } else {
                    state = State.DATA;
                }
            }
            case DATA_CR -> {
                if (c != CR) {
                    fail(out, "chunk data longer than its size, or not ended by CRLF");
                    return;
                }
                state = State.DATA_LF;
            }
            case DATA_LF -> {
                if (c != LF) {
                    fail(out, "chunk data not ended by CRLF");
                    return;
                }
                state = State.SIZE;
                sizeDigits = 0;
                lineBytes = 0;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    /**
     * One trailer line, once its LF has arrived: rare enough to be read the simple way.
     *
     * @return false while the line has not all arrived
     */
    private boolean readTrailerLine(ByteBuf in, List<Object> out) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) LF);
        if (lf < 0) {
            if (trailerBytes + in.readableBytes() > maxTrailerBytes + 1) {
                fail(out, "trailer fields larger than " + maxTrailerBytes + " bytes");
            } else if (in.readableBytes() > 0 && in.getByte(in.writerIndex() - 1) != CR
                    && in.indexOf(in.readerIndex(), in.writerIndex(), (byte) CR) >= 0) {
                fail(out, "a CR not followed by LF in the trailer fields");
            }
            return false;
        }
        int start = in.readerIndex();
        int length = lf - start;
        if (length == 0 || in.getByte(lf - 1) != CR) {
            fail(out, "a LF not preceded by CR in the trailer fields");
            return true;
        }
        String line = in.toString(start, length - 1, StandardCharsets.ISO_8859_1);
        in.readerIndex(lf + 1);
        if (line.isEmpty()) {
            state = State.DONE;
            LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            if (trailers != null) {
                last.trailingHeaders().set(trailers);
            }
            out.add(last);
            return true;
        }
        trailerBytes += line.length();
        String problem = trailerProblem(line);
        if (trailerBytes > maxTrailerBytes) {
            problem = "trailer fields larger than " + maxTrailerBytes + " bytes";
        }
        if (problem != null) {
            fail(out, problem);
            return true;
        }
        int colon = line.indexOf(':');
        if (trailers == null) {
            trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER).trailingHeaders();
        }
        trailers.add(line.substring(0, colon), line.substring(colon + 1).trim());
        return true;
    }

    /** As a header field: a token, a colon, then visible bytes, SP and HTAB only. */
    private static String trailerProblem(String line) {
        char first = line.charAt(0);
        if (first == ' ' || first == '\t') {
            return "obsolete line folding in the trailer fields";
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return "a trailer line without a header name and colon";
        }
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (!(c > 0x20 && c < 0x7f) || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return "a trailer name with a character that is not allowed in a token";
            }
        }
        for (int i = colon + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return "a trailer value with a control character";
            }
        }
        return null;
    }

    private void fail(List<Object> out, String why) {
        state = State.FAILED;
        LastHttpContent broken = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        broken.setDecoderResult(DecoderResult.failure(new MalformedBody(why)));
        out.add(broken);
    }

    /** Why a chunked body was refused; no stack trace, a refusal is routine. */
    public static final class MalformedBody extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedBody(String why) {
            super(why, null, false, false);
        }
    }
}
