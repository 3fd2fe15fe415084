package dev.meridian.proxy.observe;

import dev.meridian.proxy.server.ProxyHeaders;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What one connection's current exchange adds up to for the access log: the proxy handler tells it when the request
 * arrived, what was answered and how many body bytes went each way, and at the end it hands one entry to the
 * {@link AccessLog} that was in force when the request arrived (a reload in between does not lose it). Keeps only
 * values the exchange already holds; all formatting happens on the writer thread. Event loop only, one per connection.
 */
public final class ExchangeLog {
    private static final int MAX_REQUEST_ID_LENGTH = 200;

    private final AccessLogSwitch logs;
    /** The log this exchange holds; null when it logs nothing. */
    private AccessLog log;
    private boolean recording;
    private long startNanos;
    private String client;
    private HttpRequest request;
    private int status;
    private String reason;
    private long bytesIn;
    private long bytesOut;

    public ExchangeLog(AccessLogSwitch logs) {
        this.logs = logs;
    }

    /**
     * A request head arrived. Its method, target, host and request id are read at the end, after the proxy put the
     * target in origin form and set the request id.
     */
    public void begin(HttpRequest request, String client, long nanos) {
        letGo();
        AccessLog current = logs.acquire();
        recording = current.enabled();
        if (!recording) {
            return;
        }
        log = current;
        startNanos = nanos;
        this.client = client;
        this.request = request;
        status = 0;
        reason = null;
        bytesIn = 0;
        bytesOut = 0;
    }

    /** The request matched {@code route}, whose {@code access_log} sample decides whether this one is logged. */
    public void route(Route route) {
        double sample = route.config().accessLogSample();
        if (recording && sample < 1.0) {
            recording = sample > 0.0 && ThreadLocalRandom.current().nextDouble() < sample;
            if (!recording) {
                letGo();
            }
        }
    }

    public void requestBytes(int n) {
        bytesIn += n;
    }

    /** The endpoint's response head went to the client. */
    public void responded(int code) {
        status = code;
    }

    public void responseBytes(int n) {
        bytesOut += n;
    }

    /** The proxy answered itself. */
    public void replied(int code, String why, int bytes) {
        status = code;
        reason = why;
        bytesOut += bytes;
    }

    /** A request the decoder could not read was answered and its connection closed: an exchange of its own. */
    public void rejected(HttpRequest request, String client, int code, String why, int bytes, long nanos) {
        begin(request, client, nanos);
        replied(code, why, bytes);
        end(null, null, 0, nanos);
    }

    /**
     * A head that never completed was answered (408) and its connection closed: logged with no method, host or
     * target, as nginx logs its 408s, so that a slowloris shows in the log and not only in the counters.
     */
    public void incompleteHead(String client, int code, String why, int bytes, long nanos) {
        begin(null, client, nanos);
        replied(code, why, bytes);
        end(null, null, 0, nanos);
    }

    /**
     * The exchange ended; hands the entry over when this request is logged.
     *
     * @param endpoint  the last try's endpoint, null when none was picked
     * @param cluster   the chosen cluster, null when none was
     * @param attempts  tries made
     */
    public void end(EndpointState endpoint, Cluster cluster, int attempts, long nanos) {
        HttpRequest req = request;
        request = null;
        if (!recording) {
            letGo();
            return;
        }
        recording = false;
        HttpHeaders headers = req == null ? null : req.headers();
        String why = reason;
        if (status == 0 && why == null) {
            why = "connection closed before a response";
        }
        // The wall clock is read only for the requests that are logged (a sampled few): the start is told back from
        // the monotonic clock both ends were read on.
        long startMillis = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
        log.offer(new AccessLogEntry(startMillis, client, req == null ? null : req.method().name(),
                headers == null ? null : headers.get(HttpHeaderNames.HOST), req == null ? null : req.uri(), status,
                bytesIn, bytesOut, nanos - startNanos, endpoint == null ? null : endpoint.id(),
                endpoint == null ? null : endpoint.config().region(), attempts,
                cluster == null ? null : cluster.config().policy().yamlName(), why,
                headers == null ? null : requestId(headers)));
        letGo();
    }

    /** Releases the held log, after the entry (if any) was offered: a retiring log closes once none is held. */
    private void letGo() {
        AccessLog held = log;
        if (held != null) {
            log = null;
            held.release();
        }
    }

    /** A local reply may come before the proxy vetted the client's id: an oversized one is left out, not logged. */
    private static String requestId(HttpHeaders headers) {
        String id = headers.get(ProxyHeaders.X_REQUEST_ID);
        return id == null || id.length() > MAX_REQUEST_ID_LENGTH ? null : id;
    }
}
