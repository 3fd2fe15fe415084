package dev.meridian.bench.scenarios;

import dev.meridian.bench.scenarios.FailoverScenario.Conn;
import dev.meridian.bench.scenarios.FailoverScenario.Resp;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One slow backend among four: starts backends b1..bN on 127.0.0.1 itself, makes one of them answer
 * {@code --slow-ms} late, drives keep-alive GET load through an external proxy and reports the latency
 * distribution the clients saw (HdrHistogram, 3 significant digits) and the share of requests each backend served.
 * The proxy's balancing policy is the only thing that differs between runs, so p99 under one policy over p99 under
 * another, in the same script run, says how well the policy steers around the slow endpoint.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.meridian.bench.scenarios.SlowBackendScenario \
 *     --proxy 127.0.0.1:18080 --backends 18101,18102,18103,18104 [--slow 4] [--slow-ms 50] [--connections 32] \
 *     [--warmup-s 8] [--duration-s 25] [--rate 0] [--label weighted] [--timeout-ms 5000] [--ready-timeout-s 30]
 * }</pre>
 * Load: {@code --connections} threads, each with one keep-alive connection (reconnecting after an error). With
 * {@code --rate 0} (the default) each sends its next request as soon as the last is answered: a closed loop at
 * fixed concurrency, latency = send to last byte. With {@code --rate R} the connections together are scheduled at R
 * requests/s and a request's latency is counted from its scheduled time, so a connection held up by a slow answer
 * charges the wait to the requests queued behind it (no coordinated omission). Only requests scheduled inside the
 * measured window count; the warm-up lets both JITs and the policy's estimates settle.
 */
public final class SlowBackendScenario {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    /** Latencies above a minute are recorded as a minute: the client timeout is far below that. */
    private static final long MAX_TRACKED = 60 * SECOND;

    private String proxyHost = "127.0.0.1";
    private int proxyPort;
    private int[] backendPorts;
    private int slow = 4;
    private long slowMs = 50;
    private int connections = 32;
    private int warmupS = 8;
    private int durationS = 25;
    private int rate;
    private String label = "proxy";
    private long timeoutMs = 5000;
    private long readyTimeoutS = 30;

    private FaultyBackend[] backends;
    private long t0;
    private long tEnd;

    public static void main(String[] args) throws Exception {
        SlowBackendScenario s = new SlowBackendScenario();
        s.parse(args);
        System.exit(s.run(System.out));
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null && !a.equals("-h") && !a.equals("--help")) {
                System.err.println("missing value after " + a);
                usage(2);
            }
            switch (a) {
                case "--proxy" -> {
                    String[] hp = v.split(":");
                    proxyHost = hp[0];
                    proxyPort = Integer.parseInt(hp[1]);
                }
                case "--backends" -> backendPorts = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--slow" -> slow = Integer.parseInt(v);
                case "--slow-ms" -> slowMs = Long.parseLong(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--warmup-s" -> warmupS = Integer.parseInt(v);
                case "--duration-s" -> durationS = Integer.parseInt(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--label" -> label = v;
                case "--timeout-ms" -> timeoutMs = Long.parseLong(v);
                case "--ready-timeout-s" -> readyTimeoutS = Long.parseLong(v);
                case "-h", "--help" -> usage(0);
                default -> {
                    System.err.println("unknown argument: " + a);
                    usage(2);
                }
            }
            i++;
        }
        if (proxyPort == 0 || backendPorts == null || backendPorts.length < 2) {
            System.err.println("--proxy and --backends (two ports at least) are required");
            usage(2);
        }
        if (slow < 1 || slow > backendPorts.length) {
            System.err.println("--slow " + slow + ": expected a backend number 1.." + backendPorts.length);
            usage(2);
        }
        if (connections < 1 || durationS < 1 || warmupS < 0 || rate < 0 || slowMs < 0) {
            System.err.println("--connections and --duration-s must be >= 1; --warmup-s, --rate, --slow-ms >= 0");
            usage(2);
        }
    }

    private static void usage(int rc) {
        System.err.println("usage: SlowBackendScenario --proxy HOST:PORT --backends P1,P2,...  [--slow 4] [--slow-ms 50]"
                + " [--connections 32] [--warmup-s 8] [--duration-s 25] [--rate 0 (closed loop)] [--label NAME]"
                + " [--timeout-ms 5000] [--ready-timeout-s 30]");
        System.exit(rc);
    }

    private int run(PrintStream out) throws Exception {
        backends = new FaultyBackend[backendPorts.length];
        try {
            for (int i = 0; i < backends.length; i++) {
                backends[i] = new FaultyBackend(i + 1, backendPorts[i]);
                backends[i].start();
            }
            backends[slow - 1].delay(slowMs * MS);
            if (!waitReady(out)) {
                return 1;
            }
            Client[] cs = new Client[connections];
            long start = System.nanoTime();
            t0 = start + warmupS * SECOND;
            tEnd = t0 + durationS * SECOND;
            long interval = rate == 0 ? 0 : SECOND * connections / rate;
            for (int i = 0; i < connections; i++) {
                // Paced connections start staggered over one interval so the offered load is smooth.
                cs[i] = new Client(i, start + (interval == 0 ? 0 : interval * i / connections), interval);
                cs[i].start();
            }
            long wait;
            while ((wait = tEnd - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(wait, 100 * MS));
            }
            for (Client c : cs) {
                c.join(timeoutMs + 2_000);
            }
            report(out, cs);
            return 0;
        } finally {
            for (FaultyBackend b : backends) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /**
     * Waits for a 200 through the proxy, then until each backend has answered once or two seconds have passed: a
     * latency-aware proxy may rightly never send a sequential client to the slow backend.
     */
    private boolean waitReady(PrintStream out) {
        long deadline = System.nanoTime() + readyTimeoutS * SECOND;
        boolean[] seen = new boolean[backends.length];
        long firstOk = 0;
        Conn c = null;
        String host = proxyHost + ":" + proxyPort;
        while (System.nanoTime() < deadline) {
            try {
                if (c == null) {
                    c = new Conn(proxyHost, proxyPort, 1000);
                }
                Resp r = c.get(host, 1000);
                if (r.status() == 200 && r.backend() > 0 && r.backend() <= seen.length) {
                    seen[r.backend() - 1] = true;
                    if (firstOk == 0) {
                        firstOk = System.nanoTime();
                    }
                }
                if (r.close()) {
                    c.close();
                    c = null;
                }
                boolean all = true;
                for (boolean b : seen) {
                    all &= b;
                }
                if (all || (firstOk != 0 && System.nanoTime() - firstOk > 2 * SECOND)) {
                    if (c != null) {
                        c.close();
                    }
                    return true;
                }
            } catch (IOException e) {
                if (c != null) {
                    c.close();
                }
                c = null;
                FaultyBackend.sleepMillis(100);
            }
        }
        out.println("slow-backend: proxy " + host + " never answered 200 from a backend within " + readyTimeoutS
                + " s (seen: " + Arrays.toString(seen) + ")");
        return false;
    }

    /** One keep-alive connection; everything it records is its own until {@link #join} hands it to the report. */
    private final class Client extends Thread {
        private final long interval;
        private long next;
        final Histogram all = histogram();
        final Histogram fast = histogram();
        final long[] perBackend = new long[backendPorts.length + 1];
        final long[] perSecond = new long[durationS];
        final long[] perSecondSlow = new long[durationS];
        final long[] perSecondMax = new long[durationS];
        long errors;

        Client(int i, long first, long interval) {
            super("client-" + i);
            setDaemon(true);
            this.next = first;
            this.interval = interval;
        }

        @Override
        public void run() {
            Conn c = null;
            String host = proxyHost + ":" + proxyPort;
            while (true) {
                long now = System.nanoTime();
                long scheduled = now;
                if (interval > 0) {
                    if (next > now) {
                        LockSupport.parkNanos(next - now);
                        continue;
                    }
                    scheduled = next;
                    next += interval; // no catch-up skipping: a backlog is latency the clients see
                }
                if (scheduled >= tEnd) {
                    break;
                }
                int status;
                int backend = 0;
                try {
                    if (c == null) {
                        c = new Conn(proxyHost, proxyPort, (int) timeoutMs);
                    }
                    Resp r = c.get(host, timeoutMs);
                    status = r.status();
                    backend = r.backend();
                    if (r.close()) {
                        c.close();
                        c = null;
                    }
                } catch (IOException e) {
                    status = -1;
                    if (c != null) {
                        c.close();
                    }
                    c = null;
                }
                if (scheduled >= t0) {
                    record(scheduled, System.nanoTime() - scheduled, status, backend);
                }
            }
            if (c != null) {
                c.close();
            }
        }

        private void record(long scheduled, long latency, int status, int backend) {
            if (status != 200 || backend < 1 || backend >= perBackend.length) {
                errors++;
                return;
            }
            long l = Math.min(Math.max(latency, 1), MAX_TRACKED);
            all.recordValue(l);
            perBackend[backend]++;
            if (backend != slow) {
                fast.recordValue(l);
            }
            int sec = (int) ((scheduled - t0) / SECOND);
            perSecond[sec]++;
            if (backend == slow) {
                perSecondSlow[sec]++;
            }
            perSecondMax[sec] = Math.max(perSecondMax[sec], l);
        }
    }

    private static Histogram histogram() {
        return new Histogram(1_000, MAX_TRACKED, 3);
    }

    private void report(PrintStream out, Client[] cs) {
        Histogram all = histogram();
        Histogram fast = histogram();
        long[] perBackend = new long[backendPorts.length + 1];
        long[] perSecond = new long[durationS];
        long[] perSecondSlow = new long[durationS];
        long[] perSecondMax = new long[durationS];
        long errors = 0;
        for (Client c : cs) {
            all.add(c.all);
            fast.add(c.fast);
            errors += c.errors;
            for (int i = 0; i < perBackend.length; i++) {
                perBackend[i] += c.perBackend[i];
            }
            for (int s = 0; s < durationS; s++) {
                perSecond[s] += c.perSecond[s];
                perSecondSlow[s] += c.perSecondSlow[s];
                perSecondMax[s] = Math.max(perSecondMax[s], c.perSecondMax[s]);
            }
        }
        long ok = all.getTotalCount();
        double slowShare = ok == 0 ? 0 : 100.0 * perBackend[slow] / ok;
        out.printf(Locale.ROOT, "%n== slow backend through %s (%s:%d): %d backends, b%d +%d ms; %d keep-alive connections,"
                        + " %s; %d s warm-up, %d s measured ==%n", label, proxyHost, proxyPort, backends.length, slow,
                slowMs, connections, rate == 0 ? "closed loop" : rate + " req/s scheduled", warmupS, durationS);
        out.printf(Locale.ROOT, "  answered %d (%.0f/s), errors %d%n", ok, ok / (double) durationS, errors);
        out.printf(Locale.ROOT, "  latency ms, all:          %s%n", percentiles(all));
        out.printf(Locale.ROOT, "  latency ms, fast backends: %s%n", percentiles(fast));
        StringBuilder shares = new StringBuilder();
        for (int b = 1; b < perBackend.length; b++) {
            shares.append(String.format(Locale.ROOT, " b%d %.2f%%%s", b, ok == 0 ? 0 : 100.0 * perBackend[b] / ok,
                    b == slow ? " (slow)" : ""));
        }
        out.println("  share:" + shares);
        out.println("  per second: answered / by the slow backend / max ms");
        StringBuilder line = new StringBuilder("   ");
        for (int s = 0; s < durationS; s++) {
            line.append(String.format(Locale.ROOT, " %d/%d/%.0f", perSecond[s], perSecondSlow[s],
                    perSecondMax[s] / 1e6));
            if (s % 8 == 7 && s + 1 < durationS) {
                out.println(line);
                line.setLength(0);
                line.append("   ");
            }
        }
        out.println(line);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("label", label);
        result.put("connections", connections);
        result.put("rate", rate);
        result.put("duration_s", durationS);
        result.put("slow_ms", slowMs);
        result.put("answered", ok);
        result.put("errors", errors);
        result.put("rps", Math.round(ok / (double) durationS));
        putPercentiles(result, "", all);
        putPercentiles(result, "fast_", fast);
        result.put("slow_share_pct", Math.round(slowShare * 1000) / 1000.0);
        long slowSeconds = Arrays.stream(perSecondSlow).filter(n -> n > 0).count();
        result.put("seconds_with_slow_requests", slowSeconds);
        out.println();
        out.println("RESULT " + FailoverScenario.toJson(result));
    }

    private static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "(none)";
        }
        return String.format(Locale.ROOT, "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
    }

    private static void putPercentiles(Map<String, Object> result, String prefix, Histogram h) {
        boolean any = h.getTotalCount() > 0;
        result.put(prefix + "p50_ms", any ? round2(ms(h.getValueAtPercentile(50))) : null);
        result.put(prefix + "p90_ms", any ? round2(ms(h.getValueAtPercentile(90))) : null);
        result.put(prefix + "p99_ms", any ? round2(ms(h.getValueAtPercentile(99))) : null);
        result.put(prefix + "p999_ms", any ? round2(ms(h.getValueAtPercentile(99.9))) : null);
        result.put(prefix + "max_ms", any ? round2(ms(h.getMaxValue())) : null);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
