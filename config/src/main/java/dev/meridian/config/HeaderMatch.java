package dev.meridian.config;

/**
 * A header condition: the header is present ({@code value} null) or has exactly this value.
 * Header names compare case-insensitively; values case-sensitively.
 */
public record HeaderMatch(String name, String value) {
}
