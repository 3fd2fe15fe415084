package dev.meridian.routing;

/**
 * Case-insensitive access to a request's headers, so matching needs no copy of them. Netty's
 * {@code HttpHeaders::get} fits.
 */
@FunctionalInterface
public interface HeaderLookup {
    HeaderLookup NONE = name -> null;

    /** The first value of the header, or null when absent. */
    String get(String name);
}
