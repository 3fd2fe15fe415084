package dev.meridian.routing.explain;

import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.geo.ClientLocation;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The attributes of a request to explain: what the proxy would know of it when routing.
 *
 * @param host     the Host header, or null
 * @param path     the request target in origin form
 * @param headers  request headers (names case-insensitive)
 * @param location where the client is, or null when unknown
 * @param keyHash  the consistent-hashing key already hashed, when the request has one
 */
public record ExplainRequest(String host, String path, Map<String, String> headers, ClientLocation location,
                             OptionalLong keyHash) {
    public ExplainRequest {
        headers = Map.copyOf(headers);
        keyHash = keyHash == null ? OptionalLong.empty() : keyHash;
    }

    HeaderLookup headerLookup() {
        return name -> {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name.toString())) {
                    return e.getValue();
                }
            }
            return null;
        };
    }
}
