package dev.meridian.proxy.admin;

import dev.meridian.config.AdminConfig;
import dev.meridian.proxy.server.MeridianServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The admin side of a running proxy: its listener and loop, the worker thread that runs changes, TTL expiries and
 * reloads, the rate sampler and the audit log. Started by {@link MeridianServer} once its listeners are bound,
 * closed after the data plane stopped (so {@code /ready} says 503 while the proxy drains).
 */
public final class AdminPlane implements AutoCloseable {
    private static final long RATE_SAMPLE_MILLIS = 1_000;

    private final AdminServer server;
    private final ScheduledExecutorService worker;
    private final AuditLog audit;
    private final RuntimeChanges changes;

    private AdminPlane(AdminServer server, ScheduledExecutorService worker, AuditLog audit, RuntimeChanges changes) {
        this.server = server;
        this.worker = worker;
        this.audit = audit;
        this.changes = changes;
    }

    /**
     * Binds the admin port of {@code proxy}'s config.
     *
     * @param firstRound tells when the first round of active health checks is done, for {@code /ready}
     * @throws IllegalStateException when the port cannot be bound or the audit log cannot be opened
     */
    public static AdminPlane start(MeridianServer proxy, FirstRound firstRound) throws InterruptedException {
        AdminConfig config = proxy.config().admin();
        ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-admin-worker");
            t.setDaemon(true);
            return t;
        });
        AuditLog audit = null;
        try {
            audit = new AuditLog(config.auditLog());
            RateMeter rates = new RateMeter(() -> proxy.routing().current(), System::nanoTime);
            worker.scheduleWithFixedDelay(rates::sample, 0, RATE_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
            RuntimeChanges changes = new RuntimeChanges(proxy, worker, audit, Clock.systemUTC());
            Reads reads = new Reads(proxy, changes, rates, firstRound, Instant.now());
            TrafficControl traffic = new TrafficControl(proxy, changes, audit, Clock.systemUTC());
            AdminRoutes routes = new AdminRoutes(proxy, new AdminAuth(config.tokens()), reads, changes, traffic,
                    new Simulator(rates::rps), new AdminMetrics(proxy.stats(), proxy.routing(), rates::rps), worker,
                    audit);
            return new AdminPlane(AdminServer.start(config, proxy.transport(), routes), worker, audit, changes);
        } catch (InterruptedException | RuntimeException e) {
            worker.shutdownNow();
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

    @Override
    public void close() {
        server.close();
        worker.shutdownNow();
        audit.close();
    }
}
