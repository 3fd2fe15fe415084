package dev.meridian.proxy.observe;

import java.io.IOException;

/** Where the access log's bytes go; used by the writer thread only. */
interface LogSink {
    /**
     * @return false when the line was not written because the sink is failing and not yet due for another try
     * @throws IOException when writing failed; the sink is then ready to try again later
     */
    boolean write(byte[] line) throws IOException;

    void flush() throws IOException;

    void close() throws IOException;
}
