package dev.meridian.proxy.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.AccessLogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The swap itself, without a proxy: holds, retirement, and what a file that cannot be opened does. */
class AccessLogSwitchTest {
    @TempDir
    Path dir;

    private final LongAdder dropped = new LongAdder();
    private final LongAdder writeErrors = new LongAdder();
    private final AccessLogSwitch logs = new AccessLogSwitch(dropped, writeErrors);

    @AfterEach
    void close() {
        logs.close(Duration.ofSeconds(2));
    }

    private static AccessLogConfig file(Path path) {
        return new AccessLogConfig(true, path.toString(), 100L << 20, 5, 1 << 16);
    }

    private static AccessLogEntry entry(String uri) {
        return new AccessLogEntry(0L, "127.0.0.1", "GET", "h", uri, 200, 1, 2, 1_000L, "a", "local", 1,
                "weighted", null, null);
    }

    private static long lines(Path path) throws IOException {
        return Files.exists(path) ? Files.readAllLines(path, UTF_8).size() : 0;
    }

    @Test
    void aRetiredLogWaitsForTheExchangeThatHoldsItThenWritesItsLineAndCloses() throws Exception {
        Path a = dir.resolve("a.log");
        Path b = dir.resolve("b.log");
        logs.start(file(a));
        AccessLog held = logs.acquire();

        logs.swap(logs.prepare(file(b)));
        AccessLog next = logs.acquire();
        assertThat(next).isNotSameAs(held);
        next.offer(entry("/b"));
        next.release();
        assertThat(logs.retiring()).isEqualTo(1);

        held.offer(entry("/a"));
        held.release();
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.retiring() == 0);
        assertThat(Files.readString(a)).contains("\"path\":\"/a\"").doesNotContain("/b");
        await().atMost(Duration.ofSeconds(5)).until(() -> lines(b) == 1);
    }

    @Test
    void theSameSectionKeepsItsLogAndOffToOffChangesNothing() {
        AccessLogConfig a = file(dir.resolve("a.log"));
        logs.start(a);
        AccessLog running = logs.current();
        assertThat(logs.prepare(new AccessLogConfig(true, a.path(), a.maxSize(), a.maxFiles(), a.queue())))
                .isSameAs(running);
        assertThat(logs.prepare(new AccessLogConfig(true, a.path(), a.maxSize() / 2, a.maxFiles(), a.queue())))
                .isNotSameAs(running);

        AccessLogSwitch off = new AccessLogSwitch(dropped, writeErrors);
        off.start(AccessLogConfig.OFF);
        assertThat(off.prepare(new AccessLogConfig(false, a.path(), 1024, 1, 16))).isSameAs(AccessLog.OFF);
    }

    @Test
    void aFileThatCannotBeOpenedIsRefusedAndTheRunningLogStays() throws Exception {
        Path a = dir.resolve("a.log");
        logs.start(file(a));
        AccessLog running = logs.current();
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        Path bad = notADirectory.resolve("access.log");

        assertThatThrownBy(() -> logs.prepare(file(bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot open " + bad)
                .hasMessageContaining(notADirectory + " exists and is not a directory");
        assertThat(logs.current()).isSameAs(running);
        AccessLog log = logs.acquire();
        log.offer(entry("/still"));
        log.release();
        await().atMost(Duration.ofSeconds(5)).until(() -> lines(a) == 1);
    }

    @Test
    void aDiscardedLogIsClosedAndNeverWrites() throws Exception {
        logs.start(file(dir.resolve("a.log")));
        AccessLog prepared = logs.prepare(file(dir.resolve("b.log")));
        logs.discard(prepared);
        assertThat(logs.current()).isNotSameAs(prepared);
        assertThat(logs.retiring()).isZero();
    }

    /**
     * Threads stand in for event loops, each exchange holding the log it began with, while the control thread swaps
     * between four files and off: every entry is a line in one file, or counted as dropped.
     */
    @Test
    void swapsUnderConcurrentExchangesLoseNoEntry() throws Exception {
        List<Path> files = List.of(dir.resolve("0.log"), dir.resolve("1.log"), dir.resolve("2.log"),
                dir.resolve("3.log"));
        logs.start(file(files.get(0)));
        int threads = 3;
        int perThread = 20_000;
        LongAdder offered = new LongAdder();
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread loop = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    AccessLog log = logs.acquire();
                    if (log.enabled()) {
                        log.offer(entry("/x"));
                        offered.increment();
                        log.release();
                    }
                }
            });
            loops.add(loop);
            loop.start();
        }
        int swaps = 0;
        while (swaps < 10 || swaps < 200 && loops.stream().anyMatch(Thread::isAlive)) {
            AccessLogConfig next = swaps % 5 == 4 ? AccessLogConfig.OFF : file(files.get(swaps % files.size()));
            logs.swap(logs.prepare(next));
            swaps++;
        }
        for (Thread loop : loops) {
            loop.join();
        }
        logs.close(Duration.ofSeconds(5));

        long written = 0;
        for (Path f : files) {
            written += lines(f);
        }
        assertThat(offered.sum()).isPositive();
        assertThat(written + dropped.sum()).isEqualTo(offered.sum());
        assertThat(writeErrors.sum()).isZero();
    }
}
