package dev.meridian.proxy.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/**
 * One admin connection: copies each request out of its buffers, hands it to the routes and writes the answer when it
 * is ready, which for changes is after the worker finished. Requests on one connection are answered in order, since
 * the next is read only after the previous answer was written (auto-read is off while one is pending).
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final System.Logger LOG = System.getLogger(AdminHandler.class.getName());

    private final AdminRoutes routes;

    AdminHandler(AdminRoutes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        boolean head = msg.method().equals(HttpMethod.HEAD);
        if (!msg.decoderResult().isSuccess()) {
            write(ctx, AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "malformed request"), false, false);
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        AdminRequest request = new AdminRequest(msg.method(), new QueryStringDecoder(msg.uri()),
                msg.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(msg.content()),
                peer.getAddress());
        ctx.channel().config().setAutoRead(false);
        routes.handle(request).whenComplete((response, error) -> {
            AdminResponse r = response;
            if (error != null) {
                LOG.log(Level.ERROR, "admin request " + request.path() + " failed", error);
                r = AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + error);
            }
            AdminResponse answer = r;
            ctx.channel().eventLoop().execute(() -> {
                write(ctx, answer, keepAlive, head);
                ctx.channel().config().setAutoRead(true);
            });
        });
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive, boolean head) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        // The dashboard's buttons change traffic: no other site may frame it, nor a browser guess a type.
        res.headers().set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        res.headers().set("X-Content-Type-Options", "nosniff");
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(res);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, "admin connection closed: " + cause);
        ctx.close();
    }
}
