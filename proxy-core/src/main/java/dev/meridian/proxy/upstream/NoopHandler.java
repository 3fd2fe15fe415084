package dev.meridian.proxy.upstream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;

/** Bootstrap insists on a handler; the pool installs the real ones itself. */
@ChannelHandler.Sharable
final class NoopHandler extends ChannelHandlerAdapter {
    static final NoopHandler INSTANCE = new NoopHandler();

    private NoopHandler() {
    }
}
