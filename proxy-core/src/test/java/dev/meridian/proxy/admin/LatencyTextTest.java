package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.server.TrafficMeters;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The latency families on a fake clock: the quantiles cover the recent window only, while the histogram buckets,
 * count and sum keep counting the whole run.
 */
class LatencyTextTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final TrafficMeters meters = new TrafficMeters(now::get, Duration.ofSeconds(10), 6);

    @Test
    void quantilesForgetWhatLeftTheWindowWhileBucketsKeepIt() {
        TrafficMeters.Latency app = meters.latency("app");
        for (int i = 0; i < 100; i++) {
            record(app, Duration.ofSeconds(2));   // slow, a minute and more ago
        }
        String first = text();
        assertThat(first).contains("over the last 60 s");
        assertThat(value(first, "meridian_upstream_latency_quantile_seconds{cluster=\"app\",quantile=\"0.5\"}"))
                .isBetween(1.99, 2.01);

        now.addAndGet(30 * SECOND);
        for (int i = 0; i < 100; i++) {
            record(app, Duration.ofMillis(3));
        }
        String mixed = text();
        assertThat(value(mixed, "meridian_upstream_latency_quantile_seconds{cluster=\"app\",quantile=\"0.99\"}"))
                .as("both halves still in the window").isBetween(1.99, 2.01);

        now.addAndGet(45 * SECOND);   // the slow slice is 75 s old, the fast one 45 s
        String recent = text();
        assertThat(value(recent, "meridian_upstream_latency_quantile_seconds{cluster=\"app\",quantile=\"0.999\"}"))
                .isBetween(0.0029, 0.0031);
        assertThat(value(recent, "meridian_upstream_latency_seconds_count{cluster=\"app\"}")).isEqualTo(200);
        assertThat(value(recent, "meridian_upstream_latency_seconds_bucket{cluster=\"app\",le=\"0.005\"}"))
                .isEqualTo(100);
        assertThat(value(recent, "meridian_upstream_latency_seconds_bucket{cluster=\"app\",le=\"2.5\"}"))
                .isEqualTo(200);
        assertThat(value(recent, "meridian_upstream_latency_seconds_sum{cluster=\"app\"}")).isBetween(200.2, 200.4);

        now.addAndGet(60 * SECOND);
        String quiet = text();
        assertThat(quiet).contains(
                "meridian_upstream_latency_quantile_seconds{cluster=\"app\",quantile=\"0.5\"} NaN");
        assertThat(value(quiet, "meridian_upstream_latency_seconds_count{cluster=\"app\"}")).isEqualTo(200);
    }

    @Test
    void valuesRecordedBeforeARareScrapeCountInTheSliceOfThatScrape() {
        TrafficMeters.Latency app = meters.latency("app");
        text();
        record(app, Duration.ofMillis(40));
        now.addAndGet(5 * 60 * SECOND);   // nobody scraped for five minutes
        assertThat(value(text(), "meridian_upstream_latency_quantile_seconds{cluster=\"app\",quantile=\"0.5\"}"))
                .isBetween(0.039, 0.041);
    }

    private static void record(TrafficMeters.Latency latency, Duration d) {
        latency.record(d.toNanos());
    }

    private String text() {
        StringBuilder out = new StringBuilder();
        LatencyText.append(out, meters.latencyByCluster(), meters.recentWindow());
        return out.toString();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("series %s in%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
