package dev.meridian.proxy.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * The socket transport: native epoll where the platform has it (fewer copies and syscalls), NIO otherwise.
 * io_uring is chosen with {@code -Dmeridian.transport=io_uring}. Measured here (bench/RESULTS.md, issue 12) it
 * served a third more requests per second than epoll at about half the CPU per request, but it is not the default
 * yet: with it, the tests of refused and impossible connects (UpstreamLimitsTest, OutOfDescriptorsTest) fail, so a
 * failed connect is accounted differently on that transport; and many container runtimes forbid its calls.
 */
public enum Transport {
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollIoHandler::newFactory),
    IO_URING(IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringIoHandler::newFactory),
    NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioIoHandler::newFactory);

    private final Class<? extends ServerSocketChannel> serverChannel;
    private final Class<? extends SocketChannel> clientChannel;
    private final Supplier<IoHandlerFactory> ioHandlers;

    Transport(Class<? extends ServerSocketChannel> serverChannel, Class<? extends SocketChannel> clientChannel,
              Supplier<IoHandlerFactory> ioHandlers) {
        this.serverChannel = serverChannel;
        this.clientChannel = clientChannel;
        this.ioHandlers = ioHandlers;
    }

    /**
     * Epoll unless unavailable; {@code -Dmeridian.transport=nio} or {@code io_uring} chooses another. An io_uring
     * asked for but refused by the kernel falls back to epoll, with the reason on stderr, rather than failing start.
     */
    public static Transport best() {
        String asked = System.getProperty("meridian.transport", "");
        if ("nio".equalsIgnoreCase(asked)) {
            return NIO;
        }
        if ("io_uring".equalsIgnoreCase(asked) || "iouring".equalsIgnoreCase(asked)) {
            if (IoUring.isAvailable()) {
                return IO_URING;
            }
            System.err.println("meridian: io_uring is not available here ("
                    + IoUring.unavailabilityCause().getMessage() + "); using "
                    + (Epoll.isAvailable() ? "epoll" : "nio"));
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlers.get());
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends SocketChannel> clientChannel() {
        return clientChannel;
    }
}
