package dev.meridian.proxy.admin;

import dev.meridian.proxy.server.TrafficMeters;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;

/**
 * The upstream latency families in Prometheus text, written by hand from the clusters' HdrHistograms: a classic
 * histogram ({@code meridian_upstream_latency_seconds}, buckets over the whole run, as Prometheus expects of a
 * histogram: {@code rate()} makes windows of it) and the quantiles HdrHistogram reads off the recent window of the
 * same data ({@code meridian_upstream_latency_quantile_seconds}; quantiles cannot be aggregated over time later, so
 * a whole-run figure would hardly move after the first hour). Micrometer's own timers would keep a second copy in
 * its own histogram; this reads the one the data plane records into, wait-free.
 */
final class LatencyText {
    private LatencyText() {
    }

    static void append(StringBuilder out, Map<String, TrafficMeters.Latency> byCluster, Duration window) {
        Map<String, TrafficMeters.Latency> sorted = new TreeMap<>(byCluster);
        out.append("# HELP meridian_upstream_latency_seconds Time from a try's request head sent to its response"
                + " head, per cluster\n# TYPE meridian_upstream_latency_seconds histogram\n");
        sorted.forEach((cluster, latency) -> {
            AbstractHistogram h = latency.cumulativeMicros();
            String label = "cluster=\"" + escape(cluster) + "\"";
            for (double le : AdminMetrics.LATENCY_BUCKETS) {
                long count = h.getCountBetweenValues(0, (long) (le * 1e6));
                out.append("meridian_upstream_latency_seconds_bucket{").append(label).append(",le=\"").append(le)
                        .append("\"} ").append(count).append('\n');
            }
            out.append("meridian_upstream_latency_seconds_bucket{").append(label).append(",le=\"+Inf\"} ")
                    .append(h.getTotalCount()).append('\n');
            out.append("meridian_upstream_latency_seconds_count{").append(label).append("} ")
                    .append(h.getTotalCount()).append('\n');
            out.append("meridian_upstream_latency_seconds_sum{").append(label).append("} ")
                    .append(latency.sumSeconds()).append('\n');
        });
        out.append("# HELP meridian_upstream_latency_quantile_seconds Upstream latency quantiles over the last ")
                .append(window.toSeconds()).append(" s (or since the previous scrape, when longer ago), per cluster"
                        + " (HdrHistogram, 3 significant digits; NaN when no response came in that time)\n"
                        + "# TYPE meridian_upstream_latency_quantile_seconds gauge\n");
        sorted.forEach((cluster, latency) -> {
            AbstractHistogram h = latency.recentMicros();
            for (double q : AdminMetrics.LATENCY_QUANTILES) {
                double seconds = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(q * 100) / 1e6;
                out.append("meridian_upstream_latency_quantile_seconds{cluster=\"").append(escape(cluster))
                        .append("\",quantile=\"").append(q).append("\"} ").append(seconds).append('\n');
            }
        });
    }

    /** Label values as the text format wants them: backslash, quote and newline escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
