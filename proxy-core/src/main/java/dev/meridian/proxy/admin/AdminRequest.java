package dev.meridian.proxy.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;

/** One admin call as the routes need it, copied out of Netty's buffers on the admin loop. */
record AdminRequest(HttpMethod method, QueryStringDecoder query, String authorization, byte[] body, InetAddress peer) {
    String path() {
        return query.path();
    }
}
