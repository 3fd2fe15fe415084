package dev.meridian.testing;

import dev.meridian.config.ConfigLoader;
import dev.meridian.config.MeridianConfig;

/** YAML configs for tests: a listener on 127.0.0.1:0 and one region, plus what the test adds. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** A config with one cluster "app" over the backends (equal weights) and one catch-all route to it. */
    public static MeridianConfig oneCluster(TestBackend... backends) {
        StringBuilder endpoints = new StringBuilder();
        for (TestBackend b : backends) {
            endpoints.append("      - id: ").append(b.name()).append("\n")
                    .append("        address: ").append(b.address()).append("\n")
                    .append("        region: local\n");
        }
        return parse("""
                clusters:
                  - name: app
                    endpoints:
                %s
                routes:
                  - name: all
                    cluster: app
                    timeouts:
                      connect: 2s
                      response_header: 5s
                      idle: 5s
                """.formatted(endpoints.toString().stripTrailing()));
    }

    /** Parses clusters/routes (and other sections) with the standard listener, admin port and region prepended. */
    public static MeridianConfig parse(String rest) {
        return ConfigLoader.parse("test.yaml", yaml(rest)).orThrow();
    }

    /** The YAML {@link #parse} reads: the admin port on 127.0.0.1:0 too, so parallel runs never share a port. */
    public static String yaml(String rest) {
        return """
                listeners:
                  - address: 127.0.0.1
                    port: 0
                admin:
                  address: 127.0.0.1
                  port: 0
                regions:
                  - name: local
                    jurisdiction: US
                    latitude: 0
                    longitude: 0
                """ + rest;
    }
}
