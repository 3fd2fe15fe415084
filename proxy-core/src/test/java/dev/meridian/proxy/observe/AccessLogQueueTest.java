package dev.meridian.proxy.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;
import org.junit.jupiter.api.Test;

class AccessLogQueueTest {
    private static AccessLogEntry entry(String uri) {
        return new AccessLogEntry(0L, "127.0.0.1", "GET", "h", uri, 200, 1, 2, 1_234_567L, "a", "local", 1,
                "weighted", null, "id-1");
    }

    @Test
    void aFullQueueCountsDropsAndNeverBlocks() {
        LongAdder dropped = new LongAdder();
        AccessLog log = AccessLog.undrained(16, dropped);
        for (int i = 0; i < 20; i++) {
            log.offer(entry("/" + i));
        }
        assertThat(dropped.sum()).isEqualTo(4);
    }

    @Test
    void theWriterFormatsOneJsonLinePerEntryWithoutTheQuery() throws Exception {
        MpscArrayQueue<AccessLogEntry> queue = new MpscArrayQueue<>(16);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogWriter writer = new AccessLogWriter(queue, new StdoutSink(out), "test", new LongAdder());
        queue.offer(entry("/a/b?token=secret"));
        queue.offer(new AccessLogEntry(1_700_000_000_123L, "::1", "POST", null, "/q\"\n", 404, 0, 30, 999L, null,
                null, 0, null, "no route for \"x\"", null));

        assertThat(writer.drainOnce()).isEqualTo(2);
        String[] lines = out.toString(UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines[0]);
        assertThat(first.get("time").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(first.get("path").asText()).isEqualTo("/a/b");
        assertThat(lines[0]).doesNotContain("secret");
        assertThat(first.get("duration_ms").decimalValue()).isEqualByComparingTo("1.234");
        assertThat(first.get("reason").isNull()).isTrue();
        JsonNode second = json.readTree(lines[1]);
        assertThat(second.get("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(second.get("path").asText()).isEqualTo("/q\"\n");
        assertThat(second.get("reason").asText()).isEqualTo("no route for \"x\"");
        assertThat(second.get("duration_ms").decimalValue()).isEqualByComparingTo("0.000");
        assertThat(second.get("endpoint").isNull()).isTrue();
    }
}
