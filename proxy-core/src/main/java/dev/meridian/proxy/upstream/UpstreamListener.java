package dev.meridian.proxy.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What a leased upstream connection tells the exchange that holds it. Called on the connection's event loop, which
 * is also the downstream connection's loop.
 */
public interface UpstreamListener {

    /** The response head (a 1xx interim head too). Never a failed decode: that arrives as {@link #onUpstreamClosed}. */
    void onResponseHead(HttpResponse response);

    /** A piece of the response body; the listener owns it and must write or release it. */
    void onResponseContent(HttpContent content);

    /** The connection's read batch ended: time to flush what was written downstream. */
    void onUpstreamReadComplete();

    /** The connection can take more request bytes again (or no longer can). */
    void onUpstreamWritabilityChanged(boolean writable);

    /**
     * The connection closed, or is broken and being closed, while leased.
     *
     * @param reason a short description for the client's error line
     */
    void onUpstreamClosed(String reason);
}
