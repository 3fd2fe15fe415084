package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.ChannelOpener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream connections in memory, for an {@link dev.meridian.proxy.upstream.UpstreamPool} under test: each connect
 * the pool makes opens an {@link EmbeddedChannel}, which the pool fits with its real codec and connection handler, so
 * a test reads the bytes an endpoint would get and writes the bytes it would answer. Each connect is accepted at once,
 * refused, or held until the test completes it, in the order the test scripts; unscripted ones are accepted.
 */
final class InMemoryUpstreams implements ChannelOpener {

    enum Connect { ACCEPT, REFUSE, HOLD }

    private final ArrayDeque<Connect> script = new ArrayDeque<>();
    private final List<Upstream> opened = new ArrayList<>();

    /** How the next connects go, in order. */
    void next(Connect... connects) {
        script.addAll(List.of(connects));
    }

    /** Every channel the pool opened, in order. */
    List<Upstream> opened() {
        return opened;
    }

    Upstream last() {
        return opened.get(opened.size() - 1);
    }

    @Override
    public ChannelFuture open(Duration connectTimeout) {
        Upstream channel = new Upstream(script.isEmpty() ? Connect.ACCEPT : script.poll());
        opened.add(channel);
        return channel.newSucceededFuture();
    }

    /** Closes every channel opened and releases what each still holds. */
    void releaseAll() {
        for (Upstream channel : opened) {
            channel.finishAndReleaseAll();
        }
    }

    /** One connection, from its endpoint's side. */
    static final class Upstream extends EmbeddedChannel {
        private SocketAddress remote;
        private ChannelPromise heldConnect;

        Upstream(Connect connect) {
            pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void connect(ChannelHandlerContext ctx, SocketAddress to, SocketAddress from,
                                    ChannelPromise promise) {
                    remote = to;
                    switch (connect) {
                        case ACCEPT -> promise.setSuccess();
                        // Left open, where a socket would close: closing now, before the connect's listeners
                        // run, would take the pool's handlers with it, and a missing socket looks like that.
                        case REFUSE -> promise.setFailure(new ConnectException("Connection refused"));
                        case HOLD -> heldConnect = promise;
                    }
                }
            });
        }

        /** Where the pool connected it: the endpoint's address, as a socket's remote address would be. */
        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }

        /** The held connect succeeds. */
        void connected() {
            heldConnect.setSuccess();
        }

        /** The held connect times out, as a socket's would after its connect timeout. */
        void connectTimedOut() {
            heldConnect.setFailure(new ConnectTimeoutException("connection timed out: " + remote));
            close();
        }

        /** The bytes the endpoint received since the last call. */
        String received() {
            StringBuilder bytes = new StringBuilder();
            ByteBuf piece;
            while ((piece = readOutbound()) != null) {
                bytes.append(piece.toString(StandardCharsets.ISO_8859_1));
                piece.release();
            }
            return bytes.toString();
        }

        /** The endpoint sends {@code bytes}, in one read. */
        void answer(String bytes) {
            writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        }
    }
}
