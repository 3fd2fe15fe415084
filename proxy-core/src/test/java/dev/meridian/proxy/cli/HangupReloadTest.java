package dev.meridian.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meridian.config.ConfigLoader;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP reloads the config file, through the admin worker like every other reload. */
class HangupReloadTest {
    @TempDir
    Path dir;

    private static String config(TestBackend... backends) {
        StringBuilder endpoints = new StringBuilder();
        for (TestBackend t : backends) {
            endpoints.append("      - {id: ").append(t.name()).append(", address: ").append(t.address())
                    .append(", region: local}\n");
        }
        return """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin: {port: 0}
                regions: [{name: local, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - name: app
                    endpoints:
                %sroutes: [{name: all, cluster: app}]
                """.formatted(endpoints);
    }

    @Test
    void aHangupSignalReloadsTheFile() throws Exception {
        Path file = dir.resolve("meridian.yaml");
        try (TestBackend a = TestBackend.start("a"); TestBackend b = TestBackend.start("b")) {
            Files.writeString(file, config(a));
            try (MeridianServer proxy = MeridianServer.start(ConfigLoader.load(file).orThrow(), 1)) {
                HangupReload hangup = HangupReload.install(proxy.admin());
                // Without a handler of ours, SIGHUP would end the test JVM: raise it only when installed.
                assumeTrue(hangup != null, "SIGHUP cannot be handled on this platform");
                try {
                    Files.writeString(file, config(a, b));
                    Signal.raise(new Signal("HUP"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.admin().lastReload() != null);
                    assertThat(proxy.admin().lastReload().ok()).isTrue();
                    assertThat(proxy.admin().lastReload().trigger()).isEqualTo("sighup");
                    assertThat(proxy.routing().current().endpoint("b")).isNotNull();

                    Files.writeString(file, "clusters: [");
                    assertThat(HangupReload.onHangup(proxy.admin()).get().ok()).isFalse();
                    assertThat(proxy.routing().current().endpoint("b")).isNotNull();
                    assertThat(proxy.stats().reloadsFailed.sum()).isEqualTo(1);
                } finally {
                    hangup.close();
                }
            }
        }
    }

    @Test
    void aSignalIgnoredSinceStartCountsAsNotInstalled() {
        assertThat(HangupReload.installed(SignalHandler.SIG_IGN)).isFalse();
        assertThat(HangupReload.installed(SignalHandler.SIG_DFL)).isTrue();
    }
}
