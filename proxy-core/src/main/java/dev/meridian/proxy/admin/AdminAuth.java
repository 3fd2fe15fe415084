package dev.meridian.proxy.admin;

import dev.meridian.config.AdminToken;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Decides whether a call may proceed. Reads are open from loopback; from anywhere else they need a viewer or operator
 * token. Every change needs an operator token. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, against every configured token without stopping at a match, so neither the time to
 * answer nor the length compared tells a caller how close a guess came.
 */
final class AdminAuth {
    private static final String BEARER = "Bearer ";

    private record Known(String name, AdminToken.Role role, byte[] digest) {
    }

    /** The outcome: a caller, or a refusal with its status and one-line reason. */
    record Verdict(Caller caller, HttpResponseStatus status, String reason) {
        boolean allowed() {
            return caller != null;
        }
    }

    private final List<Known> tokens;

    AdminAuth(List<AdminToken> tokens) {
        this.tokens = tokens.stream().map(t -> new Known(t.name(), t.role(), digest(t.secret()))).toList();
    }

    Verdict check(String authorization, InetAddress peer, boolean mutating) {
        String address = peer.getHostAddress();
        Known token = null;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return deny(HttpResponseStatus.UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
            }
            token = match(authorization.substring(BEARER.length()).strip());
            if (token == null) {
                return deny(HttpResponseStatus.UNAUTHORIZED, "unknown token");
            }
        }
        if (mutating) {
            if (token == null) {
                return deny(HttpResponseStatus.UNAUTHORIZED, tokens.isEmpty()
                        ? "changes need an operator token, and none is configured: add admin.tokens to the config"
                        : "changes need an operator token: send 'Authorization: Bearer <token>'");
            }
            if (token.role() != AdminToken.Role.OPERATOR) {
                return deny(HttpResponseStatus.FORBIDDEN, "token '" + token.name() + "' is a viewer token;"
                        + " changes need an operator token");
            }
        } else if (token == null && !peer.isLoopbackAddress()) {
            return deny(HttpResponseStatus.UNAUTHORIZED, "reads from beyond loopback need a viewer or operator token");
        }
        return new Verdict(new Caller(address, token == null ? "anonymous" : token.role().yamlName(),
                token == null ? null : token.name()), null, null);
    }

    private Known match(String presented) {
        byte[] d = digest(presented);
        Known found = null;
        for (Known k : tokens) {
            if (MessageDigest.isEqual(d, k.digest()) && found == null) {
                found = k;
            }
        }
        return found;
    }

    private static Verdict deny(HttpResponseStatus status, String reason) {
        return new Verdict(null, status, reason);
    }

    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
