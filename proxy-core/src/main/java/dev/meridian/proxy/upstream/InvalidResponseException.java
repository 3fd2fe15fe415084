package dev.meridian.proxy.upstream;

/** A response Meridian refuses to relay: its head broke HTTP/1.1's grammar or framing rules, or a size limit. */
final class InvalidResponseException extends Exception {
    private final boolean tooLarge;

    InvalidResponseException(String problem, boolean tooLarge) {
        super(problem, null, false, false);
        this.tooLarge = tooLarge;
    }

    boolean tooLarge() {
        return tooLarge;
    }
}
