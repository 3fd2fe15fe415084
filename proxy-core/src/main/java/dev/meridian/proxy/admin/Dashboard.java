package dev.meridian.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The live dashboard: one self-contained HTML page (inline CSS and script, no external assets) that polls the admin
 * reads every second and posts drain, undrain and weight changes with the operator token it asks for. The page holds
 * no data of its own, so it is served to anyone who reaches the admin port; the reads it makes are checked as usual,
 * and it asks for a token when they are refused.
 */
final class Dashboard {
    static final List<String> PATHS = List.of("/", "/dashboard");
    static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private static final byte[] PAGE = load();

    private Dashboard() {
    }

    static byte[] page() {
        return PAGE;
    }

    private static byte[] load() {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html is missing from the classpath next to "
                        + Dashboard.class.getName() + "; the build did not copy proxy-core's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
