package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard page as HTTP serves it: one self-contained HTML document, on / and /dashboard. */
class DashboardPageTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private TestBackend a;
    private MeridianServer proxy;
    private String base;

    @BeforeEach
    void start() throws Exception {
        a = TestBackend.start("a");
        proxy = MeridianServer.start(TestConfigs.oneCluster(a), 1);
        base = "http://127.0.0.1:" + proxy.admin().address().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        a.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesOneSelfContainedPageOnRootAndDashboard() throws Exception {
        HttpResponse<String> root = send("GET", "/");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(root.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(root.body()).startsWith("<!doctype html>").contains("<svg", "/endpoints").doesNotContain(
                "<script src", "<link", "@import", "url(http", "src=\"http", "href=\"http");
        assertThat(send("GET", "/dashboard").body()).isEqualTo(root.body());
    }

    @Test
    void headAnswersWithoutABodyAndOtherMethodsAreRefused() throws Exception {
        HttpResponse<String> head = send("HEAD", "/dashboard");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> post = send("POST", "/");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.body()).contains("takes GET");
    }
}
