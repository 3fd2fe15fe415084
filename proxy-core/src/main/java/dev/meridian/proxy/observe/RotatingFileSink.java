package dev.meridian.proxy.observe;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * A file rotated by size: when the next line would take {@code access.log} past {@code maxSize}, it becomes
 * {@code access.log.1}, the older ones shift up, and the one beyond {@code maxFiles} is deleted. A line is never
 * split across files. When the file cannot be opened (a missing or read-only directory), lines are refused for a
 * second before the next try, so a broken disk costs one failed open per second, not one per line.
 */
final class RotatingFileSink implements LogSink {
    static final long RETRY_NANOS = 1_000_000_000L;

    private final Path path;
    private final long maxSize;
    private final int maxFiles;
    private final LongSupplier nanoClock;
    private OutputStream out;
    private long size;
    private long retryAt = Long.MIN_VALUE;
    private boolean failing;

    /** @param maxFiles files kept, the one being written included; 1 truncates at rotation */
    RotatingFileSink(Path path, long maxSize, int maxFiles, LongSupplier nanoClock) {
        this.path = path;
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean write(byte[] line) throws IOException {
        if (out == null && !open()) {
            return false;
        }
        try {
            if (size > 0 && size + line.length > maxSize) {
                rotate();
            }
            out.write(line);
            size += line.length;
            return true;
        } catch (IOException e) {
            fail();
            throw e;
        }
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                fail();
                throw e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            OutputStream o = out;
            out = null;
            o.close();
        }
    }

    /** Opens the file before the first line, so that a reload can refuse a file that cannot be opened. */
    void openNow() throws IOException {
        if (out == null) {
            open();
        }
    }

    /** Whether the last open or write failed and no write has succeeded since; for the writer's one-time warning. */
    boolean failing() {
        return failing;
    }

    private boolean open() throws IOException {
        long now = nanoClock.getAsLong();
        if (failing && now - retryAt < 0) {
            return false;
        }
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE), 1 << 16);
            size = Files.size(path);
            failing = false;
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            retryAt = now + RETRY_NANOS;
            failing = true;
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        if (maxFiles == 1) {
            Files.deleteIfExists(path);
        } else {
            Files.deleteIfExists(numbered(maxFiles - 1));
            for (int i = maxFiles - 2; i >= 1; i--) {
                Path from = numbered(i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        }
        // Appended, not truncated: after a reload changed only the rotation, the retiring log's writer may still
        // write to the same path for a moment, and may have created the new file first.
        out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 1 << 16);
        size = Files.size(path);
    }

    private void fail() {
        OutputStream o = out;
        out = null;
        failing = true;
        retryAt = nanoClock.getAsLong() + RETRY_NANOS;
        if (o != null) {
            try {
                o.close();
            } catch (IOException ignored) {
                // already failing; the writer reports the first error
            }
        }
    }

    private Path numbered(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }
}
