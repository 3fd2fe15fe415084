package dev.meridian.proxy.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileSinkTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong();

    @Test
    void rotatesBeforeALineWouldPassTheSizeAndKeepsMaxFiles() throws IOException {
        Path log = dir.resolve("access.log");
        RotatingFileSink sink = new RotatingFileSink(log, 20, 3, clock::get);
        for (int i = 0; i < 6; i++) {
            assertThat(sink.write(("line-" + i + "-----\n").getBytes(UTF_8))).isTrue();  // 12 bytes: one per file
        }
        sink.close();

        assertThat(Files.readString(log)).isEqualTo("line-5-----\n");
        assertThat(Files.readString(dir.resolve("access.log.1"))).isEqualTo("line-4-----\n");
        assertThat(Files.readString(dir.resolve("access.log.2"))).isEqualTo("line-3-----\n");
        assertThat(dir.resolve("access.log.3")).doesNotExist();
    }

    @Test
    void linesThatFitShareAFileAndAnExistingFileIsAppendedTo() throws IOException {
        Path log = dir.resolve("access.log");
        Files.writeString(log, "old\n");
        RotatingFileSink sink = new RotatingFileSink(log, 12, 2, clock::get);
        sink.write("ab\n".getBytes(UTF_8));
        sink.write("cd\n".getBytes(UTF_8));
        sink.write("ef\n".getBytes(UTF_8));  // 4 + 3 + 3 + 3 = 13 > 12: a new file
        sink.close();

        assertThat(Files.readString(dir.resolve("access.log.1"))).isEqualTo("old\nab\ncd\n");
        assertThat(Files.readString(log)).isEqualTo("ef\n");
    }

    @Test
    void oneFileIsTruncatedAtRotation() throws IOException {
        Path log = dir.resolve("access.log");
        RotatingFileSink sink = new RotatingFileSink(log, 5, 1, clock::get);
        sink.write("1234\n".getBytes(UTF_8));
        sink.write("5678\n".getBytes(UTF_8));
        sink.close();

        assertThat(Files.readString(log)).isEqualTo("5678\n");
        assertThat(dir.resolve("access.log.1")).doesNotExist();
    }

    @Test
    void anUnwritableDirectoryIsTriedAgainOncePerSecond() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        RotatingFileSink sink = new RotatingFileSink(notADirectory.resolve("access.log"), 100, 2, clock::get);

        assertThatThrownBy(() -> sink.write("a\n".getBytes(UTF_8))).isInstanceOf(IOException.class);
        assertThat(sink.failing()).isTrue();
        assertThat(sink.write("b\n".getBytes(UTF_8))).isFalse();  // refused without touching the disk
        clock.addAndGet(RotatingFileSink.RETRY_NANOS);
        assertThatThrownBy(() -> sink.write("c\n".getBytes(UTF_8))).isInstanceOf(IOException.class);
    }
}
