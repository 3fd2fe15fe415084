package dev.meridian.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talks to an admin port over a real socket, as curl would. */
final class AdminClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One answer: status, body text, and the body as JSON when it is JSON. */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    AdminClient(InetSocketAddress admin, String token) {
        this.base = "http://" + admin.getHostString() + ":" + admin.getPort();
        this.token = token;
    }

    AdminClient(InetSocketAddress admin) {
        this(admin, null);
    }

    AdminClient withToken(String t) {
        return new AdminClient(address(), t);
    }

    private InetSocketAddress address() {
        URI u = URI.create(base);
        return new InetSocketAddress(u.getHost(), u.getPort());
    }

    Answer get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Answer send(HttpRequest.Builder b) {
        b.timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
