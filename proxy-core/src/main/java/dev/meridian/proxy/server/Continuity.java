package dev.meridian.proxy.server;

import dev.meridian.config.ContinuityLevel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The business-continuity level in force, and whether clusters shed tiers automatically. Every request reads the
 * level once (a volatile read); the admin port and reloads change it from any thread.
 *
 * <p>A reload applies the file's level only when the file changed it: a level set at run time (an incident's
 * {@code essential}) must survive a reload made for another reason.
 */
public final class Continuity {
    /** A change, for the caller to report or audit. */
    public record Change(ContinuityLevel before, ContinuityLevel after) {
        public boolean changed() {
            return before != after;
        }
    }

    private final AtomicReference<ContinuityLevel> level;
    private volatile boolean autoShedding;
    /** The level the config file said last; guarded by this. */
    private ContinuityLevel configured;

    public Continuity(ContinuityLevel configured, boolean autoShedding) {
        this.configured = Objects.requireNonNull(configured, "configured");
        this.level = new AtomicReference<>(configured);
        this.autoShedding = autoShedding;
    }

    /** The level in force. */
    public ContinuityLevel level() {
        return level.get();
    }

    /** Sets the level at run time (the admin port). */
    public Change level(ContinuityLevel next) {
        return new Change(level.getAndSet(Objects.requireNonNull(next, "next")), next);
    }

    /**
     * A config was loaded: its level applies when it differs from what the previous config said, and its shedding
     * switch always does (it is structure, not operational state).
     */
    public synchronized Change configured(ContinuityLevel fromFile, boolean autoShed) {
        autoShedding = autoShed;
        if (fromFile == configured) {
            ContinuityLevel now = level.get();
            return new Change(now, now);
        }
        configured = fromFile;
        return level(fromFile);
    }

    public boolean autoShedding() {
        return autoShedding;
    }
}
