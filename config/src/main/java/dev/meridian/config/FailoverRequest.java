package dev.meridian.config;

import dev.meridian.config.YamlNode.YamlMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A failover shift asked for through the admin port: {@code {"cluster": ..., "from": ..., "to": ..., "strategy": ...}}.
 * The body is read with the same binder as a cluster's declared {@code failover} list (JSON is YAML), so both check the
 * same things with the same words; only the trigger is absent, and either side may name a priority level or endpoints.
 *
 * @param cluster the cluster whose traffic moves
 * @param config  the shift, with a null trigger
 */
public record FailoverRequest(String cluster, FailoverConfig config) {
    static final Schema REQUEST = new Schema("failover request", "failover requests",
            List.of("cluster", "from", "to", "strategy", "steps", "hold", "guard", "max_shift_rate"),
            List.of("cluster", "from", "to"));

    public FailoverRequest {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(config, "config");
    }

    /**
     * Reads a request body against the running config.
     *
     * @throws InvalidConfigException listing every problem found, positions relative to the body
     */
    public static FailoverRequest parse(String body, MeridianConfig running) {
        Problems problems = new Problems("body");
        YamlNode root = YamlTreeReader.read(body, problems);
        if (root != null && !(root instanceof YamlMap)) {
            problems.add(root, "expected a JSON object", "e.g. {\"cluster\": \"api\", \"from\": {\"region\": \"us-east\"},"
                    + " \"to\": {\"region\": \"eu-west\"}, \"strategy\": \"gradual\"}");
        }
        FailoverRequest request = null;
        if (root instanceof YamlMap map) {
            Fields f = new Fields(map, REQUEST, problems);
            String name = f.string("cluster");
            ClusterConfig cluster = name == null ? null
                    : running.clusters().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
            if (name != null && cluster == null) {
                problems.add(f.value("cluster"), "unknown cluster '" + name + "'", Suggestions.hint(name,
                        running.clusters().stream().map(ClusterConfig::name).toList(), "clusters"));
            }
            if (cluster != null) {
                Set<String> regions = new LinkedHashSet<>();
                running.regions().forEach(r -> regions.add(r.name()));
                FailoverConfig config = new FailoverBinder(problems).failover(f, cluster.endpoints(), regions, false);
                if (config != null && problems.isEmpty()) {
                    request = new FailoverRequest(name, config);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems.sorted());
        }
        return request;
    }
}
