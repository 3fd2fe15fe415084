package dev.meridian.proxy.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * The socket transport: io_uring where the kernel allows it, native epoll otherwise, NIO where neither exists.
 * Measured here (bench/RESULTS.md, issue 12) io_uring served a third more requests per second than epoll at about
 * half the CPU per request, and the whole test suite passes on both. Many container runtimes forbid io_uring's
 * calls: {@link IoUring#isAvailable()} then says so and epoll is used, so a proxy that started before still starts.
 */
public enum Transport {
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollIoHandler::newFactory),
    IO_URING(IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringIoHandler::newFactory),
    NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioIoHandler::newFactory);

    /**
     * The buffers of client and upstream connections. Netty 4.2's default is its adaptive allocator; its pooled one
     * cost a fifth less CPU per proxied request here (bench/RESULTS.md, "Allocator"), and Meridian's buffers live
     * a request or less, on the loop that allocated them, which is what the pooled allocator's per-thread caches
     * are for. Unless {@code -Dio.netty.allocator.type} asks for another, explicitly.
     */
    public static final ByteBufAllocator DATA_PLANE_ALLOCATOR =
            System.getProperty("io.netty.allocator.type") == null ? PooledByteBufAllocator.DEFAULT
                    : ByteBufAllocator.DEFAULT;

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
     * io_uring, else epoll, else NIO; {@code -Dmeridian.transport=epoll}, {@code nio} or {@code io_uring} chooses.
     * An io_uring asked for but refused by the kernel falls back to epoll, with the reason on stderr, rather than
     * failing start.
     */
    public static Transport best() {
        String asked = System.getProperty("meridian.transport", "");
        if ("nio".equalsIgnoreCase(asked)) {
            return NIO;
        }
        if ("epoll".equalsIgnoreCase(asked)) {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        if (IoUring.isAvailable()) {
            return IO_URING;
        }
        if ("io_uring".equalsIgnoreCase(asked) || "iouring".equalsIgnoreCase(asked)) {
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
