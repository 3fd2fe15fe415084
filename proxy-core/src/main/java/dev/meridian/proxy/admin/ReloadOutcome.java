package dev.meridian.proxy.admin;

import java.time.Instant;
import java.util.List;

/**
 * How the last config reload went, whatever asked for it: shown at {@code /status} as {@code last_reload}.
 *
 * @param at       when the reload finished
 * @param ok       whether the new config now serves; false: the old one still does
 * @param trigger  what asked: {@code admin}, {@code file} (the watcher) or {@code sighup}
 * @param problems why the file was rejected, one line each with its position; empty when ok
 */
public record ReloadOutcome(Instant at, boolean ok, String trigger, List<String> problems) {
    public ReloadOutcome {
        problems = List.copyOf(problems);
    }
}
