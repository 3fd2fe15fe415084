package dev.meridian.proxy.observe;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Standard output, for containers whose runtime collects it. Written through the file descriptor rather than
 * {@code System.out}, whose every call takes a lock and flushes on newlines.
 */
final class StdoutSink implements LogSink {
    /**
     * One for the process: across a reload the retiring log's writer and the new one may both write here for a moment,
     * and a buffer of whole lines must reach the descriptor in one piece, not interleaved with the other's.
     */
    private static final SerialOutput STDOUT = new SerialOutput(new FileOutputStream(FileDescriptor.out));

    private final OutputStream out;

    StdoutSink() {
        this(STDOUT);
    }

    StdoutSink(OutputStream out) {
        this.out = new BufferedOutputStream(out, 1 << 16);
    }

    /**
     * Sends what the access log writes to standard output to {@code target} instead, returning the stream it replaced:
     * for tests, as the test runner reads the process's own standard output.
     */
    static OutputStream redirectForTest(OutputStream target) {
        OutputStream previous = STDOUT.out;
        STDOUT.out = target;
        return previous;
    }

    @Override
    public boolean write(byte[] line) throws IOException {
        out.write(line);
        return true;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes only: standard output belongs to the process. */
    @Override
    public void close() throws IOException {
        out.flush();
    }

    /** Writes each buffer whole, one writer thread at a time; only writer threads ever wait here. */
    private static final class SerialOutput extends OutputStream {
        private volatile OutputStream out;

        SerialOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }
    }
}
