package dev.meridian.proxy.cli;

import dev.meridian.proxy.admin.AdminPlane;
import dev.meridian.proxy.admin.ReloadOutcome;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reloads the config file, as daemons do: through the same path as the admin call, so the reload runs on the
 * admin worker and the signal thread only hands it over. The outcome is logged there and shown at {@code /status}.
 */
final class HangupReload implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HangupReload.class.getName());
    private static final Signal HUP = new Signal("HUP");

    private final SignalHandler previous;

    private HangupReload(SignalHandler previous) {
        this.previous = previous;
    }

    /**
     * Installs the handler; {@link #close} puts the previous one back.
     *
     * @return null when this platform or JVM (-Xrs) does not let a program handle SIGHUP
     */
    static HangupReload install(AdminPlane admin) {
        try {
            SignalHandler previous = Signal.handle(HUP, s -> onHangup(admin));
            if (!installed(previous)) {
                LOG.log(Level.WARNING, "SIGHUP was ignored when this process started (nohup does that), and the JVM"
                        + " keeps it ignored: reload through the admin port or by saving the file");
                return null;
            }
            return new HangupReload(previous);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "SIGHUP cannot be handled here (" + e.getMessage() + "); reload through the admin"
                    + " port or by saving the file");
            return null;
        }
    }

    /**
     * HotSpot leaves a shutdown signal that was ignored at start ignored, and says so only by answering SIG_IGN as
     * the previous handler: then ours never runs.
     */
    static boolean installed(SignalHandler previous) {
        return previous != SignalHandler.SIG_IGN;
    }

    /** What the handler does, callable without a signal. */
    static CompletableFuture<ReloadOutcome> onHangup(AdminPlane admin) {
        return admin.reload("sighup").whenComplete((outcome, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "SIGHUP: no reload: " + failure.getMessage());
            }
        });
    }

    @Override
    public void close() {
        Signal.handle(HUP, previous);
    }
}
