package dev.meridian.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;

/** Netty's request encoder, telling the connection's {@link ResponseDecoder} what each response will answer. */
final class RequestEncoder extends HttpRequestEncoder {
    private final ResponseDecoder decoder;

    RequestEncoder(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpRequest) {
            decoder.requestSent(((HttpRequest) msg).method());
        }
        super.write(ctx, msg, promise);
    }
}
