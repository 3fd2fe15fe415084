package dev.meridian.proxy.demo;

import dev.meridian.config.ConfigLoader;
import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.proxy.server.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three region backends on loopback and the proxy in front of them, on the bundled config.
 */
public final class Demo implements AutoCloseable {
    private static final String CONFIG_RESOURCE = "demo.yaml";

    private final EventLoopGroup backendGroup;
    private final List<DemoBackend> backends;
    private final MeridianServer server;

    private Demo(EventLoopGroup backendGroup, List<DemoBackend> backends, MeridianServer server) {
        this.backendGroup = backendGroup;
        this.backends = backends;
        this.server = server;
    }

    /**
     * @param proxyPort the proxy's port on 127.0.0.1; 0 for an ephemeral one
     * @param adminPort the admin port's (and dashboard's) on 127.0.0.1; 0 for an ephemeral one
     * @throws dev.meridian.proxy.server.BindFailure when either port is taken; nothing stays open then
     */
    public static Demo start(int proxyPort, int adminPort) throws InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "demo-backends");
        List<DemoBackend> backends = new ArrayList<>();
        try {
            backends.add(DemoBackend.start(group, transport.serverChannel(), "us-east", "us-east-1"));
            backends.add(DemoBackend.start(group, transport.serverChannel(), "eu-west", "eu-west-1"));
            backends.add(DemoBackend.start(group, transport.serverChannel(), "ap-southeast", "ap-southeast-1"));
            MeridianConfig config = config(proxyPort, adminPort, Map.of("US_EAST_PORT", backends.get(0).port(),
                    "EU_WEST_PORT", backends.get(1).port(), "AP_SOUTHEAST_PORT", backends.get(2).port()));
            MeridianServer server = MeridianServer.start(config);
            return new Demo(group, List.copyOf(backends), server);
        } catch (InterruptedException | RuntimeException e) {
            // Closed before the loop stops, which may not close them itself: the demo is often retried at once.
            for (DemoBackend b : backends) {
                b.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw e;
        }
    }

    static MeridianConfig config(int proxyPort, int adminPort, Map<String, Integer> backendPorts) {
        String yaml = template().replace("${PROXY_PORT}", Integer.toString(proxyPort))
                .replace("${ADMIN_PORT}", Integer.toString(adminPort));
        for (Map.Entry<String, Integer> e : backendPorts.entrySet()) {
            yaml = yaml.replace("${" + e.getKey() + "}", e.getValue().toString());
        }
        return ConfigLoader.parse("<embedded demo config>", yaml).orThrow();
    }

    static String template() {
        try (InputStream in = Demo.class.getResourceAsStream(CONFIG_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("demo config missing from the jar: " + CONFIG_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public MeridianServer server() {
        return server;
    }

    public List<DemoBackend> backends() {
        return backends;
    }

    /** What to tell the person who started the demo. */
    public String instructions() {
        String base = "http://127.0.0.1:" + server.address().getPort();
        StringBuilder sb = new StringBuilder();
        sb.append("Meridian demo is running.\n\n");
        String admin = "http://127.0.0.1:" + server.admin().address().getPort();
        sb.append("  proxy      ").append(base).append("/\n");
        sb.append("  dashboard  ").append(admin).append("/  (the admin port)\n");
        for (DemoBackend b : backends) {
            sb.append("  backend    ").append(String.format("%-13s", b.region())).append("127.0.0.1:")
                    .append(b.port()).append("  (endpoint ").append(b.endpointId()).append(")\n");
        }
        sb.append("\nTry:\n");
        sb.append("  curl -s ").append(base).append("/hello\n");
        sb.append("      -> \"served by region us-east (endpoint us-east-1) for GET /hello\"; repeat it: the regions\n");
        sb.append("         take turns by weight, 50% us-east, 30% eu-west, 20% ap-southeast, interleaved\n");
        sb.append("  for i in $(seq 10); do curl -s ").append(base).append("/; done\n");
        sb.append("  curl -s ").append(base).append("/eu/profile\n");
        sb.append("      -> always eu-west: the route 'eu-data' pins /eu/ to the EU cluster\n");
        sb.append("  curl -si ").append(base).append("/ | grep -i -e via -e x-served\n");
        sb.append("      -> the Via header Meridian adds, and the region that answered\n");
        sb.append("  curl -s ").append(admin).append("/endpoints\n");
        sb.append("      -> the admin port: each endpoint's status, weights, rps, p50/p99 (also /status, /events,\n");
        sb.append("         /explain?path=/eu/x, /simulate?fail=us-east, /metrics)\n");
        sb.append("\nPress Ctrl-C to stop.\n");
        return sb.toString();
    }

    @Override
    public void close() {
        server.close();
        for (DemoBackend b : backends) {
            b.close();
        }
        backendGroup.shutdownGracefully(10, 1000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
