package dev.meridian.bench.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Failover scenario driver: starts three backends on 127.0.0.1 itself, drives paced keep-alive GET load through an
 * external proxy, and injects faults on a fixed timeline:
 *
 * <pre>
 *   warm-up (3 s) | T0 kill b2 | T0+3 s blackhole b3 | T0+6 s restore b2 | T0+9 s restore b3 | end T0+13 s
 * </pre>
 *
 * It prints a timeline in 100 ms steps (requests answered per backend, errors, requests slower than 300 ms, by the
 * request's start time), a per-phase summary, detection and recovery times seen from the backends, and one
 * {@code RESULT {json}} line for scripts.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.meridian.bench.scenarios.FailoverScenario \
 *     --proxy 127.0.0.1:18080 --backends 18101,18102,18103 [--clients 32] [--rate 2000] [--label meridian] \
 *     [--timeout-ms 5000] [--csv /tmp/requests.csv] [--ready-timeout-s 30]
 * }</pre>
 * Load: {@code --clients} threads, each with one keep-alive connection (reconnecting after an error or a close),
 * pacing its requests so that all together send {@code --rate} requests/s (closed loop when behind: no catch-up
 * burst). A request counts as a client-visible error when the proxy answers non-2xx, closes or resets the
 * connection before a full response, refuses the connect, or takes longer than {@code --timeout-ms}.
 */
public final class FailoverScenario {
    static final long MS = 1_000_000L;
    static final long SLOW_NANOS = 300 * MS;
    /** Error codes stored in place of an HTTP status. */
    static final int E_TIMEOUT = -1, E_CLOSED = -2, E_RESET = -3, E_REFUSED = -4, E_OTHER = -5;

    // ------------------------------------------------------------------------------------------ options
    private String proxyHost = "127.0.0.1";
    private int proxyPort;
    private int[] backendPorts;
    private int clients = 32;
    private int rate = 2000;
    private long timeoutMs = 5000;
    private String label = "proxy";
    private Path csv;
    private long readyTimeoutS = 30;
    private double warmS = 3, killAt = 0, blackholeAt = 3, restore2At = 6, restore3At = 9, endAt = 13;

    private final FaultyBackend[] backends = new FaultyBackend[3];
    private volatile boolean running = true;
    /** nanoTime of T0 (the kill) and the wall clock at that instant. */
    private long t0;
    private long t0EpochMillis;
    private final Map<String, Long> marks = new LinkedHashMap<>();
    /** Error response bodies (digits folded to '#'), per phase: what the proxy said. */
    private final Map<String, Integer> reasons = new java.util.TreeMap<>();

    private void reason(long startNanos, int status, String body) {
        String b = body.replaceAll("\\s+", " ").trim();
        if (b.length() > 200) {
            b = b.substring(0, 200);
        }
        String key = phaseOf(startNanos) + " | " + status + " | " + b.replaceAll("[0-9]+", "#");
        synchronized (reasons) {
            reasons.merge(key, 1, Integer::sum);
        }
    }

    public static void main(String[] args) throws Exception {
        FailoverScenario s = new FailoverScenario();
        s.parse(args);
        int rc = s.run(System.out);
        System.exit(rc);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--proxy" -> {
                    String[] hp = v.split(":");
                    proxyHost = hp[0];
                    proxyPort = Integer.parseInt(hp[1]);
                    i++;
                }
                case "--backends" -> {
                    backendPorts = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                    i++;
                }
                case "--clients" -> { clients = Integer.parseInt(v); i++; }
                case "--rate" -> { rate = Integer.parseInt(v); i++; }
                case "--timeout-ms" -> { timeoutMs = Long.parseLong(v); i++; }
                case "--label" -> { label = v; i++; }
                case "--csv" -> { csv = Path.of(v); i++; }
                case "--ready-timeout-s" -> { readyTimeoutS = Long.parseLong(v); i++; }
                case "--warm-s" -> { warmS = Double.parseDouble(v); i++; }
                case "-h", "--help" -> usage(0);
                default -> { System.err.println("unknown argument: " + a); usage(2); }
            }
        }
        if (proxyPort == 0 || backendPorts == null || backendPorts.length != 3) {
            usage(2);
        }
    }

    private static void usage(int rc) {
        System.err.println("usage: FailoverScenario --proxy HOST:PORT --backends P1,P2,P3 [--clients 32] [--rate 2000]"
                + " [--timeout-ms 5000] [--label NAME] [--csv FILE] [--ready-timeout-s 30] [--warm-s 3]");
        System.exit(rc);
    }

    // ------------------------------------------------------------------------------------------ run

    private int run(PrintStream out) throws Exception {
        for (int i = 0; i < 3; i++) {
            backends[i] = new FaultyBackend(i + 1, backendPorts[i]);
            backends[i].start();
        }
        try {
            if (!waitReady(out)) {
                return 1;
            }
            Client[] cs = new Client[clients];
            long intervalNanos = (long) (1e9 * clients / rate);
            long start = System.nanoTime();
            t0 = start + (long) (warmS * 1e9);
            for (int i = 0; i < clients; i++) {
                // Stagger the clients over one interval so the load is smooth.
                cs[i] = new Client(i, start + intervalNanos * i / clients, intervalNanos);
                cs[i].start();
            }
            at(killAt, "kill b2", () -> backends[1].kill());
            t0EpochMillis = System.currentTimeMillis() - (System.nanoTime() - t0) / MS;
            at(blackholeAt, "blackhole b3", () -> backends[2].blackhole());
            at(restore2At, "restore b2", () -> backends[1].restore());
            at(restore3At, "restore b3", () -> backends[2].restore());
            at(endAt, "end", () -> running = false);
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

    interface Action {
        void run() throws IOException;
    }

    private void at(double offsetS, String what, Action action) throws IOException {
        long when = t0 + (long) (offsetS * 1e9);
        long wait;
        while ((wait = when - System.nanoTime()) > 0) {
            FaultyBackend.sleepMillis(Math.max(1, Math.min(wait / MS, 50)));
        }
        long now = System.nanoTime();
        action.run();
        marks.put(what, now);
        System.err.printf(Locale.ROOT, "failover: T0%+.3fs %s%n", (now - t0) / 1e9, what);
    }

    /** Waits until a GET through the proxy has been answered by each of the three backends. */
    private boolean waitReady(PrintStream out) {
        long deadline = System.nanoTime() + readyTimeoutS * 1_000_000_000L;
        boolean[] seen = new boolean[3];
        Conn c = null;
        while (System.nanoTime() < deadline) {
            try {
                if (c == null) {
                    c = new Conn(proxyHost, proxyPort, 1000);
                }
                Resp r = c.get(proxyHost + ":" + proxyPort, 1000);
                if (r.status == 200 && r.backend > 0) {
                    seen[r.backend - 1] = true;
                }
                if (r.close) {
                    c.close();
                    c = null;
                }
                if (seen[0] && seen[1] && seen[2]) {
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
        out.println("failover: proxy " + proxyHost + ":" + proxyPort + " never reached all three backends within "
                + readyTimeoutS + " s (seen: " + Arrays.toString(seen) + ")");
        return false;
    }

    // ------------------------------------------------------------------------------------------ load

    /** One keep-alive client; its records: start (ns since T0), latency (ns), status or error code, backend. */
    final class Client extends Thread {
        private final long first;
        private final long interval;
        long[] start = new long[8192];
        long[] lat = new long[8192];
        int[] status = new int[8192];
        byte[] backend = new byte[8192];
        int n;

        Client(int i, long first, long interval) {
            super("client-" + i);
            setDaemon(true);
            this.first = first;
            this.interval = interval;
        }

        @Override
        public void run() {
            Conn c = null;
            long next = first;
            String host = proxyHost + ":" + proxyPort;
            while (running) {
                long now = System.nanoTime();
                if (next > now) {
                    java.util.concurrent.locks.LockSupport.parkNanos(next - now);
                    continue;
                }
                next = Math.max(next + interval, now); // closed loop when behind
                long s = System.nanoTime();
                int st;
                int be = 0;
                try {
                    if (c == null) {
                        c = new Conn(proxyHost, proxyPort, (int) timeoutMs);
                    }
                    Resp r = c.get(host, timeoutMs);
                    st = r.status;
                    be = r.backend;
                    if (r.body != null) {
                        reason(s - t0, st, r.body);
                    }
                    if (r.close) {
                        c.close();
                        c = null;
                    }
                } catch (IOException e) {
                    st = classify(e);
                    if (c != null) {
                        c.close();
                    }
                    c = null;
                }
                record(s - t0, System.nanoTime() - s, st, be);
            }
            if (c != null) {
                c.close();
            }
        }

        private void record(long s, long l, int st, int be) {
            if (n == start.length) {
                start = Arrays.copyOf(start, n * 2);
                lat = Arrays.copyOf(lat, n * 2);
                status = Arrays.copyOf(status, n * 2);
                backend = Arrays.copyOf(backend, n * 2);
            }
            start[n] = s;
            lat[n] = l;
            status[n] = st;
            backend[n] = (byte) be;
            n++;
        }
    }

    static int classify(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return E_TIMEOUT;
        }
        if (e instanceof ConnectException) {
            return E_REFUSED;
        }
        if (e instanceof ClosedEarly) {
            return E_CLOSED;
        }
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("reset") || m.contains("broken pipe")) {
            return E_RESET;
        }
        return E_OTHER;
    }

    static String statusName(int st) {
        return switch (st) {
            case E_TIMEOUT -> "timeout";
            case E_CLOSED -> "closed";
            case E_RESET -> "reset";
            case E_REFUSED -> "refused";
            case E_OTHER -> "io-error";
            default -> Integer.toString(st);
        };
    }

    static final class ClosedEarly extends IOException {
        ClosedEarly(String m) {
            super(m);
        }
    }

    record Resp(int status, int backend, boolean close, String body) { }

    /** A minimal blocking HTTP/1.1 client connection (content-length, chunked, or read-to-close bodies). */
    static final class Conn {
        private final Socket s;
        private final InputStream in;
        private final OutputStream out;
        private byte[] buf = new byte[8192];
        private int len;

        Conn(String host, int port, int timeoutMs) throws IOException {
            s = new Socket();
            s.setTcpNoDelay(true);
            try {
                s.connect(new InetSocketAddress(host, port), timeoutMs);
            } catch (IOException e) {
                s.close();
                throw e;
            }
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        Resp get(String hostHeader, long timeoutMs) throws IOException {
            long deadline = System.nanoTime() + timeoutMs * MS;
            out.write(("GET / HTTP/1.1\r\nhost: " + hostHeader + "\r\nuser-agent: meridian-failover\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int end;
            while ((end = FaultyBackend.indexOf(buf, 0, len, CRLF2)) < 0) {
                fill(deadline, len == 0 ? "closed before any response byte" : "closed inside the response head");
            }
            String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
            int bodyStart = end + 4;
            String errorBody = null;
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            int backend = 0;
            long cl = -1;
            boolean chunked = false;
            boolean close = lines[0].startsWith("HTTP/1.0");
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c < 0) {
                    continue;
                }
                String k = lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT);
                String v = lines[i].substring(c + 1).trim();
                switch (k) {
                    case "content-length" -> cl = Long.parseLong(v);
                    case "transfer-encoding" -> chunked = v.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = v.equalsIgnoreCase("close") || (close && !v.equalsIgnoreCase("keep-alive"));
                    case "x-backend" -> backend = v.startsWith("b") ? Integer.parseInt(v.substring(1)) : 0;
                    default -> { }
                }
            }
            consume(bodyStart);
            if (chunked) {
                while (true) {
                    int e;
                    while ((e = FaultyBackend.indexOf(buf, 0, len, CRLF)) < 0) {
                        fill(deadline, "closed inside a chunked body");
                    }
                    String sz = new String(buf, 0, e, StandardCharsets.ISO_8859_1);
                    int semi = sz.indexOf(';');
                    long size = Long.parseLong((semi < 0 ? sz : sz.substring(0, semi)).trim(), 16);
                    consume(e + 2);
                    if (size == 0) {
                        while ((e = FaultyBackend.indexOf(buf, 0, len, CRLF)) != 0) {
                            if (e > 0) {
                                consume(e + 2); // trailer
                            } else {
                                fill(deadline, "closed inside trailers");
                            }
                        }
                        consume(2);
                        break;
                    }
                    skip(size + 2, deadline);
                }
            } else if (cl >= 0) {
                if ((status < 200 || status >= 300) && cl <= 4096) {
                    while (len < cl) {
                        fill(deadline, "closed inside the body");
                    }
                    errorBody = new String(buf, 0, (int) cl, StandardCharsets.UTF_8);
                    consume((int) cl);
                } else {
                    skip(cl, deadline);
                }
            } else if (status != 204 && status != 304) {
                close = true; // read to close
                try {
                    while (true) {
                        len = 0;
                        fill(deadline, "eof");
                    }
                } catch (ClosedEarly eof) {
                    // end of body
                }
            }
            return new Resp(status, backend, close, errorBody);
        }

        private void skip(long n, long deadline) throws IOException {
            while (n > 0) {
                if (len == 0) {
                    fill(deadline, "closed inside the body");
                }
                int k = (int) Math.min(n, len);
                consume(k);
                n -= k;
            }
        }

        private void consume(int k) {
            System.arraycopy(buf, k, buf, 0, len - k);
            len -= k;
        }

        private void fill(long deadline, String what) throws IOException {
            long left = (deadline - System.nanoTime()) / MS;
            if (left <= 0) {
                throw new SocketTimeoutException("client timeout");
            }
            s.setSoTimeout((int) Math.max(1, left));
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int r = in.read(buf, len, buf.length - len);
            if (r < 0) {
                throw new ClosedEarly(what);
            }
            len += r;
        }

        void close() {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        private static final byte[] CRLF2 = {'\r', '\n', '\r', '\n'};
        private static final byte[] CRLF = {'\r', '\n'};
    }

    // ------------------------------------------------------------------------------------------ report

    record Req(long start, long lat, int status, int backend) {
        boolean error() {
            return status < 200 || status >= 300;
        }
    }

    private static String phaseOf(long startNanos) {
        double s = startNanos / 1e9;
        if (s < 0) return "warm";
        if (s < 3) return "kill";
        if (s < 6) return "blackhole";
        if (s < 9) return "restore-b2";
        return "restore-b3";
    }

    private void report(PrintStream out, Client[] cs) throws IOException {
        List<Req> all = new ArrayList<>();
        for (Client c : cs) {
            for (int i = 0; i < c.n; i++) {
                all.add(new Req(c.start[i], c.lat[i], c.status[i], c.backend[i]));
            }
        }
        all.sort((a, b) -> Long.compare(a.start, b.start));
        if (csv != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
                w.println("start_ms_from_T0,latency_ms,status,backend");
                for (Req r : all) {
                    w.printf(Locale.ROOT, "%.3f,%.3f,%s,%d%n", r.start / 1e6, r.lat / 1e6, statusName(r.status), r.backend);
                }
            }
        }
        out.printf(Locale.ROOT, "%n== failover scenario through %s (%s:%d), backends b1..b3 on %s, %d clients, %d req/s "
                        + "offered, client timeout %d ms ==%n", label, proxyHost, proxyPort, Arrays.toString(backendPorts),
                clients, rate, timeoutMs);
        out.printf(Locale.ROOT, "T0 = %d (epoch ms) = kill b2; T0+3 s blackhole b3; T0+6 s restore b2; T0+9 s restore b3;"
                + " end T0+13 s%n", t0EpochMillis);
        for (Map.Entry<String, Long> m : marks.entrySet()) {
            out.printf(Locale.ROOT, "  %-13s at T0%+8.1f ms%n", m.getKey(), (m.getValue() - t0) / 1e6);
        }

        // Timeline, by request start, 100 ms steps, from T0-0.5 s.
        long[] tr2 = backends[1].traffic.snapshot();
        long[] tr3 = backends[2].traffic.snapshot();
        out.printf("%nTimeline (100 ms steps, by request start; b1/b2/b3 = answered by; err = client-visible errors;"
                + " slow = ok but > 300 ms; arr2/arr3 = traffic requests arriving at b2/b3 (incl. tries the proxy later"
                + " abandoned))%n");
        out.println("  t(s)  reqs    b1    b2    b3  err  slow  max_ms  arr2  arr3  event");
        int fromStep = -5;
        int toStep = (int) Math.ceil(endAt * 10);
        int idx = 0;
        while (idx < all.size() && all.get(idx).start < fromStep * 100 * MS) {
            idx++;
        }
        for (int step = fromStep; step < toStep; step++) {
            long lo = step * 100 * MS;
            long hi = lo + 100 * MS;
            int n = 0, e = 0, slow = 0;
            int[] per = new int[4];
            long max = 0;
            while (idx < all.size() && all.get(idx).start < hi) {
                Req r = all.get(idx++);
                n++;
                if (r.error()) {
                    e++;
                } else {
                    per[r.backend]++;
                    if (r.lat > SLOW_NANOS) {
                        slow++;
                    }
                }
                max = Math.max(max, r.lat);
            }
            String ev = "";
            for (Map.Entry<String, Long> m : marks.entrySet()) {
                long mt = m.getValue() - t0;
                if (mt >= lo && mt < hi && !m.getKey().equals("end")) {
                    ev = ev.isEmpty() ? m.getKey() : ev + ", " + m.getKey();
                }
            }
            out.printf(Locale.ROOT, "%6.1f %5d %5d %5d %5d %4d %5d %7.1f %5d %5d  %s%n", lo / 1e9, n, per[1], per[2],
                    per[3], e, slow, max / 1e6, count(tr2, t0 + lo, t0 + hi), count(tr3, t0 + lo, t0 + hi), ev);
        }

        // Per phase.
        String[] phases = {"warm", "kill", "blackhole", "restore-b2", "restore-b3"};
        Map<String, List<Req>> byPhase = new LinkedHashMap<>();
        for (String p : phases) {
            byPhase.put(p, new ArrayList<>());
        }
        for (Req r : all) {
            byPhase.get(phaseOf(r.start)).add(r);
        }
        out.printf("%nPer phase (by request start): kill = [T0, T0+3 s), blackhole = [T0+3, T0+6), restore-b2 = [T0+6,"
                + " T0+9), restore-b3 = [T0+9, end)%n");
        out.println("  phase        requests  errors (kinds)                     slow>300ms  p50_ms  p99_ms   max_ms");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("label", label);
        for (String p : phases) {
            List<Req> rs = byPhase.get(p);
            Stats st = Stats.of(rs);
            out.printf(Locale.ROOT, "  %-11s %9d  %-34s %9d  %6.2f  %6.2f  %7.1f%n", p, rs.size(),
                    st.errors + (st.errors > 0 ? " " + st.kinds : ""), st.slow, st.p50 / 1e6, st.p99 / 1e6, st.max / 1e6);
            result.put(p + "_requests", rs.size());
            result.put(p + "_errors", st.errors);
            result.put(p + "_slow", st.slow);
            result.put(p + "_max_ms", round1(st.max / 1e6));
        }
        List<Req> measured = all.stream().filter(r -> r.start >= 0).toList();
        Stats tot = Stats.of(measured);
        out.printf(Locale.ROOT, "  %-11s %9d  %-34s %9d  %6.2f  %6.2f  %7.1f%n", "T0..end", measured.size(),
                tot.errors + (tot.errors > 0 ? " " + tot.kinds : ""), tot.slow, tot.p50 / 1e6, tot.p99 / 1e6,
                tot.max / 1e6);
        result.put("requests", measured.size());
        result.put("errors", tot.errors);
        result.put("slow", tot.slow);
        result.put("p99_ms", round1(tot.p99 / 1e6));
        result.put("max_ms", round1(tot.max / 1e6));
        result.put("error_kinds", tot.kinds.toString());

        // Detection and recovery from the backends' point of view.
        long kill = marks.get("kill b2"), bh = marks.get("blackhole b3");
        long r2 = marks.get("restore b2"), r3 = marks.get("restore b3");
        long[] ck2 = backends[1].checksAnswered.snapshot();
        long[] ck3 = backends[2].checksAnswered.snapshot();
        out.printf("%nDetection and recovery (ms; from the backends' side: arrivals of traffic requests, answers to health"
                + " checks on /health)%n");
        // Blackhole: traffic requests reaching b3 after it went dark are tries that hang until the proxy gives up.
        long lastBh = last(tr3, bh, r3);
        int bhTries = count(tr3, bh, r3);
        out.printf(Locale.ROOT, "  b3 blackholed: %d traffic requests reached it while dark; last one at +%s ms (detection,"
                + " as the last request routed to it)%n", bhTries, lastBh < 0 ? "-" : fmt((lastBh - bh) / 1e6));
        // Killed: nothing reaches it; report the last answer from b2 and the number of errors while it was dead.
        long lastB2 = measured.stream().filter(r -> r.backend == 2 && !r.error()).mapToLong(r -> r.start + r.lat)
                .filter(v -> v >= kill - t0 && v < r2 - t0).max().orElse(Long.MIN_VALUE);
        out.printf(Locale.ROOT, "  b2 killed: refused connects are invisible to a backend; last answer from b2 at %s ms"
                + " after the kill (see the proxy's own events for its detection)%n",
                lastB2 == Long.MIN_VALUE ? "-" : fmt((lastB2 + t0 - kill) / 1e6));
        result.put("b3_blackhole_tries", bhTries);
        result.put("b3_last_traffic_after_blackhole_ms", lastBh < 0 ? null : round1((lastBh - bh) / 1e6));
        recovery(out, result, "b2", r2, tr2, ck2);
        recovery(out, result, "b3", r3, tr3, ck3);

        // The requests that went wrong, with details.
        List<Req> bad = measured.stream().filter(r -> r.error() || r.lat > SLOW_NANOS).toList();
        out.printf("%nFailed or slow (> 300 ms) requests after T0: %d%s%n", bad.size(), bad.size() > 40
                ? " (first 40 listed)" : "");
        for (Req r : bad.subList(0, Math.min(40, bad.size()))) {
            out.printf(Locale.ROOT, "  start T0%+9.1f ms  latency %8.1f ms  %-8s backend %s  [%s]%n", r.start / 1e6,
                    r.lat / 1e6, statusName(r.status), r.backend == 0 ? "-" : "b" + r.backend, phaseOf(r.start));
        }
        if (!reasons.isEmpty()) {
            out.printf("%nError responses by phase, status and body (what the proxy said; digits folded to #):%n");
            synchronized (reasons) {
                for (Map.Entry<String, Integer> e : reasons.entrySet()) {
                    out.printf("  %6d  %s%n", e.getValue(), e.getKey());
                }
            }
        }
        result.put("t0_epoch_ms", t0EpochMillis);
        for (Map.Entry<String, Long> m : marks.entrySet()) {
            result.put("mark_" + m.getKey().replace(' ', '_') + "_epoch_ms",
                    t0EpochMillis + Math.round((m.getValue() - t0) / 1e6));
        }
        out.println();
        out.println("RESULT " + toJson(result));
    }

    private void recovery(PrintStream out, Map<String, Object> result, String name, long restore, long[] traffic,
                          long[] checks) {
        long firstCheck = first(checks, restore);
        long secondCheck = firstCheck < 0 ? -1 : first(checks, firstCheck + 1);
        long firstTraffic = first(traffic, restore);
        out.printf(Locale.ROOT, "  %s restored: first health check answered +%s ms, second +%s ms, first traffic request"
                        + " +%s ms after the restore (= %s ms after the first check answered, %s ms after the second)%n",
                name, rel(firstCheck, restore), rel(secondCheck, restore), rel(firstTraffic, restore),
                firstTraffic < 0 || firstCheck < 0 ? "-" : fmt((firstTraffic - firstCheck) / 1e6),
                firstTraffic < 0 || secondCheck < 0 ? "-" : fmt((firstTraffic - secondCheck) / 1e6));
        result.put(name + "_first_traffic_after_restore_ms", firstTraffic < 0 ? null : round1((firstTraffic - restore) / 1e6));
        result.put(name + "_first_check_after_restore_ms", firstCheck < 0 ? null : round1((firstCheck - restore) / 1e6));
        result.put(name + "_traffic_after_first_check_ms",
                firstTraffic < 0 || firstCheck < 0 ? null : round1((firstTraffic - firstCheck) / 1e6));
    }

    private static String rel(long t, long base) {
        return t < 0 ? "-" : fmt((t - base) / 1e6);
    }

    private static String fmt(double ms) {
        return String.format(Locale.ROOT, "%.1f", ms);
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static int count(long[] sorted, long lo, long hi) {
        int a = lowerBound(sorted, lo);
        int b = lowerBound(sorted, hi);
        return b - a;
    }

    static long first(long[] sorted, long from) {
        int i = lowerBound(sorted, from);
        return i < sorted.length ? sorted[i] : -1;
    }

    static long last(long[] sorted, long lo, long hi) {
        int b = lowerBound(sorted, hi);
        return b > 0 && sorted[b - 1] >= lo ? sorted[b - 1] : -1;
    }

    static int lowerBound(long[] a, long v) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (a[m] < v) lo = m + 1; else hi = m;
        }
        return lo;
    }

    static final class Stats {
        int errors, slow;
        long p50, p99, max;
        Map<String, Integer> kinds = new LinkedHashMap<>();

        static Stats of(List<Req> rs) {
            Stats s = new Stats();
            long[] lat = new long[rs.size()];
            int i = 0;
            for (Req r : rs) {
                lat[i++] = r.lat;
                if (r.error()) {
                    s.errors++;
                    s.kinds.merge(statusName(r.status), 1, Integer::sum);
                } else if (r.lat > SLOW_NANOS) {
                    s.slow++;
                }
                s.max = Math.max(s.max, r.lat);
            }
            Arrays.sort(lat);
            if (lat.length > 0) {
                s.p50 = lat[Math.min(lat.length - 1, (int) (lat.length * 0.50))];
                s.p99 = lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))];
            }
            return s;
        }
    }

    static String toJson(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null) {
                b.append("null");
            } else if (v instanceof Number) {
                b.append(v);
            } else {
                b.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return b.append('}').toString();
    }
}
