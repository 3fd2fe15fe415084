package dev.meridian.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = MeridianCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shippedExamplesAreValid() {
        assertThat(run("validate", "../examples/three-regions.yaml")).isZero();
        assertThat(out.toString()).startsWith("../examples/three-regions.yaml: valid (");
        assertThat(run("validate", "../examples/minimal.yaml")).isZero();
    }

    @Test
    void everyProblemIsPrintedWithItsPositionAndExitIsOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listeners:
                  - address: 127.0.0.1
                    port: 99999
                regions:
                  - {name: r, jurisdiction: US, latitude: 0, longitude: 0}
                clusters:
                  - name: c
                    endpoints:
                      - {id: e, address: "127.0.0.1:1", region: nowhere}
                routes:
                  - cluster: missing
                """);
        assertThat(run("validate", file.toString())).isEqualTo(1);
        String[] lines = err.toString().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith(file + ":3:11: ");
        assertThat(lines[1]).startsWith(file + ":9:49: ").contains("nowhere");
        assertThat(lines[2]).startsWith(file + ":11:14: ").contains("missing");
        assertThat(lines[3]).isEqualTo("3 problem(s) found in " + file);
    }

    @Test
    void runRefusesAnInvalidConfig(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "listeners: 5\n");
        assertThat(run("run", "-c", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("meridian: not started:");
    }

    @Test
    void aCommandIsRequired() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("a command is needed");
    }
}
