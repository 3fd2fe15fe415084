package dev.meridian.proxy.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny backend standing for one region in the demo: it answers every request with the region and endpoint that
 * served it, so a person running curl sees the balancing happen.
 */
public final class DemoBackend implements AutoCloseable {
    private final String region;
    private final String endpointId;
    private final Channel channel;

    private DemoBackend(String region, String endpointId, Channel channel) {
        this.region = region;
        this.endpointId = endpointId;
        this.channel = channel;
    }

    /** Binds 127.0.0.1 on an ephemeral port. */
    public static DemoBackend start(EventLoopGroup group, Class<? extends io.netty.channel.ServerChannel> type,
                                    String region, String endpointId) throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(type)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new Responder(region, endpointId));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return new DemoBackend(region, endpointId, ch);
    }

    public String region() {
        return region;
    }

    public String endpointId() {
        return endpointId;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Responder extends SimpleChannelInboundHandler<HttpObject> {
        private final String region;
        private final String endpointId;
        private HttpRequest request;

        Responder(String region, String endpointId) {
            this.region = region;
            this.endpointId = endpointId;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest) {
                request = (HttpRequest) msg;
            }
            if (msg instanceof LastHttpContent && request != null) {
                String text = "served by region " + region + " (endpoint " + endpointId + ") for "
                        + request.method() + " " + request.uri() + "\n";
                ByteBuf body = ctx.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        body);
                response.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .set("x-served-by-region", region)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                request = null;
                if (keepAlive) {
                    ctx.writeAndFlush(response);
                } else {
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
            }
        }
    }
}
