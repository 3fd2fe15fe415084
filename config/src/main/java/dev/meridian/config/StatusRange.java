package dev.meridian.config;

/** An inclusive range of HTTP status codes, written {@code 200-299} or {@code 204} in YAML. */
public record StatusRange(int from, int to) {
    public boolean contains(int status) {
        return status >= from && status <= to;
    }
}
