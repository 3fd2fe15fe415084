package dev.meridian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The file descriptors this JVM holds, from {@code /proc/self/fd} (Linux), counted by kind: sockets, pipes, epoll and
 * event fds, files. Kinds rather than one total, so a difference names what was left open.
 */
public final class FileDescriptors {
    /**
     * Files the JVM opens once, on first need, and keeps: jars (the class loader) and the random devices (the first
     * SecureRandom). A test that happens to be the first to need one holds it afterwards, through no fault of its own.
     */
    public static final String JVM_LIFETIME = "jvm-lifetime";
    private static final Path FDS = Path.of("/proc/self/fd");

    private FileDescriptors() {
    }

    public static boolean available() {
        return Files.isDirectory(FDS);
    }

    /**
     * Open descriptors by kind: {@code socket}, {@code pipe}, {@code anon_inode:[eventpoll]}, ...,
     * {@link #JVM_LIFETIME}, and {@code file:<path>} for any other file.
     */
    public static Map<String, Integer> byKind() {
        return byKind(false);
    }

    /** The same, without the {@link #JVM_LIFETIME} files: what must come back to its count once a test is done. */
    public static Map<String, Integer> releasable() {
        return byKind(true);
    }

    /** The kinds of {@link #releasable} descriptors more numerous now than in {@code before}, with the excess. */
    public static Map<String, Integer> grownSince(Map<String, Integer> before) {
        Map<String, Integer> grown = new TreeMap<>();
        releasable().forEach((kind, n) -> {
            int excess = n - before.getOrDefault(kind, 0);
            if (excess > 0) {
                grown.put(kind, excess);
            }
        });
        return grown;
    }

    private static Map<String, Integer> byKind(boolean releasableOnly) {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(FDS)) {
            fds.map(FileDescriptors::kind).filter(k -> !releasableOnly || !k.equals(JVM_LIFETIME))
                    .forEach(k -> kinds.merge(k, 1, Integer::sum));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kinds;
    }

    private static String kind(Path fd) {
        String target;
        try {
            target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "gone";  // closed while listed (the listing's own directory descriptor, for one)
        }
        if (target.startsWith("socket:")) {
            return "socket";
        }
        if (target.startsWith("pipe:")) {
            return "pipe";
        }
        if (target.startsWith("anon_inode:")) {
            return target;
        }
        if (target.endsWith(".jar") || target.equals("/dev/random") || target.equals("/dev/urandom")) {
            return JVM_LIFETIME;
        }
        return "file:" + target;
    }
}
