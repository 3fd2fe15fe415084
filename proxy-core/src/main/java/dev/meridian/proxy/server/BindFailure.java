package dev.meridian.proxy.server;

import java.util.Locale;

/**
 * A listening socket that could not be opened, told in one line a person can act on: which address and port, for
 * what, why, and the setting that moves it. Netty's own failure says none of that: epoll gives
 * {@code bind(..) failed: Address already in use}, NIO a bare {@link java.net.BindException}, and neither names the
 * port.
 */
public final class BindFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private static final String IN_USE = "address already in use";
    private static final String DENIED = "permission denied";
    private static final String NOT_LOCAL = "cannot assign requested address";

    private final String purpose;
    private final String host;
    private final int port;
    private final String reason;
    private final String setting;

    private BindFailure(String purpose, String host, int port, String reason, String setting, Throwable cause) {
        super(message(purpose, host, port, reason, setting), cause);
        this.purpose = purpose;
        this.host = host;
        this.port = port;
        this.reason = reason;
        this.setting = setting;
    }

    /**
     * @param purpose what the socket was for, e.g. {@code the admin port}
     * @param cause   what bind() failed with; Netty rethrows the checked exceptions of the native transports unchecked
     * @param setting where the port is chosen, named in the hint, e.g. {@code admin.port}
     */
    public static BindFailure of(String purpose, String host, int port, Throwable cause, String setting) {
        return new BindFailure(purpose, host, port, reason(cause), setting, cause);
    }

    /** The same failure with the hint naming another setting: a command line flag rather than the config key. */
    public BindFailure withSetting(String otherSetting) {
        BindFailure copy = new BindFailure(purpose, host, port, reason, otherSetting, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    private static String message(String purpose, String host, int port, String reason, String setting) {
        return "cannot listen on " + host + ":" + port + " for " + purpose + ": " + reason + "; " + hint(reason, port)
                + " " + setting + " (0: any free port)";
    }

    private static String hint(String reason, int port) {
        if (reason.equals(IN_USE)) {
            return "another process listens there: stop it, or pick another port with";
        }
        if (reason.equals(DENIED) && port < 1024) {
            return "ports below 1024 need root or CAP_NET_BIND_SERVICE: pick a port from 1024 up with";
        }
        if (reason.equals(NOT_LOCAL)) {
            return "no interface of this machine has that address: bind 127.0.0.1 or 0.0.0.0, or pick the port with";
        }
        return "pick another port with";
    }

    /**
     * The cause in the words of the OS error, found in the message rather than the exception type: the same errno
     * arrives as {@code BindException} from NIO and as {@code Errors.NativeIoException} from epoll and io_uring.
     */
    private static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            for (String known : new String[] {IN_USE, DENIED, NOT_LOCAL}) {
                if (m.contains(known)) {
                    return known;
                }
            }
        }
        if (cause == null) {
            return "unknown error";
        }
        String m = cause.getMessage();
        return m == null || m.isBlank() ? cause.getClass().getSimpleName() : m.strip().replaceAll("\\s+", " ");
    }
}
