package dev.meridian.proxy.admin;

import dev.meridian.config.AdminConfig;
import dev.meridian.proxy.server.MeridianServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The admin side of a running proxy: its listener and loop, the worker thread that runs changes, TTL expiries and
 * reloads, the rate sampler and the audit log. Started by {@link MeridianServer} once its listeners are bound,
 * closed after the data plane stopped (so {@code /ready} says 503 while the proxy drains).
 */
public final class AdminPlane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AdminPlane.class.getName());
    private static final long RATE_SAMPLE_MILLIS = 1_000;

    private final AdminServer server;
    private final ScheduledExecutorService worker;
    private final AuditLog audit;
    private final RuntimeChanges changes;
    /** The file the running config came from at start; reloads read the same file. */
    private final String configSource;
    private final AdminMetrics metrics;
    private ConfigWatcher watcher;

    private AdminPlane(AdminServer server, ScheduledExecutorService worker, AuditLog audit, RuntimeChanges changes,
                       String configSource, AdminMetrics metrics) {
        this.configSource = configSource;
        this.metrics = metrics;
        this.server = server;
        this.worker = worker;
        this.audit = audit;
        this.changes = changes;
    }

    /**
     * Binds the admin port of {@code proxy}'s config.
     *
     * @param firstRound tells when the first round of active health checks is done, for {@code /ready}
     * @throws IllegalStateException when the audit log cannot be opened; a {@link dev.meridian.proxy.server.BindFailure}
     *                               when the port cannot be bound
     */
    public static AdminPlane start(MeridianServer proxy, FirstRound firstRound) throws InterruptedException {
        AdminConfig config = proxy.config().admin();
        ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-admin-worker");
            t.setDaemon(true);
            return t;
        });
        AuditLog audit = null;
        AdminMetrics metrics = null;
        try {
            audit = new AuditLog(config.auditLog());
            RateMeter rates = new RateMeter(() -> proxy.routing().current(), System::nanoTime);
            worker.scheduleWithFixedDelay(rates::sample, 0, RATE_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
            RuntimeChanges changes = new RuntimeChanges(proxy, worker, audit, Clock.systemUTC());
            Reads reads = new Reads(proxy, changes, rates, firstRound, Instant.now());
            metrics = new AdminMetrics(proxy, rates::rps);
            TrafficControl traffic = new TrafficControl(proxy, changes, audit, Clock.systemUTC());
            AdminRoutes routes = new AdminRoutes(proxy, new AdminAuth(config.tokens()), reads, changes, traffic,
                    new Simulator(rates::rps), metrics, worker, audit);
            return new AdminPlane(AdminServer.start(config, proxy.transport(), routes), worker, audit, changes,
                    proxy.config().source(), metrics);
        } catch (InterruptedException | RuntimeException e) {
            worker.shutdownNow();
            if (metrics != null) {
                metrics.close();
            }
            if (audit != null) {
                audit.close();
            }
            throw e;
        }
    }

    /** Where the admin port listens: with port 0 in the config, the port the system chose. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The runtime version: one more per applied change, expiry and reload. */
    public long version() {
        return changes.version();
    }

    /**
     * Reloads the config file, as the admin call does: validated, swapped in whole or not at all, serialized with
     * every other reload and runtime change on the admin worker. What SIGHUP calls; never blocks the caller.
     *
     * @param trigger what asked, as {@code last_reload} and the audit log show it
     * @return how it went; completes exceptionally when the running config did not come from a file or the admin
     *         port is closed
     */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        return CompletableFuture.supplyAsync(() -> {
            changes.reload(Caller.SYSTEM, trigger, false, false);
            return changes.lastReload();
        }, worker);
    }

    /** How the last reload went, whatever triggered it; null before the first. */
    public ReloadOutcome lastReload() {
        return changes.lastReload();
    }

    /**
     * Reloads by itself whenever the config file's content changes (touching it, or rewriting the same bytes, does
     * nothing). Once; later calls do nothing.
     *
     * @param debounce how long the file must be quiet after an event before it is read: one save is often several
     *                 events, and a half-written file would be rejected
     * @return whether the file is watched: false when the running config did not come from a file
     * @throws IOException when its directory cannot be watched
     */
    public synchronized boolean watchConfigFile(Duration debounce) throws IOException {
        if (watcher == null) {
            Path file;
            try {
                file = Path.of(configSource);
            } catch (InvalidPathException e) {
                return false;
            }
            if (!Files.isRegularFile(file)) {
                return false;
            }
            watcher = ConfigWatcher.start(file, debounce, () -> worker.execute(() -> {
                try {
                    changes.reload(Caller.SYSTEM, "file", false, true);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "config reload after a file change failed", e);
                }
            }));
        }
        return true;
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
        }
        server.close();
        worker.shutdownNow();
        metrics.close();
        audit.close();
    }
}
