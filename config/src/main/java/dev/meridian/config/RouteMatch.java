package dev.meridian.config;

import java.util.List;

/**
 * What a route matches. Every part is optional; a route with no part matches everything.
 *
 * @param host       exact host ({@code api.example.com}) or wildcard suffix ({@code *.example.com}); case-insensitive,
 *                   compared without the port; null: any host
 * @param pathPrefix the path starts with this; null unless given
 * @param path       the path (without query) equals this; null unless given; not together with pathPrefix
 * @param headers    every header match must hold
 */
public record RouteMatch(String host, String pathPrefix, String path, List<HeaderMatch> headers) {
    public static final RouteMatch ANY = new RouteMatch(null, null, null, List.of());

    public RouteMatch {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }
}
