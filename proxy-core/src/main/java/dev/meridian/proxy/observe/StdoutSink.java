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
    private final OutputStream out;

    StdoutSink() {
        this(new FileOutputStream(FileDescriptor.out));
    }

    StdoutSink(OutputStream out) {
        this.out = new BufferedOutputStream(out, 1 << 16);
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
}
