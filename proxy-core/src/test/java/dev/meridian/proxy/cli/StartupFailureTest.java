package dev.meridian.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ConfigLoader;
import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.demo.Demo;
import dev.meridian.proxy.server.BindFailure;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.proxy.server.Transport;
import dev.meridian.testing.FileDescriptors;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A start that cannot happen says why in one line on stderr and exits 1, without a stack trace or a leak. */
class StartupFailureTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    /** Ports the test holds so that Meridian finds them taken. */
    private final List<ServerSocket> held = new ArrayList<>();

    @AfterEach
    void release() throws IOException {
        for (ServerSocket s : held) {
            s.close();
        }
    }

    private int run(String... args) {
        CommandLine cli = MeridianCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private List<String> errLines() {
        String text = err.toString();
        return text.isEmpty() ? List.of() : List.of(text.split("\\R"));
    }

    private int busyPort() throws IOException {
        ServerSocket s = new ServerSocket();
        held.add(s);
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return s.getLocalPort();
    }

    /** A port free a moment ago: to check afterwards that a failed start gave it back. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Path config(int firstListener, int secondListener, int admin) throws IOException {
        Path file = dir.resolve("meridian.yaml");
        Files.writeString(file, """
                listeners:
                  - {name: first, address: 127.0.0.1, port: %d}
                  - {name: second, address: 127.0.0.1, port: %d}
                admin: {address: 127.0.0.1, port: %d}
                regions: [{name: local, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - name: app
                    endpoints:
                      - {id: e, address: "127.0.0.1:1", region: local}
                routes: [{name: all, cluster: app}]
                """.formatted(firstListener, secondListener, admin));
        return file;
    }

    @Test
    void runOnATakenPortSaysWhichInOneLineAndGivesBackTheOneItHadBound() throws Exception {
        int busy = busyPort();
        int first = freePort();
        Path file = config(first, busy, 0);

        assertThat(run("run", "-c", file.toString())).isEqualTo(1);

        assertThat(errLines()).singleElement().asString()
                .startsWith("meridian: cannot listen on 127.0.0.1:" + busy + " for listener 'second': ")
                .contains("address already in use", "another process listens there", "(0: any free port)");
        assertThat(bindable(first)).as("the first listener's port, bound before the second failed").isTrue();
    }

    @Test
    void runWithTheAdminPortTakenSaysSoAndClosesTheProxy() throws Exception {
        int busy = busyPort();
        int first = freePort();
        int second = freePort();
        Path file = config(first, second, busy);

        assertThat(run("run", "-c", file.toString())).isEqualTo(1);

        assertThat(errLines()).singleElement().asString()
                .startsWith("meridian: cannot listen on 127.0.0.1:" + busy + " for the admin port: ")
                .contains("admin.port");
        assertThat(bindable(first)).isTrue();
        assertThat(bindable(second)).isTrue();
    }

    @Test
    void aFailedStartLeavesNoDescriptorOpen() throws Exception {
        int busy = busyPort();
        MeridianConfig config = ConfigLoader.load(config(0, busy, 0)).orThrow();
        // The first start in this JVM loads what stays loaded (the native transport, its classes): not a leak.
        assertThatThrownBy(() -> MeridianServer.start(config, 2)).isInstanceOf(BindFailure.class);
        if (FileDescriptors.available()) {
            Map<String, Integer> before = FileDescriptors.releasable();
            assertThatThrownBy(() -> MeridianServer.start(config, 2)).isInstanceOf(BindFailure.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(FileDescriptors.grownSince(before)).isEmpty());
        }
    }

    @Test
    void everyTransportsBindErrorIsRecognised() throws Exception {
        int busy = busyPort();
        MeridianConfig config = ConfigLoader.load(config(0, busy, 0)).orThrow();
        List<Transport> transports = new ArrayList<>(List.of(Transport.NIO));
        if (Epoll.isAvailable()) {
            transports.add(Transport.EPOLL);
        }
        for (Transport t : transports) {
            assertThatThrownBy(() -> MeridianServer.start(config, 1, t)).as(t.name())
                    .isInstanceOfSatisfying(BindFailure.class, f -> assertThat(f.port()).isEqualTo(busy))
                    .hasMessageContaining("127.0.0.1:" + busy + " for listener 'second': address already in use");
        }
    }

    @Test
    void aMissingConfigFileIsOneLine() {
        Path missing = dir.resolve("nowhere.yaml");

        assertThat(run("run", "-c", missing.toString())).isEqualTo(1);

        assertThat(errLines()).singleElement().asString()
                .startsWith("meridian: not started: " + missing + ":")
                .contains("no such file", "check the path");
    }

    @Test
    void demoWithATakenAdminPortGivenExplicitlyFailsNamingTheFlag() throws Exception {
        int busy = busyPort();

        assertThat(run("demo", "--port", "0", "--admin-port", Integer.toString(busy))).isEqualTo(1);

        assertThat(errLines()).singleElement().asString()
                .startsWith("meridian: cannot listen on 127.0.0.1:" + busy + " for the admin port: ")
                .contains("address already in use", "--admin-port");
    }

    @Test
    void demoWithItsDefaultAdminPortTakenMovesItToAFreeOne() throws Exception {
        int busy = busyPort();
        StringWriter said = new StringWriter();

        // What call() does when --admin-port is not given, with a taken port standing for 9901.
        try (Demo demo = DemoCommand.start(0, busy, false, new PrintWriter(said))) {
            int admin = demo.server().admin().address().getPort();
            assertThat(admin).isNotEqualTo(busy).isPositive();
            assertThat(said.toString()).contains("Port " + busy + " is busy; using any free port for the admin port");
            assertThat(demo.instructions()).contains("dashboard  http://127.0.0.1:" + admin + "/");
        }
    }

    @Test
    void demoAdminPortDefaultsToTheAdminPortOfEveryMeridian() {
        CommandLine demo = MeridianCommand.commandLine().getSubcommands().get("demo");
        assertThat(demo.getCommandSpec().findOption(DemoCommand.ADMIN_PORT_FLAG).defaultValue())
                .isEqualTo(Integer.toString(AdminConfig.DEFAULT.port()));
    }

    @Test
    void badFlagValuesKeepTheUsageMessageAndExitNonZero() {
        assertThat(run("demo", "--admin-port", "70000")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Invalid value for option '--admin-port': 70000 is not a port")
                .contains("Usage: meridian demo");

        err.getBuffer().setLength(0);
        assertThat(run("run", "-c", "x.yaml", "--io-threads", "0")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Invalid value for option '--io-threads'").contains("Usage:");
    }

    @Test
    void theStackTraceIsThereWhenAskedFor() throws Exception {
        int busy = busyPort();
        System.setProperty(StartupFailureHandler.STACKTRACE_PROPERTY, "true");
        try {
            assertThat(run("demo", "--port", "0", "--admin-port", Integer.toString(busy))).isEqualTo(1);
        } finally {
            System.clearProperty(StartupFailureHandler.STACKTRACE_PROPERTY);
        }
        List<String> lines = errLines();
        assertThat(lines).hasSizeGreaterThan(2);
        assertThat(lines.get(0)).contains(BindFailure.class.getName());
        assertThat(lines.get(lines.size() - 1)).startsWith("meridian: cannot listen on 127.0.0.1:" + busy);
    }

    @Test
    void anUnexpectedFailureIsNamedWithTheWayToItsTrace() {
        assertThat(StartupFailureHandler.describe(new NullPointerException("x is null\nat line 2")))
                .isEqualTo("not started: NullPointerException: x is null; at line 2"
                        + " (-Dmeridian.stacktrace=true, e.g. in MERIDIAN_JAVA_OPTS, prints the stack trace)");
    }
}
