package dev.meridian.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Chromium driven over its DevTools protocol with the JDK's own WebSocket client: no driver binary, no
 * browser download, only the system's {@code chromium}. Enough of the protocol for a page test: navigate, evaluate,
 * click and type as a user would (real input events), and take a screenshot.
 */
public final class Chromium implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Inbox inbox;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();

    private Chromium(Process process, Inbox inbox, WebSocket socket) {
        this.process = process;
        this.inbox = inbox;
        this.socket = socket;
    }

    /** The browser to run: $CHROMIUM, else the first of the usual names on the PATH. */
    public static Optional<Path> find() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env));
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
                .flatMap(name -> Stream.of(path.split(java.io.File.pathSeparator)).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Starts the browser headless with a fresh profile in {@code profile} and attaches to its one tab. */
    public static Chromium launch(Path binary, Path profile, int width, int height) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--headless=new", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height, "--hide-scrollbars",
                // Root in a CI container has no user namespace for the sandbox; the page is our own, on loopback.
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "about:blank"));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            URI browser = URI.create(listeningAddress(process));
            String page = pageSocket(browser);
            Inbox inbox = new Inbox();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                    .buildAsync(URI.create(page), inbox).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Chromium c = new Chromium(process, inbox, ws);
            c.send("Page.enable", Map.of());
            c.send("Runtime.enable", Map.of());
            return c;
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Uncaught script exceptions the page threw so far, as the protocol reports them. */
    public List<JsonNode> exceptions() {
        return List.copyOf(inbox.exceptions);
    }

    private static String listeningAddress(Process process) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found.complete(m.group(1));
                    } else if (!found.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
                found.completeExceptionally(new IOException("chromium exited before it listened:\n" + seen));
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            return found.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("chromium did not open its DevTools port within " + TIMEOUT.toSeconds() + " s:\n"
                    + seen, e);
        }
    }

    /** The WebSocket address of the browser's first tab, from the HTTP side of its DevTools port. */
    private static String pageSocket(URI browser) throws Exception {
        URI list = URI.create("http://" + browser.getAuthority() + "/json/list");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(list).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : MAPPER.readTree(r.body())) {
            if ("page".equals(target.path("type").asText())) {
                return target.get("webSocketDebuggerUrl").asText();
            }
        }
        throw new IOException("chromium has no page target: " + r.body());
    }

    /** Sends one command and waits for its result; a protocol error fails the test with the browser's message. */
    public JsonNode send(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        inbox.pending.put(id, answer);
        ObjectNode message = MAPPER.createObjectNode().put("id", id).put("method", method);
        message.set("params", MAPPER.valueToTree(params));
        socket.sendText(message.toString(), true);
        try {
            JsonNode r = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new AssertionError(method + " failed: " + r.get("error"));
            }
            return r.get("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(method + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(method + " got no answer within " + TIMEOUT.toSeconds() + " s", e);
        } finally {
            inbox.pending.remove(id);
        }
    }

    public void navigate(String url) {
        JsonNode r = send("Page.navigate", Map.of("url", url));
        if (r.hasNonNull("errorText")) {
            throw new AssertionError("could not load " + url + ": " + r.get("errorText").asText());
        }
    }

    /** Evaluates a script expression in the page and returns its value (promises awaited). */
    public JsonNode eval(String expression) {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("script failed: " + expression + "\n" + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Clicks the middle of the first element the CSS selector matches, with real mouse events. */
    public void click(String selector) {
        JsonNode box = eval("(() => { const e = document.querySelector(" + MAPPER.valueToTree(selector)
                + "); if (!e) return null; e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        if (box.isNull() || box.isMissingNode()) {
            throw new AssertionError("nothing on the page matches " + selector);
        }
        double x = box.get("x").asDouble();
        double y = box.get("y").asDouble();
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            send("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left",
                    "clickCount", type.equals("mouseMoved") ? 0 : 1));
        }
    }

    /** Types text into whatever has the focus, as one input event (what a paste does). */
    public void type(String text) {
        send("Input.insertText", Map.of("text", text));
    }

    /** Writes a PNG of the viewport. */
    public void screenshot(Path file) throws IOException {
        String data = send("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    /**
     * Ends the browser and every process it started (zygote, renderer, GPU, utility), and waits for them: a renderer
     * left to die on its own would still take CPU from the tests that run next.
     */
    @Override
    public void close() throws InterruptedException {
        socket.abort();
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
            }
        }
    }

    /** What the browser sends: answers to commands by id, and the events this driver keeps. */
    private static final class Inbox implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final List<JsonNode> exceptions = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                dispatch(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void dispatch(String text) {
            try {
                JsonNode message = MAPPER.readTree(text);
                if (message.has("id")) {
                    CompletableFuture<JsonNode> f = pending.get(message.get("id").asInt());
                    if (f != null) {
                        f.complete(message);
                    }
                } else if ("Runtime.exceptionThrown".equals(message.path("method").asText())) {
                    exceptions.add(message.get("params"));
                }
            } catch (IOException e) {
                throw new IllegalStateException("DevTools sent something that is not JSON: " + text, e);
            }
        }
    }
}
