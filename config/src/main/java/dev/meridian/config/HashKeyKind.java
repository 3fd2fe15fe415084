package dev.meridian.config;

/** Where a consistent-hashing policy reads a request's key. */
public enum HashKeyKind {
    /** A request header's value. */
    HEADER,
    /** A cookie's value. */
    COOKIE,
    /** The client's IP address (as received, or as located through the trusted header's sources). */
    CLIENT_IP
}
