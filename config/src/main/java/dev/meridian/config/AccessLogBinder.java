package dev.meridian.config;

import dev.meridian.config.YamlNode.YamlMap;
import dev.meridian.config.YamlNode.YamlScalar;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Binds the top-level {@code access_log} section and a route's {@code access_log}: {@code false}, {@code true} or
 * {@code {sample: 0.0..1.0}}. A route's setting only thins out or silences lines the top-level log writes.
 */
final class AccessLogBinder {
    static final Schema ACCESS_LOG = new Schema("access log section", "access log sections",
            List.of("enabled", "path", "max_size", "max_files", "queue"), List.of());
    static final Schema ROUTE_ACCESS_LOG = new Schema("route access log", "route access logs",
            List.of("sample"), List.of("sample"));

    static final int MIN_QUEUE = 16;
    static final int MAX_QUEUE = 1 << 24;
    private static final String ROUTE_HINT = "false, true, or {sample: 0.1} to log one request in ten";

    private final Problems problems;
    private final Path directory;

    /** @param directory where a relative {@code path} starts: the config file's directory */
    AccessLogBinder(Problems problems, Path directory) {
        this.problems = problems;
        this.directory = directory;
    }

    AccessLogConfig accessLog(Fields f) {
        AccessLogConfig d = AccessLogConfig.OFF;
        boolean enabled = f.bool("enabled", true);
        String path = f.string("path", d.path());
        if (path.isBlank()) {
            problems.add(f.value("path"), "'path' is empty", "a file path, or \"-\" for standard output");
            path = d.path();
        } else if (!path.equals(AccessLogConfig.STDOUT)) {
            path = resolve(f.value("path"), path);
        }
        long maxSize = f.size("max_size", (int) Math.min(d.maxSize(), Integer.MAX_VALUE), 1 << 10,
                Integer.MAX_VALUE, "1KiB up to 2047MiB");
        int maxFiles = f.integer("max_files", d.maxFiles(), 1, 1000);
        int queue = f.integer("queue", d.queue(), MIN_QUEUE, MAX_QUEUE);
        if (path.equals(AccessLogConfig.STDOUT) && (f.has("max_size") || f.has("max_files"))) {
            YamlNode at = f.has("max_size") ? f.key("max_size") : f.key("max_files");
            problems.add(at, "rotation does not apply to standard output",
                    "set 'path' to a file, or remove max_size and max_files");
        }
        return new AccessLogConfig(enabled, path, maxSize, maxFiles, queue);
    }

    /** The share of a route's requests logged, 1.0 when the route says nothing. */
    double routeSample(Fields route) {
        YamlNode v = route.value("access_log");
        if (v == null) {
            return 1.0;
        }
        if (v instanceof YamlScalar s && s.kind() == YamlScalar.Kind.BOOLEAN) {
            return route.bool("access_log", true) ? 1.0 : 0.0;
        }
        if (!(v instanceof YamlMap)) {
            problems.add(v, "expected false, true or a map for 'access_log', got " + Fields.describe(v), ROUTE_HINT);
            return 1.0;
        }
        Fields f = route.nested("access_log", ROUTE_ACCESS_LOG);
        return f == null ? 1.0 : f.decimal("sample", 1.0, 0.0, 1.0);
    }

    private String resolve(YamlNode at, String path) {
        try {
            return directory.resolve(path).normalize().toString();
        } catch (InvalidPathException e) {
            problems.add(at, "invalid access log path '" + path + "'", e.getReason());
            return path;
        }
    }
}
