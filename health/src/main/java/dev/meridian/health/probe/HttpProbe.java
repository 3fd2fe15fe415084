package dev.meridian.health.probe;

import dev.meridian.routing.EndpointState;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request on a fresh connection ({@code Connection: close}); passes when the status is expected and,
 * when configured, the body contains the expected text. Health responses are small, so the body is aggregated, up to
 * {@link #MAX_RESPONSE_BYTES}; a larger one fails the check rather than buffer without bound.
 */
final class HttpProbe implements Probe {
    static final int MAX_RESPONSE_BYTES = 64 * 1024;
    static final String USER_AGENT = "meridian-health-check";

    private final ProbeConnector connector;

    HttpProbe(ProbeConnector connector) {
        this.connector = connector;
    }

    @Override
    public ProbeAttempt start(EventLoop loop, EndpointState endpoint, CheckSettings settings, ProbeCallback callback) {
        ProbeAttempt attempt = new ProbeAttempt(loop, settings, callback);
        String host = settings.host() != null ? settings.host() : endpoint.config().authority();
        ChannelFuture connect = connector.connect(loop, endpoint, settings, attempt,
                new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(),
                                new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                new ResponseHandler(attempt, settings, host));
                    }
                }, true);
        if (connect != null) {
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    attempt.fail(f.cause());
                }
            });
        }
        return attempt;
    }

    static FullHttpRequest request(CheckSettings settings, String host) {
        HttpMethod method = HttpMethod.valueOf(settings.method());
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, settings.path(),
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        // Methods that carry a body need a length, or a server waits for one until the check times out.
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        }
        return request;
    }

    /** Whether a response passes, and why. */
    record Verdict(boolean pass, String cause) {
    }

    /** The verdict on a whole response; the caller releases it. */
    static Verdict judge(FullHttpResponse response, CheckSettings settings) {
        if (response.decoderResult().isFailure()) {
            return new Verdict(false, "bad response: " + response.decoderResult().cause().getMessage());
        }
        int status = response.status().code();
        if (!settings.statusExpected(status)) {
            return new Verdict(false, "status " + status + " not in " + settings.expectedText());
        }
        String wanted = settings.bodyContains();
        if (wanted != null && !response.content().toString(StandardCharsets.UTF_8).contains(wanted)) {
            return new Verdict(false, "body lacks '" + wanted + "'");
        }
        return new Verdict(true, "status " + status);
    }

    /** Sends the request once connected and reports the response; the base class releases what it reads. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final ProbeAttempt attempt;
        private final CheckSettings settings;
        private final String host;

        ResponseHandler(ProbeAttempt attempt, CheckSettings settings, String host) {
            this.attempt = attempt;
            this.settings = settings;
            this.host = host;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(request(settings, host)).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    attempt.fail(f.cause());
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Verdict verdict = judge(response, settings);
            if (verdict.pass()) {
                attempt.pass(verdict.cause());
            } else {
                attempt.fail(verdict.cause());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.fail(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            attempt.fail("connection closed before a response");
            ctx.fireChannelInactive();
        }
    }
}
