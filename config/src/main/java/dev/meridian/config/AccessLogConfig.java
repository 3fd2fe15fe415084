package dev.meridian.config;

import java.util.Objects;

/**
 * The JSON access log: one line per request, written by a thread of its own.
 *
 * @param enabled  off by default: a busy proxy writes a lot of lines
 * @param path     the file, or {@code "-"} for standard output
 * @param maxSize  bytes a file may grow to before it is rotated ({@code access.log} to {@code access.log.1}, ...)
 * @param maxFiles files kept, the one being written included
 * @param queue    lines waiting for the writer at most; more are counted as dropped, never waited for
 */
public record AccessLogConfig(boolean enabled, String path, long maxSize, int maxFiles, int queue) {
    public static final String STDOUT = "-";
    public static final AccessLogConfig OFF = new AccessLogConfig(false, STDOUT, 100L << 20, 5, 65_536);

    public AccessLogConfig {
        Objects.requireNonNull(path, "path");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize: " + maxSize + " (expected: >= 1)");
        }
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles: " + maxFiles + " (expected: >= 1)");
        }
        if (queue < 1) {
            throw new IllegalArgumentException("queue: " + queue + " (expected: >= 1)");
        }
    }

    public boolean toStdout() {
        return STDOUT.equals(path);
    }
}
