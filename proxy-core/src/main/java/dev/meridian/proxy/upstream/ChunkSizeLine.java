package dev.meridian.proxy.upstream;

import io.netty.util.ByteProcessor;

/**
 * Reads a chunk size line ({@code chunk-size [ chunk-ext ] CRLF}, RFC 9112 §7.1) as {@link io.netty.buffer.ByteBuf
 * #forEachByte} hands it over, one pass, keeping its place when the line is split across reads. The size is one or
 * more hex digits; whitespace may follow it, and an extension must start with {@code ;}. Extensions are not
 * interpreted (nothing is relayed from them), only held to field-value bytes, so that no CR, LF or NUL hides in one.
 */
final class ChunkSizeLine implements ByteProcessor {
    private static final int SIZE = 0;
    private static final int AFTER_SIZE = 1;
    private static final int EXTENSION = 2;
    private static final int CR = 3;
    private static final int DONE = 4;
    private static final int BAD = 5;

    private int state;
    private int digits;
    private long size;
    /** Bytes of the line seen so far, the stopping one included. */
    private int seen;
    private String problem;

    void reset() {
        state = SIZE;
        digits = 0;
        size = 0;
        seen = 0;
        problem = null;
    }

    int seen() {
        return seen;
    }

    /** Whether the line ended (at its LF) well formed. */
    boolean done() {
        return state == DONE;
    }

    /** What is wrong with the line, once it stopped without being {@link #done}. */
    String problem() {
        return problem;
    }

    long size() {
        return size;
    }

    @Override
    public boolean process(byte b) {
        seen++;
        switch (state) {
            case SIZE -> {
                int digit = hex(b);
                if (digit >= 0) {
                    digits++;
                    size = size * 16 + digit;
                    return size <= Integer.MAX_VALUE || bad("chunk size overflow");
                }
                if (digits == 0) {
                    return bad(b == '\n' ? "bare LF" : "no hexadecimal size");
                }
                return afterSize(b);
            }
            case AFTER_SIZE -> {
                return afterSize(b);
            }
            case EXTENSION -> {
                if (b == '\r') {
                    state = CR;
                    return true;
                }
                return FieldBytes.fieldValueByte(b)
                        || bad(b == '\n' ? "bare LF" : "control character in the extension");
            }
            case CR -> {
                if (b == '\n') {
                    state = DONE;
                    return false;
                }
                return bad("CR without LF");
            }
            default -> {
                return false;
            }
        }
    }

    private boolean afterSize(byte b) {
        if (b == ' ' || b == '\t') {
            state = AFTER_SIZE;
            return true;
        }
        if (b == ';') {
            state = EXTENSION;
            return true;
        }
        if (b == '\r') {
            state = CR;
            return true;
        }
        return bad(b == '\n' ? "bare LF" : "invalid character after the size");
    }

    private boolean bad(String what) {
        state = BAD;
        problem = what;
        return false;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
