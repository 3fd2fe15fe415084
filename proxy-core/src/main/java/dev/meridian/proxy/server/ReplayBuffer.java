package dev.meridian.proxy.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;

/**
 * The request body forwarded so far, kept while it fits a limit, so a retry or a hedge can send it again. Holds
 * retained duplicates (no copy); whoever empties it releases them. Confined to one event loop.
 */
final class ReplayBuffer {
    private final ArrayList<HttpContent> contents = new ArrayList<>(2);
    private int bytes;
    private boolean overflowed;

    /**
     * Keeps a piece of the body, unless it may not be sent twice: a body piece of a non-idempotent request, or
     * more than {@code limitBytes} in all. The first refusal drops what was kept: the body can no longer be replayed.
     */
    void keep(HttpContent content, boolean idempotent, int limitBytes) {
        if (overflowed) {
            return;
        }
        int size = content.content().readableBytes();
        // An empty end of message carries no data, so even a non-idempotent request may send it again.
        if ((!idempotent && size > 0) || bytes + size > limitBytes) {
            overflowed = true;
            release();
            return;
        }
        bytes += size;
        contents.add(content.retainedDuplicate());
    }

    /** Whether everything forwarded so far is kept, so the request can be sent again whole. */
    boolean replayable() {
        return !overflowed;
    }

    /** Writes (without flushing) everything kept to another connection; the buffer keeps its own references. */
    void writeTo(Channel channel) {
        for (int i = 0; i < contents.size(); i++) {
            channel.write(contents.get(i).retainedDuplicate(), channel.voidPromise());
        }
    }

    /** Releases what is kept and starts over, for the next request. */
    void reset() {
        release();
        overflowed = false;
    }

    private void release() {
        for (int i = 0; i < contents.size(); i++) {
            contents.get(i).release();
        }
        contents.clear();
        bytes = 0;
    }
}
