package dev.meridian.proxy.admin;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Watches a config file and calls back once its directory has been quiet for the debounce period after an event for
 * it. The directory, not the file: editors and deploy tools replace files by rename, which a watch on the file itself
 * would lose. The callback only hands the work on (to the admin worker, which also skips unchanged bytes), so the
 * watcher's own daemon thread never reads or parses anything.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConfigWatcher.class.getName());

    private final WatchService service;
    private final Path name;
    private final long debounceNanos;
    private final Runnable changed;
    private final Thread thread;

    private ConfigWatcher(WatchService service, Path file, Duration debounce, Runnable changed) {
        this.service = service;
        this.name = file.getFileName();
        this.debounceNanos = debounce.toNanos();
        this.changed = changed;
        this.thread = new Thread(this::run, "meridian-config-watcher");
        thread.setDaemon(true);
    }

    /** @throws IOException when the file's directory cannot be watched */
    static ConfigWatcher start(Path file, Duration debounce, Runnable changed) throws IOException {
        Path absolute = file.toAbsolutePath();
        WatchService service = absolute.getFileSystem().newWatchService();
        try {
            absolute.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        ConfigWatcher watcher = new ConfigWatcher(service, absolute, debounce, changed);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        try {
            while (true) {
                if (!concerned(service.take())) {
                    continue;
                }
                // Debounce: a save is often several events (truncate, write, rename); wait until they stop. Events
                // for other files in the directory (an audit log next to the config) do not extend the wait.
                long deadline = System.nanoTime() + debounceNanos;
                long left;
                while ((left = deadline - System.nanoTime()) > 0) {
                    WatchKey more = service.poll(left, TimeUnit.NANOSECONDS);
                    if (more != null && concerned(more)) {
                        deadline = System.nanoTime() + debounceNanos;
                    }
                }
                try {
                    changed.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "config watcher: could not start a reload", e);
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: done
        }
    }

    /** Whether the key's events touch the config file (or were lost to overflow); re-arms the key. */
    private boolean concerned(WatchKey key) {
        boolean hit = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            hit |= e.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(e.context());
        }
        key.reset();
        return hit;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "config watcher: close failed", e);
        }
    }
}
