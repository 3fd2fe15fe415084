package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigLoader;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.Chromium;
import dev.meridian.testing.LoadDriver;
import dev.meridian.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium against a live three-region proxy under light load: it shows every
 * endpoint, and a drain clicked on the page (the operator token typed into its prompt) drains that endpoint, on the
 * page and in {@code /endpoints}. Leaves screenshots at target/dashboard.png and dashboard-dark.png. Skipped where no Chromium is installed,
 * except in CI, which installs one and must run this.
 */
class DashboardBrowserTest {
    private static final String TOKEN = "dashboard-operator-0123456789";

    @TempDir
    Path profile;

    private final TestBackend[] backends = new TestBackend[3];
    private MeridianServer proxy;
    private Chromium browser;

    @BeforeEach
    void start() throws Exception {
        Optional<Path> chromium = Chromium.find();
        if (chromium.isEmpty() && System.getenv("CI") != null) {
            throw new AssertionError("CI must run the dashboard's browser test, and no chromium is on the PATH"
                    + " (.ci/run installs Debian's chromium; or set CHROMIUM to a binary)");
        }
        Assumptions.assumeTrue(chromium.isPresent(), "no chromium on the PATH (or CHROMIUM): browser test skipped");
        String[] names = {"us-east-1", "eu-west-1", "ap-southeast-1"};
        for (int i = 0; i < names.length; i++) {
            backends[i] = TestBackend.start(names[i]);
        }
        proxy = MeridianServer.start(ConfigLoader.parse("dashboard.yaml", """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin:
                  address: 127.0.0.1
                  port: 0
                  tokens: [{name: ci, role: operator, token: %s}]
                regions:
                  - {name: us-east, jurisdiction: US, latitude: 39.0, longitude: -77.5}
                  - {name: eu-west, jurisdiction: EU, latitude: 53.3, longitude: -6.3}
                  - {name: ap-southeast, jurisdiction: SG, latitude: 1.35, longitude: 103.8}
                clusters:
                  - name: app
                    health_check: {path: /health, interval: 200ms, timeout: 1s}
                    endpoints:
                      - {id: us-east-1, address: %s, region: us-east}
                      - {id: eu-west-1, address: %s, region: eu-west}
                      - {id: ap-southeast-1, address: %s, region: ap-southeast}
                routes: [{name: all, cluster: app}]
                """.formatted(TOKEN, backends[0].address(), backends[1].address(), backends[2].address())).orThrow(), 1);
        browser = Chromium.launch(chromium.get(), profile, 1440, 1000);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        for (TestBackend b : backends) {
            if (b != null) {
                b.close();
            }
        }
    }

    @Test
    void showsTheEndpointsAndDrainsOneOnAClick() throws Exception {
        AdminClient admin = new AdminClient(proxy.admin().address());
        try (LoadDriver load = LoadDriver.start(proxy.address(), 2, "/delay/20", 60)) {
            browser.navigate("http://127.0.0.1:" + proxy.admin().address().getPort() + "/");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(browser.eval(
                    "[...document.querySelectorAll('#endpoints tr')].map(r => r.dataset.id).join(' ')").asText())
                    .isEqualTo("us-east-1 eu-west-1 ap-southeast-1"));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(statusOnPage("eu-west-1")).isEqualTo("healthy");
                assertThat(browser.eval("document.querySelectorAll('#regions .region.s-healthy').length").asInt())
                        .isEqualTo(3);
            });

            browser.click("tr[data-id='eu-west-1'] button[data-action='drain']");
            await().atMost(Duration.ofSeconds(5)).until(() -> browser.eval("document.getElementById('ask').open")
                    .asBoolean());
            browser.type(TOKEN);
            browser.click("#ask-ok");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(statusOnPage("eu-west-1")).isIn("draining", "drained");
                assertThat(browser.eval("document.querySelector(\"tr[data-id='eu-west-1'] button[data-action]\")"
                        + ".dataset.action").asText()).isEqualTo("undrain");
            });
            JsonNode drained = endpoint(admin, "eu-west-1");
            assertThat(drained.get("admin_state").asText()).isEqualTo("draining");
            assertThat(drained.get("status").asText()).isIn("draining", "drained");
            assertThat(endpoint(admin, "us-east-1").get("admin_state").asText()).isEqualTo("active");
            assertThat(browser.eval("sessionStorage.token").asText()).isEqualTo(TOKEN);

            // A few seconds of history make the chart worth looking at in the screenshot.
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.eval(
                    "document.querySelector('#rps polyline').getAttribute('points').split(' ').length").asInt() >= 4);
            browser.eval("window.scrollTo(0, 0)");
            Path shot = Path.of("target", "dashboard.png");
            browser.screenshot(shot);
            assertThat(Files.size(shot)).isGreaterThan(10_000);
            browser.send("Emulation.setEmulatedMedia", Map.of("features",
                    List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
            browser.screenshot(Path.of("target", "dashboard-dark.png"));
            assertThat(load.failures()).isEmpty();
        }
        assertThat(browser.exceptions()).isEmpty();
    }

    private String statusOnPage(String id) {
        return browser.eval("document.querySelector(\"tr[data-id='" + id + "'] .status\")?.textContent ?? ''")
                .asText().strip();
    }

    private static JsonNode endpoint(AdminClient admin, String id) {
        for (JsonNode e : admin.get("/endpoints").json()) {
            if (e.get("id").asText().equals(id)) {
                return e;
            }
        }
        throw new AssertionError("no endpoint " + id + " in /endpoints");
    }
}
