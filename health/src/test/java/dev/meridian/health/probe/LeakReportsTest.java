package dev.meridian.health.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The leak guard of these tests is only worth something if it sees a real leak. */
@ExtendWith(LeakReports.class)
class LeakReportsTest {

    @Test
    void seesABufferThatWasNeverReleased() {
        leakOne();
        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            seen.addAll(LeakReports.takeReports());
            return !seen.isEmpty();
        });
        assertThat(seen).allMatch(s -> s.contains("LEAK"));
    }

    private static void leakOne() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(32);
        leaked.writeInt(42);
    }
}
